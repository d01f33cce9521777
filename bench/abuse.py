"""Abuse: the server's memory and a bystander student's latency while each attack of issue 12 runs.

Each attack runs against a fresh Daphne process of the app (production mode, SQLite, in-memory channel
layer; the database and its sandboxes carry over, the previous process's leases are released as a clean
stop would). All along each run:
- the instructor plays the classroom demo (30 pods) at 8× with a rolling update every 4 s (bench.livesite);
- a **bystander student** (own loopback address 127.0.0.2, own sandbox) sends `kubectl get pods` twice a
  second and times each `result` (command round trip);
- a **demo viewer** (127.0.0.3) watches the demo and times each `diff` from its `ts` to its arrival;
- the server's RSS is sampled every 0.25 s from /proc (bench.common.process_stats).

After a 2 s warm-up and a quiet window (the bystanders' p95 without an attack, for comparison), the attack
runs from its own loopback address and in its own process (bench/attacks.py), then a recovery pause. For
each: the RSS just before, the peak during, the RSS after the attackers are gone and the pause is over;
whether the server recovered (RSS after ≤ before + max(16 MiB, 10 %), and as many viewers attached as before,
from the bench-only probe bench/probe_asgi.py); the bystander's command p95 and the demo viewer's p95 in the
quiet window and during the attack; the exceptions in the server's log. A safety cap (`--max-rss-mib`,
2,048) ends an attack early if the server's memory runs away on a shared machine; the table says so.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import sys
import tempfile
import time
from pathlib import Path

from bench import bystanders, livesite
from bench.common import fmt_sig, table

TITLE = "Abuse: server memory and a bystander's latency under each attack of issue 12 (one Daphne process)"
MIB = 1024 * 1024

BYSTANDER = "127.0.0.2"  # the console student; the demo viewer is bystanders.DEMO_VIEWER
ADDRESSES = {  # each attacker's own loopback source address
    "resync": "127.0.0.10",
    "configmaps": "127.0.0.11",
    "flood": "127.0.0.12",
    "visits": "127.0.0.13",
    "malformed": "127.0.0.14",
    "slow": "127.0.0.15",
}


def available() -> str | None:
    try:
        import websockets  # noqa: F401
    except ImportError:
        return "the websockets package is not installed (pip install -e '.[dev]')"
    try:  # clients connect from 127.0.0.2 … (Linux routes all of 127/8 to loopback; macOS only 127.0.0.1)
        with socket.socket() as sock:
            sock.bind((BYSTANDER, 0))
    except OSError:
        return f"cannot bind {BYSTANDER}: this system has no 127/8 loopback addresses besides 127.0.0.1"
    return None


async def _attack(
    name: str, params: dict, pid: int, cap: int, probes: bystanders.Probes
) -> tuple[dict, bool]:
    """Runs one attack in its own process; ends it early (SIGTERM: it stops and reports what it did) when the
    server's RSS passes `cap`. Returns (its JSON result or {"error": …}, whether the cap stopped it)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.attacks",
        name,
        json.dumps(params),
        cwd=livesite.ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    capped = False
    deadline = time.monotonic() + params.get("seconds", 0) + 150
    waiting = asyncio.create_task(proc.communicate())
    while not waiting.done():
        await asyncio.wait([waiting], timeout=0.25)
        if waiting.done():
            break
        over_cap = probes.rss and probes.rss[-1][1] > cap
        if over_cap or time.monotonic() > deadline:
            capped = capped or bool(over_cap)
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
            await asyncio.wait([waiting], timeout=20)  # it stops at its next turn and reports
            if not waiting.done():
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
            break
    out, err = await waiting
    for line in reversed(out.decode().splitlines()):
        if line.startswith('{"result"'):
            return json.loads(line)["result"], capped
    return {"error": (err.decode()[-300:] or "no result").strip()}, capped


def _window(samples: list[tuple[float, float]], t0: float, t1: float) -> list[float]:
    return [v for t, v in samples if t0 <= t < t1]


def _ms(value: float | None) -> str:
    return "–" if value is None else fmt_sig(value * 1000)


def _viewers(report: dict) -> int | None:
    viewers = report.get("viewers")
    return None if viewers is None else sum(v or 0 for v in viewers.values())


def _summary(name: str, result: dict) -> str:
    """One line saying what the attack did and what the server answered."""
    if "error" in result:
        return f"attack failed: {result['error']}"
    if name == "resync":
        ends = result["endings"]
        closed = sum(1 for e in ends if e.startswith("closed"))
        reasons = sorted({e for e in ends if e.startswith("closed")})
        text = f"{result['sent']:,} resync sent ({result['per_s']:,.0f}/s); {closed}/{result.get('sockets', len(ends))} closed by the server"
        text += f" ({'; '.join(reasons)[:120]})" if reasons else ""
        if result["errors"]:
            text += (
                f"; {len(result['errors'])} sockets failed: {'; '.join(sorted(set(result['errors'])))[:120]}"
            )
        return text
    if name == "configmaps":
        refused = ", ".join(f"{k} ×{v}" for k, v in result["refused"].items())
        text = (
            f"{result['sent']} applies of 50: {result['ok']} ok, {result['quota']} `exceeded quota`, "
            f"{result['failed']} other failures"
        )
        if refused:
            text += f", refused: {refused}"
        if result.get("closed"):
            text += f"; the attacker's socket was {result['closed']}"
        if result.get("rtt_p95_ms") is not None:
            text += f"; attacker's own p95 {result['rtt_p95_ms']:,.0f} ms"
        return text
    if name == "flood":
        refused = ", ".join(f"{k} ×{v}" for k, v in result["refused"].items()) or "none"
        return f"{result['sent']:,} sent, {result['results']:,} carried out ({result['results_per_s']:.1f}/s), refused: {refused}"
    if name == "visits":
        statuses = ", ".join(f"HTTP {k} ×{v}" for k, v in sorted(result["statuses"].items()))
        return f"{sum(result['statuses'].values()):,} visits in {result['seconds']:.0f} s: {statuses}"
    if name == "malformed":
        rows = result["rows"]
        answered = sum(
            1 for r in rows if r["reply"] not in ("no answer", "pong") and not r["reply"].startswith("closed")
        )
        still_open = sum(1 for r in rows if r["open"])
        return f"{answered}/{len(rows)} answered with an error frame, socket open after {still_open}/{len(rows)}; {result['sockets_opened']} socket(s) used"
    if name == "slow":
        ends = result["endings"]
        closed = sum(1 for e in ends if e.startswith("closed"))
        reasons = sorted({e for e in ends if e.startswith("closed")})
        text = f"{result['connected']} slow readers; {closed} closed by the server"
        return text + (f" ({'; '.join(reasons)[:120]})" if reasons else "")
    return json.dumps(result)[:200]


def _plan(args, demo: str, owners: dict) -> list[tuple[str, str, dict]]:
    """Returns the attacks to run as (row key, attack name, parameters without the port)."""
    seconds = args.seconds
    configmaps, flood = owners["configmaps"], owners["flood"]
    plan = [
        ("a", "resync", {"cluster": demo, "sockets": 8, "seconds": args.resync_seconds}),
        (
            "b",
            "configmaps",
            {
                "cluster": configmaps.cluster,
                "cookie": configmaps.cookie,
                "count": 50,
                "period": 0.5,
                "seconds": seconds,
            },
        ),
        (
            "c1",
            "flood",
            {
                "cluster": flood.cluster,
                "cookie": flood.cookie,
                "sockets": 1,
                "gap": 0.02,
                "seconds": seconds / 2,
            },
        ),
        (
            "c",
            "flood",
            {
                "cluster": flood.cluster,
                "cookie": flood.cookie,
                "sockets": 10,
                "gap": 0.02,
                "seconds": seconds,
            },
        ),
        ("d", "visits", {"count": args.visits, "concurrency": 10, "seconds": 120}),
        ("e", "malformed", {"cluster": demo, "seconds": 60}),
        ("f", "slow", {"cluster": demo, "sockets": 30, "seconds": seconds}),
    ]
    if args.only:
        wanted = set(args.only.split(","))
        plan = [p for p in plan if p[0] in wanted or p[0].rstrip("1") in wanted]
    return plan


async def _identities(port: int) -> dict[str, livesite.Visitor]:
    """The anonymous students the run needs, each from its own address: made once, before any attack."""
    return {
        "bystander": await livesite.visit_sandbox(port, BYSTANDER),
        "configmaps": await livesite.visit_sandbox(port, ADDRESSES["configmaps"]),
        "flood": await livesite.visit_sandbox(port, ADDRESSES["flood"]),
    }


async def _one(port: int, pid: int, tmp: Path, ids: dict, people: dict, attack: tuple, args, earlier: dict):
    """Runs one attack against a fresh server with the instructor, the bystander and the demo viewer all
    along: warm-up 2 s, a quiet window of `args.quiet` s, the attack, `args.recover` s. Returns (row, detail)."""
    key, name, params = attack
    probes = bystanders.Probes()
    stop = asyncio.Event()
    demo = ids["clusters"]["classroom"]
    driver = livesite.Driver(
        port, f"sessionid={ids['session']}", demo, ["web"], second_cookie=f"sessionid={ids['second']}"
    )
    background = [
        asyncio.create_task(bystanders.sample_rss(pid, probes, stop)),
        asyncio.create_task(driver.run(stop)),
        asyncio.create_task(bystanders.console_student(port, people["bystander"], probes, stop)),
        asyncio.create_task(bystanders.demo_viewer(port, demo, probes, stop)),
    ]
    try:
        await asyncio.sleep(2.0)
        quiet_start = time.monotonic()
        await asyncio.sleep(args.quiet)
        quiet = (quiet_start, time.monotonic())
        before_report = livesite.host_report(port)
        clusters_before = livesite.count_clusters(tmp) if name == "visits" else None
        params = {**params, "port": port, "local": ADDRESSES[name]}
        start = time.monotonic()
        result, capped = await _attack(name, params, pid, args.max_rss_mib * MIB, probes)
        end = time.monotonic()
        await asyncio.sleep(args.recover)
        after_report = livesite.host_report(port)
    finally:
        stop.set()
        for task in background:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 15)
    summary = _summary(name, result)
    if capped:
        summary += f"; **stopped at the {args.max_rss_mib:,} MiB safety cap**"
    if key == "c" and "results_per_s" in result and "c1" in earlier:
        one = earlier["c1"]["result"].get("results_per_s") or 0
        if one:
            summary += f"; {result['results_per_s'] / one:.1f}× what one socket of the session got (c1)"
    if clusters_before is not None:
        summary += f"; clusters in the database {clusters_before:,} → {livesite.count_clusters(tmp):,}"
    if driver.refused:
        summary += "; instructor refused " + ", ".join(f"{k} ×{v}" for k, v in driver.refused.items())
    row = _row(key, name, quiet, (start, end), probes, before_report, after_report, summary)
    return row, {"result": result, "window": (start, end), "probes": probes}


def _row(
    key, name, quiet, window, probes: bystanders.Probes, before: dict, after: dict, summary: str
) -> list[object]:
    t0, t1 = window
    rss_in = [v for t, v in probes.rss if t0 <= t <= t1]
    rss_before = next((v for t, v in reversed(probes.rss) if t < t0), rss_in[0] if rss_in else None)
    rss_after = probes.rss[-1][1] if probes.rss else None
    grew = (rss_after or 0) - (rss_before or 0)
    memory_ok = grew <= max(16 * MIB, 0.1 * (rss_before or 0))
    viewers_ok = _viewers(after) is not None and _viewers(after) == _viewers(before)
    recovered = "yes" if memory_ok and viewers_ok else "**no**"
    if not viewers_ok:
        recovered += f" (viewers {_viewers(before)} → {_viewers(after)})"
    if not memory_ok:
        recovered += f" (+{grew / MIB:,.0f} MiB)"
    errors = [c for t, c in probes.command_errors if t0 <= t < t1 + 10]
    mib = lambda v: "–" if v is None else f"{v / MIB:,.0f}"  # noqa: E731
    return [
        key,
        name,
        f"{t1 - t0:.0f}",
        mib(rss_before),
        mib(max(rss_in) if rss_in else None),
        mib(rss_after),
        recovered,
        _ms(livesite.pct(_window(probes.commands, *quiet), 95)),
        _ms(livesite.pct(_window(probes.commands, t0, t1), 95)),
        f"{len(_window(probes.commands, t0, t1))}"
        + (f" ({len(errors)} errors: {', '.join(sorted(set(errors)))[:60]})" if errors else ""),
        _ms(livesite.pct(_window(probes.frames, *quiet), 95)),
        _ms(livesite.pct(_window(probes.frames, t0, t1), 95)),
        summary,
    ]


def _rss_series(probes: bystanders.Probes, window: tuple[float, float], points: int = 7) -> list[str]:
    t0, t1 = window
    series = []
    for i in range(points):
        at = t0 + (t1 - t0) * i / (points - 1)
        value = next((v for t, v in probes.rss if t >= at), probes.rss[-1][1] if probes.rss else 0)
        series.append(f"{value / MIB:,.0f}")
    return series


def _exceptions(lines: list[str]) -> str:
    """Returns the exceptions of the tracebacks in a server log, counted by type ("RecursionError ×2")."""
    found: dict[str, int] = {}
    inside = False
    for line in lines:
        if line.startswith("Traceback"):
            inside = True
        elif inside and line and not line[0].isspace():
            name = line.split(":", 1)[0].rsplit(".", 1)[-1]
            found[name] = found.get(name, 0) + 1
            inside = False
    return ", ".join(f"{name} ×{n}" for name, n in sorted(found.items(), key=lambda kv: -kv[1]))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench abuse")
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="length of attacks b, c, f (20 s; c1 half)"
    )
    parser.add_argument("--resync-seconds", type=float, default=40.0, help="length of attack a (40 s)")
    parser.add_argument("--visits", type=int, default=1000, help="cookie-less visits of attack d (1,000)")
    parser.add_argument("--quiet", type=float, default=5.0, help="quiet window before each attack (5 s)")
    parser.add_argument("--recover", type=float, default=5.0, help="pause after each attack (5 s)")
    parser.add_argument("--max-rss-mib", type=int, default=2048, help="end an attack above this server RSS")
    parser.add_argument("--only", help="comma-separated attack letters, e.g. a,e")
    parser.add_argument(
        "--quick", action="store_true", help="8 s attacks, 200 visits, 3 s quiet and recovery"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.resync_seconds, args.visits, args.quiet, args.recover = 8.0, 8.0, 200, 3.0, 3.0
    print(livesite.context_line("start"))
    print()
    rows, details = [], {}
    with tempfile.TemporaryDirectory(prefix="bench-abuse-") as tmp_name:
        tmp = Path(tmp_name)
        env = livesite.app_env(tmp)
        ids = livesite.prepare(tmp, [livesite.CLASSROOM_DEMO], env)
        port = livesite.free_port()
        server = livesite.daphne(livesite.ROOT, livesite.APP, env, port, tmp / "setup.log")
        try:
            people = asyncio.run(_identities(port))
        finally:
            livesite.stop(server)
            livesite.release_leases(tmp)
        for attack in _plan(args, ids["clusters"]["classroom"], people):
            key = attack[0]
            port = livesite.free_port()
            log = tmp / f"app-{key}.log"
            server = livesite.daphne(livesite.ROOT, livesite.APP, env, port, log)
            try:
                row, details[key] = asyncio.run(
                    _one(port, server.pid, tmp, ids, people, attack, args, details)
                )
            finally:
                livesite.stop(server)
                livesite.release_leases(tmp)
            found = _exceptions(log.read_text(errors="replace").splitlines())
            if found:
                row[-1] += f"; server log: {found}"
            rows.append(row)
            print(f"(attack {key} done: {row[-1][:160]})", file=sys.stderr)
    print(
        table(
            [
                "",
                "attack",
                "s (attack)",
                "RSS before MiB",
                "peak MiB",
                "after MiB",
                "recovered",
                "bystander cmd p95 ms, quiet",
                "during",
                "bystander commands during",
                "demo viewer frame p95 ms, quiet",
                "during",
                "what happened",
            ],
            rows,
            align="llrrrrlrrlrrl",
        )
    )
    print()
    if "f" in details:
        print(
            table(
                ["slow readers (f): server RSS MiB at", *[f"{i * 100 // 6} %" for i in range(7)]],
                [["", *_rss_series(details["f"]["probes"], details["f"]["window"])]],
            )
        )
        print()
    if "e" in details and "rows" in details["e"]["result"]:
        print(
            table(
                ["malformed frame (e)", "answer", "socket open after"],
                [
                    [r["frame"], r["reply"], "yes" if r["open"] else "**no**"]
                    for r in details["e"]["result"]["rows"]
                ],
                align="lll",
            )
        )
        print()
    print(
        "Each attack runs against a fresh server process (same database), after a 2 s warm-up and a quiet window "
        "in which the bystander's and the demo viewer's p95 are measured for comparison. Recovered = RSS after "
        "the attackers are gone and the pause is over ≤ RSS before + max(16 MiB, 10 %), and as many viewers "
        "attached as before (bench/probe_asgi.py). c1 is one socket of the same session as c."
    )
    print()
    print(livesite.context_line("end"))
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

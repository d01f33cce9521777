"""Scale-out: two Daphne processes sharing the class demo through Redis, against one (issue 12 §4).

The app runs with `channels_redis` (REDIS_URL; config/settings.py sets the layer's `max_connections`, 1,000
by default, as the reference advises) and SQLite in a temporary directory. The instructor plays the classroom
demo on the first process (which then owns the cluster, visualizer/host.py) and N passive viewers watch it:
all on the first process, then spread round-robin over two, where the second process's viewers get the
frames the owner relays through the layer (visualizer/relay.py). The bare Channels app of
../shared/bench/baseline_app does the same in the same run: `channels_redis` with a pool of 1,000, one
publisher at 10 frames/s of the app's mean frame size, receivers on one process, then on two.

Measuring capacity, not demand. One uncapped app process serves 1,000 viewers at 10 frames/s with a fraction
of a core, and the client shares the machine's two cores with the servers: an uncapped "two / one" ratio
only says the client got what it asked for. So every server process (the app's and the bare app's alike) is
capped to the same share of a core during the measurement window (bench/cpucap.py, a cgroup v1 `cpu` group
each; `--cap`, 0.15 of a core by default), and the viewer count (2,000) is chosen so that one capped process falls behind
(delivered < asked). Where cgroups are not writable (users' machines) the capped table is skipped with the
reason printed; the uncapped table is always printed. The viewers are bench/lightviewers.py in several
client processes (they look only at frame headers and time a sample), whose own CPU the table reports.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench import cpucap, lightviewers, livesite
from bench.common import fmt_int, fmt_sig, load_average, table

TITLE = "Scale-out: two Daphne processes with Redis against one, beside the bare app"
SETTLE_AFTER_CAP = 2.0  # seconds between capping the servers and opening the window: the backlog settles


def available() -> str | None:
    url = os.environ.get("REDIS_URL")
    if not url:
        return "REDIS_URL unset (e.g. REDIS_URL=redis://127.0.0.1:6379/0 python -m bench scaleout)"
    try:
        import channels_redis  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed"
    if not (livesite.BASELINE / "benchproj").exists():
        return f"{livesite.BASELINE} not found"
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=2):
            pass
    except OSError as exc:
        return f"Redis at {parts.hostname}:{parts.port or 6379} does not answer ({exc})"
    return None


def capped(pids: list[int], cap: float | None):
    """Return a `before_window` callback that caps each of `pids` to `cap` of a core (None: no cap), and the
    ExitStack that lifts the caps; `stats()` on the stack's `groups` gives the throttling seen."""
    stack = contextlib.ExitStack()
    stack.groups = []  # type: ignore[attr-defined]

    def before_window() -> None:
        if cap is None:
            return
        for pid in pids:
            group = stack.enter_context(cpucap.CpuCap(f"srv{pid}", cap))
            group.add(pid)
            stack.groups.append(group)  # type: ignore[attr-defined]
        time.sleep(SETTLE_AFTER_CAP)
        stack.baseline = [g.throttled() for g in stack.groups]  # type: ignore[attr-defined]

    return before_window, stack


def throttled_share(stack) -> float | None:
    """Share of CFS periods in the window in which the capped servers ran out of quota (mean over groups)."""
    groups = getattr(stack, "groups", [])
    if not groups:
        return None
    shares = []
    for group, before in zip(groups, stack.baseline, strict=True):
        after = group.throttled()
        periods = after["nr_periods"] - before["nr_periods"]
        shares.append((after["nr_throttled"] - before["nr_throttled"]) / periods if periods else 0.0)
    return sum(shares) / len(shares)


async def _app_window(ports, pids, ids, n, seconds, cap, clients, sample_every):
    """The instructor plays the demo on the first process while `n` viewers watch through `ports`."""
    from bench.common import start_demo_driver

    driver, playing, stop = await start_demo_driver(ports[0], ids)
    before_window, stack = capped(pids, cap)
    try:
        with stack:
            batch = await asyncio.to_thread(
                lightviewers.run,
                [livesite.ws_url(p, ids["clusters"]["classroom"]) for p in ports],
                n,
                seconds,
                processes=clients,
                origin=livesite.origin(ports[0]),
                ready='"type":"snapshot"',
                match='"type":"diff"',
                sample_every=sample_every,
                server_pids=pids,
                before_window=before_window,
            )
            throttled = throttled_share(stack)
    finally:
        stop.set()
        await playing
    return batch, throttled, driver


def _bare_window(urls, pids, n, seconds, payload, cap, clients, sample_every):
    before_window, stack = capped(pids, cap)
    with stack:
        batch = lightviewers.run(
            urls,
            n,
            seconds,
            processes=clients,
            ready='"type": "ready"',
            match='"type": "broadcast"',
            sample_every=sample_every,
            server_pids=pids,
            publish=(urls[0], 10.0, payload),
            before_window=before_window,
        )
        throttled = throttled_share(stack)
    return batch, throttled, None


def _pct(values: list[float], p: float) -> float | None:
    return livesite.pct([v * 1000 for v in values], p)


def _row(
    label: str, processes: int, n: int, batch: lightviewers.Batch, throttled: float | None
) -> list[object]:
    produced = batch.versions / batch.seconds if batch.seconds else 0.0
    asked = produced * batch.viewers
    delivered = batch.per_second()
    server = sum(batch.server_cpu_pct)
    return [
        label,
        processes,
        f"{batch.viewers}/{n}",
        fmt_sig(produced),
        fmt_int(delivered),
        f"{delivered / asked:.0%}" if asked else "–",
        fmt_sig(delivered / batch.viewers) if batch.viewers else "–",
        fmt_sig(_pct(batch.latencies, 50) or 0),
        fmt_sig(_pct(batch.latencies, 95) or 0),
        " + ".join(fmt_sig(c) for c in batch.server_cpu_pct),
        "–" if throttled is None else f"{throttled:.0%}",
        fmt_sig(server / 100 * batch.seconds / batch.delivered * 1e6) if batch.delivered else "–",
        fmt_sig(batch.client_cpu_pct),
        ", ".join(f"{k} ×{v}" for k, v in sorted(batch.other.items())) or "–",
    ]


HEADERS = [
    "server",
    "processes",
    "viewers ready",
    "frames produced/s",
    "frames delivered/s (all viewers)",
    "delivered / asked",
    "frames/s per viewer",
    "p50 ms",
    "p95 ms",
    "server CPU % per process",
    "periods throttled",
    "server µs CPU / delivered frame",
    "client CPU % (all client processes)",
    "other frames in the window",
]


def _ratio_row(label: str, one: lightviewers.Batch, two: lightviewers.Batch, aim: bool) -> list[object]:
    a, b = one.per_second(), two.per_second()
    text = (fmt_sig(b / a) + "×") if a else "–"
    if aim:
        text += " (aim ≥ 1.8×: " + ("met" if a and b / a >= 1.8 else "missed") + ")"
    return [f"{label}: 2 processes / 1", "", "", "", text] + [""] * (len(HEADERS) - 5)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench scaleout")
    parser.add_argument("--viewers", type=int, default=2000, help="viewers in every run (2,000)")
    parser.add_argument(
        "--seconds", type=float, default=8.0, help="measurement window per run (8 s: two rollouts)"
    )
    parser.add_argument(
        "--cap",
        type=float,
        default=0.15,
        help="CPU cap per server process in the capped table, in cores (0.15); 0: uncapped table only",
    )
    parser.add_argument("--clients", type=int, default=2, help="client processes (2)")
    parser.add_argument("--sample-every", type=int, default=10, help="time one viewer in this many (10)")
    parser.add_argument(
        "--bare-layer",
        choices=["core", "pubsub"],
        default="core",
        help="the bare app's layer: RedisChannelLayer as the app's requests use (core) or RedisPubSubChannelLayer",
    )
    parser.add_argument("--no-uncapped", action="store_true", help="only the capped table")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare app (not for reported figures)")
    parser.add_argument("--quick", action="store_true", help="only the capped table, 4 s windows")
    args = parser.parse_args(argv)
    if args.quick:
        # Fewer viewers would not saturate one capped process: the ratio would measure the demand again.
        args.seconds, args.no_uncapped = 4.0, True
    redis_url = os.environ["REDIS_URL"]
    n = args.viewers
    reason = cpucap.unavailable() if args.cap else "not asked for (--cap 0)"
    caps: list[float | None] = [] if reason else [args.cap]
    if not args.no_uncapped or not caps:
        caps.append(None)
    print(livesite.context_line("start"))
    print()
    if reason:
        print(
            f"No CPU cap: {reason}. The uncapped table below measures what the client asks for, not capacity."
        )
        print()
    runs: dict = {}  # (server, cap, processes) -> (batch, throttled)
    drivers = []
    with tempfile.TemporaryDirectory(prefix="bench-scaleout-") as tmp_name:
        tmp = Path(tmp_name)
        env = livesite.app_env(tmp, redis_url)
        ids = livesite.prepare(tmp, [livesite.CLASSROOM_DEMO], env)
        ports = [livesite.free_port(), livesite.free_port()]
        servers = [livesite.daphne(livesite.ROOT, livesite.APP, env, ports[0], tmp / "app-0.log")]
        try:
            for count in (1, 2):
                if count == 2:
                    servers.append(
                        livesite.daphne(livesite.ROOT, livesite.APP, env, ports[1], tmp / "app-1.log")
                    )
                for cap in caps:
                    batch, throttled, driver = asyncio.run(
                        _app_window(
                            ports[:count],
                            [s.pid for s in servers],
                            ids,
                            n,
                            args.seconds,
                            cap,
                            args.clients,
                            args.sample_every,
                        )
                    )
                    runs[("app", cap, count)] = (batch, throttled)
                    drivers.append(driver)
                    _progress("Orchestra Lab", count, cap, batch)
        finally:
            for server in servers:
                livesite.stop(server)
        payload = 1000  # the classroom diff's mean size (bench/RESULTS.md, bandwidth: 972-990 B)
        if not args.no_bare:
            base_env = {**livesite.baseline_env(redis_url), "BENCH_REDIS_LAYER": args.bare_layer}
            bases = []
            try:
                for i in range(2):
                    port = livesite.free_port()
                    bases.append(
                        (
                            port,
                            livesite.daphne(
                                livesite.BASELINE,
                                "benchproj.asgi:application",
                                base_env,
                                port,
                                tmp / f"base-{i}.log",
                            ),
                        )
                    )
                room = f"scale{os.getpid()}"
                urls = [f"ws://{livesite.HOST}:{port}/ws/bench/{room}/" for port, _ in bases]
                for count in (1, 2):
                    for cap in caps:
                        pids = [p.pid for _, p in bases[:count]]
                        batch, throttled, _ = _bare_window(
                            urls[:count], pids, n, args.seconds, payload, cap, args.clients, args.sample_every
                        )
                        runs[("bare", cap, count)] = (batch, throttled)
                        _progress("bare Channels", count, cap, batch)
            finally:
                for _, proc in bases:
                    livesite.stop(proc)
    for cap in caps:
        rows: list[list[object]] = []
        for key, label in (("app", "Orchestra Lab"), ("bare", "bare Channels")):
            if (key, cap, 1) not in runs:
                continue
            one, two = runs[(key, cap, 1)], runs[(key, cap, 2)]
            rows.append(_row(label, 1, n, *one))
            rows.append(_row(label, 2, n, *two))
            rows.append(_ratio_row(label, one[0], two[0], key == "app"))
        print(
            f"**{'Capped: each server process held to ' + fmt_sig(cap) + ' of a core' if cap else 'Uncapped'}** "
            f"(load average now {load_average()})"
        )
        print()
        print(table(HEADERS, rows))
        print()
    print(
        f"{n} viewers spread round-robin over the processes from {args.clients} client processes "
        f"(bench/lightviewers.py: frame headers only, one viewer in {args.sample_every} timed). "
        "**Delivered** = diff frames (the app) or broadcast frames (the bare app) that reached a ready viewer "
        f"within the {args.seconds:g} s window, per second; **produced** = distinct diff versions (the app) or "
        "publisher sequence numbers (the bare app) the timed viewers saw in the window, per second; **asked** "
        "= produced × viewers. A saturated app process coalesces (fewer, larger diffs, and snapshots for viewers "
        "past their buffer's high water), the bare app queues. Latency: server stamp to arrival, timed viewers "
        "only. The instructor plays the demo at 8× with a rolling update every 4 s "
        f"({', '.join(str(d.updates) for d in drivers)} in the app's runs); the bare app publishes "
        f"{payload:,}-byte payloads at 10 frames/s through the {args.bare_layer} Redis layer. Caps are lifted between windows "
        f"(viewers connect uncapped). Redis: {urlsplit(redis_url).hostname}:{urlsplit(redis_url).port or 6379}."
    )
    print()
    print(livesite.context_line("end"))
    print()
    return 0


def _progress(label: str, count: int, cap: float | None, batch: lightviewers.Batch) -> None:
    print(
        f"({label}, {count} process(es), cap {cap or 'none'}: {batch.viewers} ready, {batch.failed} failed "
        f"{batch.errors}, {fmt_int(batch.per_second())} delivered/s, closed {batch.closed} {batch.close_codes}, "
        f"server CPU {batch.server_cpu_pct}, client CPU {batch.client_cpu_pct:.0f} %)",
        file=sys.stderr,
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

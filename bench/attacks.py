"""The attacks of issue 12, each a bounded asyncio client run in its own process (`python -m bench.attacks
NAME PARAMS-JSON` prints one JSON line), so that an attacker's busy event loop never delays the bystanders
whose latency bench/abuse.py measures.

Loopback only (the server address is always 127.0.0.1; `local` picks the attacker's own loopback source
address, so the server sees it as another client than the bystanders). Every loop is bounded by a count and
by the attack's deadline. The attacks, in the words of the issue:
- `resync`: 8 anonymous sockets sending tiny `resync` frames as fast as they can, never reading;
- `configmaps`: one anonymous sandbox applying 50 ConfigMaps twice a second (within the rate limit);
- `flood`: N sockets of one browser session flooding `command` frames, reading the answers;
- `visits`: 1,000 cookie-less visits to /cluster/;
- `malformed`: deeply nested JSON, huge numbers, invalid UTF-8, wrong types, an oversized frame;
- `slow`: 30 slow readers (connect, take the snapshot, never read again).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import socket
import sys
import time

from websockets.exceptions import ConnectionClosed

from bench import livesite

RESYNC = '{"v":1,"type":"resync"}'
# Set on SIGTERM (bench/abuse.py ends an attack early when the server's memory passes its cap): every attack
# loop stops at its next turn and the attack still reports what it did.
STOPPING = asyncio.Event()
PING = '{"v":1,"type":"ping"}'


def _connect(params: dict, cluster: str, cookie: str | None = None, **kwargs):
    from websockets.asyncio.client import connect

    headers = {"Cookie": cookie} if cookie else None
    return connect(
        livesite.ws_url(params["port"], cluster),
        origin=livesite.origin(params["port"]),
        additional_headers=headers,
        local_addr=(params["local"], 0),
        max_size=None,
        open_timeout=30,
        close_timeout=1,
        ping_interval=None,
        **kwargs,
    )


def _shrink_receive_buffer(ws, size: int = 4096) -> None:
    """A reader that stops reading should fill its socket at once, not after the kernel's megabytes."""
    sock = ws.transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size)


async def _closed_by_server(ws, seconds: float = 3.0) -> str:
    """Reads what the server left queued for a socket that stopped reading, up to `seconds`: returns
    "closed CODE reason" when the server closed it, "open" otherwise."""
    from websockets.exceptions import ConnectionClosed

    deadline = time.monotonic() + seconds
    try:
        for _ in range(100_000):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return "open"
            await asyncio.wait_for(ws.recv(), remaining)
    except TimeoutError:
        return "open"
    except ConnectionClosed as exc:
        received = exc.rcvd
        if received is None:
            return "closed without a close frame"
        return f"closed {received.code} {received.reason}".strip()
    return "open"


def _ending(exc: BaseException) -> str:
    """Describes how a connection ended: "closed CODE reason" for a close by the server, else the error."""
    received = getattr(exc, "rcvd", None)
    if received is not None:
        return f"closed {received.code} {received.reason}".strip()
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if status is not None:
        return f"refused HTTP {status}"
    return f"{type(exc).__name__}: {exc}"[:120]


# ------------------------------------------------------------------------------------------------ (a) resync
async def resync(params: dict) -> dict:
    """`sockets` anonymous viewers of the demo send `resync` back to back for `seconds`, never reading."""
    started = time.monotonic()
    deadline = started + params["seconds"]
    sent = [0] * params["sockets"]
    stopped = [started] * params["sockets"]
    errors: list[str] = []
    endings: list[str] = []

    async def one(i: int) -> None:
        try:
            async with _connect(params, params["cluster"], max_queue=1) as ws:
                _shrink_receive_buffer(ws)
                for _ in range(10_000_000):
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or STOPPING.is_set():
                        break
                    try:
                        await asyncio.wait_for(ws.send(RESYNC), remaining)
                    except TimeoutError:
                        break  # the server stopped reading us: as good as it gets
                    except ConnectionClosed as exc:
                        endings.append(_ending(exc))
                        return
                    sent[i] += 1
                    stopped[i] = time.monotonic()
                    if sent[i] % 50 == 0:
                        await asyncio.sleep(0)  # let the other attackers send too
                endings.append(await _closed_by_server(ws))
        except Exception as exc:  # noqa: BLE001 - the server refusing or closing us is a result
            errors.append(_ending(exc))

    await asyncio.gather(*(one(i) for i in range(params["sockets"])))
    return {
        "sent": sum(sent),
        "per_s": sum(sent) / max(max(stopped) - started, 1e-3),
        "sockets": params["sockets"],
        "endings": endings,
        "errors": errors[:5],
    }


# ------------------------------------------------------------------------------------------------ (b) configmaps
def configmaps_yaml(round_: int, count: int) -> str:
    """Returns `count` ConfigMaps of round `round_` (new names every round, ~200 bytes of data each)."""
    docs = []
    for i in range(count):
        docs.append(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{round_}-{i}\n"
            f'data:\n  round: "{round_}"\n  filler: "{"x" * 180}"\n'
        )
    return "---\n".join(docs)


async def configmaps(params: dict) -> dict:
    """The sandbox owner applies `count` new ConfigMaps every `period` s for `seconds`, reading the answers."""
    deadline = time.monotonic() + params["seconds"]
    stats = {"sent": 0, "ok": 0, "quota": 0, "refused": {}, "failed": 0, "rtt": []}
    pending: dict[int, float] = {}
    async with _connect(params, params["cluster"], cookie=params["cookie"]) as ws:

        async def read() -> None:
            async for text in ws:
                kind = livesite.frame_type(text[:64])
                if kind == "result":
                    frame = json.loads(text)
                    start = pending.pop(frame.get("id"), None)
                    if start is not None:
                        stats["rtt"].append(time.monotonic() - start)
                    if frame.get("ok"):
                        stats["ok"] += 1
                    elif "exceeded quota" in frame.get("output", ""):
                        stats["quota"] += 1
                    else:
                        stats["failed"] += 1
                        stats.setdefault("sample", frame.get("output", "")[:200])
                elif kind == "error":
                    code = json.loads(text).get("code", "?")
                    stats["refused"][code] = stats["refused"].get(code, 0) + 1

        reader = asyncio.create_task(read())
        for n in range(100_000):
            if time.monotonic() >= deadline or STOPPING.is_set():
                break
            pending[n] = time.monotonic()
            frame = livesite.command_frame(n, "kubectl apply -f -", configmaps_yaml(n, params["count"]))
            try:
                await ws.send(frame)
            except ConnectionClosed as exc:
                stats["closed"] = _ending(exc)
                break
            stats["sent"] += 1
            await asyncio.sleep(max(0.0, min(params["period"], deadline - time.monotonic())))
        await asyncio.sleep(2.0)  # the last answers
        reader.cancel()
    rtt = sorted(stats.pop("rtt"))
    stats["rtt_p95_ms"] = 1000 * livesite.pct(rtt, 95) if rtt else None
    stats["unanswered"] = len(pending)
    return stats


# ------------------------------------------------------------------------------------------------ (c) flood
async def flood(params: dict) -> dict:
    """`sockets` sockets of one session each send `kubectl get ns` every `gap` s for `seconds`; counts what
    the server carried out (`result`) and refused (`error` by code)."""
    deadline = time.monotonic() + params["seconds"]
    counts = {"sent": 0, "results": 0, "refused": {}}

    async def one(i: int) -> None:
        try:
            async with _connect(params, params["cluster"], cookie=params["cookie"]) as ws:

                async def read() -> None:
                    async for text in ws:
                        kind = livesite.frame_type(text[:64])
                        if kind == "result":
                            counts["results"] += 1
                        elif kind == "error":
                            code = json.loads(text).get("code", "?")
                            counts["refused"][code] = counts["refused"].get(code, 0) + 1

                reader = asyncio.create_task(read())
                for n in range(1_000_000):
                    if time.monotonic() >= deadline or STOPPING.is_set():
                        break
                    await ws.send(livesite.command_frame(f"{i}-{n}", "kubectl get ns"))
                    counts["sent"] += 1
                    await asyncio.sleep(params["gap"])
                await asyncio.sleep(1.0)
                reader.cancel()
        except Exception as exc:  # noqa: BLE001 - a refused or closed socket is a result
            ending = _ending(exc)
            counts["refused"][ending] = counts["refused"].get(ending, 0) + 1

    await asyncio.gather(*(one(i) for i in range(params["sockets"])))
    counts["results_per_s"] = counts["results"] / params["seconds"]
    return counts


# ------------------------------------------------------------------------------------------------ (d) visits
async def visits(params: dict) -> dict:
    """`count` GET /cluster/ without a cookie, `concurrency` at a time; counts the HTTP statuses."""
    statuses: dict[str, int] = {}
    queue = list(range(params["count"]))
    started = time.monotonic()

    async def worker() -> None:
        while queue and not STOPPING.is_set():
            queue.pop()
            try:
                status, _, _ = await livesite.http_get(
                    params["port"], "/cluster/", local_addr=params["local"]
                )
                key = str(status)
            except Exception as exc:  # noqa: BLE001
                key = type(exc).__name__
            statuses[key] = statuses.get(key, 0) + 1

    await asyncio.gather(*(worker() for _ in range(params["concurrency"])))
    return {"statuses": statuses, "seconds": time.monotonic() - started}


# ------------------------------------------------------------------------------------------------ (e) malformed
def malformed_frames() -> list[tuple[str, str | bytes]]:
    """Returns (label, frame) pairs: text frames are str, binary frames bytes. Each stays under the 144 KiB
    frame limit unless its label says it is oversized."""
    depth = 50_000
    envelope = '{"v":1,"type":"command","id":1,"text":"kubectl get pods","stdin":null,"x":'
    return [
        (f"array nested {depth:,} deep", "[" * depth + "]" * depth),
        (
            f"object nested {depth // 10:,} deep in a command",
            envelope + '{"a":' * (depth // 10) + "1" + "}" * (depth // 10 + 1),
        ),
        (
            "id with 100,000 digits",
            '{"v":1,"type":"command","id":' + "9" * 100_000 + ',"text":"kubectl get pods","stdin":null}',
        ),
        ("number 1e999999 as speed", '{"v":1,"type":"control","action":"speed","value":1e999999}'),
        ("NaN as speed", '{"v":1,"type":"control","action":"speed","value":NaN}'),
        ("invalid UTF-8 in a binary frame", b'{"v":1,"type":"ping","x":"\xff\xfe\xfd"}'),
        ("wrong types in a command", '{"v":1,"type":"command","id":{},"text":5,"stdin":3}'),
        ("type is a list", '{"v":1,"type":["ping"]}'),
        ("version is a string", '{"v":"1","type":"ping"}'),
        ("unknown field", '{"v":1,"type":"resync","extra":1}'),
        ("not an object", "[]"),
        ("not JSON", "{'v': 1,"),
        ("empty frame", ""),
        ("oversized frame (200 KiB)", '{"v":1,"type":"ping","x":"' + "x" * 200 * 1024 + '"}'),
    ]


async def _ask(ws, frame: str | bytes, seconds: float = 5.0) -> str:
    """Sends `frame` and returns the `code` of the error it gets ("no error frame" / "closed CODE")."""
    from websockets.exceptions import ConnectionClosed

    try:
        await ws.send(frame)
        deadline = time.monotonic() + seconds
        for _ in range(1000):
            text = await asyncio.wait_for(ws.recv(), max(0.01, deadline - time.monotonic()))
            kind = livesite.frame_type(text[:64])
            if kind == "error":
                return json.loads(text).get("code", "?")
            if kind == "pong":
                return "pong"
    except TimeoutError:
        return "no answer"
    except ConnectionClosed as exc:
        return f"closed {exc.rcvd.code if exc.rcvd else '(no close frame)'}"
    return "no answer"


async def malformed(params: dict) -> dict:
    """Each malformed frame on a viewer socket of the demo, then a `ping`: did an `error` come back, is the
    socket still open? A socket the server closed is replaced for the next frame. Ends with invalid UTF-8 in
    a *text* frame, which RFC 6455 §8.1 requires an endpoint to fail (close 1007) below the application."""
    rows = []
    ws = None
    opened = 0
    try:
        for label, frame in malformed_frames():
            if ws is None:
                ws = await _connect(params, params["cluster"])
                opened += 1
                await asyncio.wait_for(ws.recv(), 30)  # the snapshot
            reply = await _ask(ws, frame)
            after = await _ask(ws, PING)
            rows.append({"frame": label, "reply": reply, "open": after == "pong"})
            if after != "pong":
                with contextlib.suppress(Exception):
                    await ws.close()
                ws = None
        if ws is None:
            ws = await _connect(params, params["cluster"])
            opened += 1
            await asyncio.wait_for(ws.recv(), 30)
        # Invalid UTF-8 in a text frame: written below the library, which would refuse to.
        ws.protocol.send_text(b'{"v":1,"type":"ping","x":"\xff\xfe"}')
        ws.send_data()
        after = await _ask(ws, PING)
        rows.append(
            {
                "frame": "invalid UTF-8 in a text frame (RFC 6455: fail with 1007)",
                "reply": after,
                "open": after == "pong",
            }
        )
    finally:
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
    return {"rows": rows, "sockets_opened": opened}


# ------------------------------------------------------------------------------------------------ (f) slow readers
async def slow(params: dict) -> dict:
    """`sockets` viewers of the demo take their snapshot, then never read for `seconds`; finally each reads
    what is queued for 3 s to learn whether the server closed it (code and reason)."""
    sockets = []
    errors = []
    for _ in range(params["sockets"]):
        try:
            ws = await _connect(params, params["cluster"], max_queue=1)
            await asyncio.wait_for(ws.recv(), 30)  # the snapshot
            _shrink_receive_buffer(ws)
            sockets.append(ws)
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{type(exc).__name__}: {exc}"[:160])
    print(json.dumps({"connected": len(sockets)}), flush=True)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(STOPPING.wait(), params["seconds"])
    endings = await asyncio.gather(*(_closed_by_server(ws) for ws in sockets))
    for ws in sockets:
        ws.transport.abort()
    return {"connected": len(sockets), "endings": list(endings), "errors": errors[:5]}


ATTACKS = {
    "resync": resync,
    "configmaps": configmaps,
    "flood": flood,
    "visits": visits,
    "malformed": malformed,
    "slow": slow,
}


def main(argv: list[str]) -> int:
    """`python -m bench.attacks NAME PARAMS-JSON`: runs one attack, prints its result as one JSON line."""
    name, params = argv[0], json.loads(argv[1])
    if not livesite.HOST.startswith("127.") or not str(params.get("local", "127.0.0.1")).startswith("127."):
        raise SystemExit("loopback only")
    params.setdefault("local", "127.0.0.1")
    limit = float(params.get("seconds", 0)) + 120

    async def go() -> dict:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, STOPPING.set)
        async with asyncio.timeout(limit):
            return await ATTACKS[name](params)

    print(json.dumps({"result": asyncio.run(go())}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The app's ASGI application with one bench-only HTTP route that reports what the cluster host holds.

Served only by the benchmarks (`daphne bench.probe_asgi:application`), never by `make run`. `GET
/__bench__/host` answers JSON `{"clusters": int, "live": int, "viewers": {public_id: int}, "tasks": int}`:
how many clusters this process keeps, how many it owns (runs the engine of), the viewers attached to each
and the asyncio tasks alive. The abuse benchmark reads it to tell whether an attacker's socket left a ghost
viewer behind (issue 12 §3: "without leaking a viewer"). Everything else goes to `config.asgi.application`
unchanged. The route reads the host defensively (`getattr`), so a change to `visualizer.host`'s attributes
makes it report `null` rather than fail.
"""

from __future__ import annotations

import asyncio
import json

from config.asgi import application as app

PATH = "/__bench__/host"


def _report() -> dict:
    from visualizer.host import get_host

    host = get_host()
    clusters = getattr(host, "clusters", None)
    if not isinstance(clusters, dict):
        return {"clusters": None, "live": None, "viewers": None, "tasks": len(asyncio.all_tasks())}
    viewers = {}
    for public_id, hosted in clusters.items():
        attached = getattr(hosted, "viewers", None)
        viewers[public_id] = len(attached) if attached is not None else None
    return {
        "clusters": len(clusters),
        "live": sum(1 for h in clusters.values() if getattr(h, "live", None) is not None),
        "viewers": viewers,
        "tasks": len(asyncio.all_tasks()),
    }


async def application(scope, receive, send):
    """ASGI entry: `/__bench__/host` from loopback gets the host report; every other request goes to the app."""
    client = (scope.get("client") or ("", 0))[0]
    if scope["type"] == "http" and scope.get("path") == PATH and client.startswith("127."):
        body = json.dumps(_report()).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"cache-control", b"no-store")],
            }
        )
        await send({"type": "http.response.body", "body": body})
        return None
    return await app(scope, receive, send)

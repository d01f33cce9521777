"""A joined student floods the classroom socket of a real Daphne and never reads: the server's memory stays
flat, a bystander student is answered as usual, and the flooder is gone once it closes.

Daphne reads every frame into an unbounded application queue (wsflow.inbox); the classroom consumer stops
reading a socket whose frames pile up past 64, so the flood waits in the flooder's own kernel, not in the
server. The flooder's frames are small and alternate a ping with a frame that is not JSON: the cheapest frames
to send, each one an entry in Daphne's queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import time

import pytest
from django.test import override_settings

from course.models import Student
from tests.course.classroom.conftest import student_cookie
from tests.flood import flood_and_probe
from tests.servers import SERVER_SECRET_KEY, database_url, start_daphne, stop

pytestmark = pytest.mark.django_db(transaction=True)
LOG = "daphne-classroom-flood.log"
FLOOD_SECONDS = 8.0
# What the server may grow by while the flood runs (MiB). Reading it all instead queues the frames in Daphne:
# without the throttle the server went from 97.8 to 180 MiB in these 8 s (2-core machine, load 8), and on.
MAX_GROWTH_MIB = 24
MAX_P95_SECONDS = 1.5  # the bystander's answers while the flood runs (tests/visualizer/test_inbox_daphne.py)


@pytest.fixture
def server(django_db_setup, django_db_blocker, transactional_db):
    from django.db import connection

    proc, port = start_daphne(
        database_url(connection.settings_dict), log_name=LOG, env={"LOG_LEVEL": "WARNING"}
    )
    yield proc, port
    stop(proc)


def test_a_flooding_student_cannot_grow_the_server_or_slow_a_bystander(server, klass, alice, bob):
    from websockets.asyncio.client import connect

    proc, port = server
    with override_settings(SECRET_KEY=SERVER_SECRET_KEY):
        flooder_cookie, bystander_cookie = student_cookie(alice), student_cookie(bob)
    path = f"/ws/class/{klass.code}/"

    async def scenario():
        async with connect(
            f"ws://127.0.0.1:{port}{path}",
            origin=f"http://127.0.0.1:{port}",
            additional_headers={"Cookie": bystander_cookie},
        ) as bystander:
            assert json.loads(await bystander.recv())["type"] == "hello"

            async def answer(n: int) -> float:
                start = time.monotonic()
                await bystander.send(
                    json.dumps(
                        {"v": 1, "type": "answer", "question": "definition", "response": n % 4, "round": 0}
                    )
                )
                while json.loads(await bystander.recv())["type"] != "answer.result":
                    pass
                return time.monotonic() - start

            quiet = [await answer(n) for n in range(5)]  # before the flood, for comparison
            # One answer every half second: within the bystander's own answer budget (ratelimit.FRAME_BUDGETS).
            run = await flood_and_probe(
                proc.pid, port, path, FLOOD_SECONDS, answer, pause=0.5, cookie=flooder_cookie
            )
            # The flooder went away: once the little it left queued is worked off, it is gone.
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                if (await Student.objects.aget(pk=alice.pk)).sockets == 0:
                    break
                await asyncio.sleep(0.2)
            await bystander.send(json.dumps({"v": 1, "type": "ping"}))
            pong = None
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5):
                    while (pong := json.loads(await bystander.recv()))["type"] != "pong":
                        pass
            return quiet, run, pong

    quiet, run, pong = asyncio.run(scenario())
    during = run.during
    assert run.frames > 10_000, f"the flood hardly ran ({run.sent} bytes)"
    assert run.peak - run.before < MAX_GROWTH_MIB, run
    # The bystander was answered all along, about as fast as before the flood.
    assert len(during) >= FLOOD_SECONDS / 2, during
    p95 = statistics.quantiles(during, n=20)[-1] if len(during) >= 2 else during[0]
    assert p95 < max(MAX_P95_SECONDS, 10 * statistics.median(quiet)), (quiet, during)
    print(
        f"flood: {run.frames} frames in {FLOOD_SECONDS:.0f} s; server RSS {run.before:.1f} -> peak {run.peak:.1f} "
        f"MiB; bystander answer p50 {statistics.median(quiet) * 1000:.0f} ms quiet, "
        f"{statistics.median(during) * 1000:.0f} / p95 {p95 * 1000:.0f} ms during ({len(during)} answers)"
    )
    assert pong is not None and pong["type"] == "pong"
    # Nobody left behind: the flooder's socket is no longer counted (not online on the roster).
    alice.refresh_from_db()
    assert alice.sockets == 0


def test_a_frame_over_daphnes_megabyte_ends_the_connection_and_leaves_nobody_counted(server, klass, alice):
    """Over 66,000 characters a frame is the consumer's to refuse (`too_large`, socket open); Daphne itself
    refuses one over 1 MiB (its websocket_max_message_size) by failing the connection (autobahn sends 1009 and
    drops it, so a client still sending may see only the drop) before buffering it whole. The consumer's
    disconnect still runs: the student is not left counted online."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    _proc, port = server
    with override_settings(SECRET_KEY=SERVER_SECRET_KEY):
        cookie = student_cookie(alice)

    async def scenario():
        async with connect(
            f"ws://127.0.0.1:{port}/ws/class/{klass.code}/",
            origin=f"http://127.0.0.1:{port}",
            additional_headers={"Cookie": cookie},
            max_size=None,
        ) as ws:
            assert json.loads(await ws.recv())["type"] == "hello"
            await ws.send("x" * 100_000)
            while (frame := json.loads(await ws.recv()))["type"] != "error":
                pass
            assert frame["code"] == "too_large"
            assert (await Student.objects.aget(pk=alice.pk)).sockets == 1
            await ws.send("x" * (2 * 1024 * 1024))
            try:
                async with asyncio.timeout(10):
                    while True:
                        await ws.recv()
            except ConnectionClosed as exc:
                return exc.rcvd.code if exc.rcvd else "dropped"  # still open after 10 s: TimeoutError

    assert asyncio.run(scenario()) in (1009, "dropped")
    deadline = time.monotonic() + 10
    while Student.objects.get(pk=alice.pk).sockets and time.monotonic() < deadline:
        time.sleep(0.1)
    assert Student.objects.get(pk=alice.pk).sockets == 0

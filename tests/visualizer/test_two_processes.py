"""Two Daphne processes sharing one database and Redis behave as one server.

A command sent through one process reaches viewers of the other; one process (the lease holder) advances
the cluster; when it dies, the other takes over from the saved state without losing the command; a class
reconnecting at once is served. Skipped, with the reason, when REDIS_URL is unset (CI sets it).
"""

import asyncio
import json
import os
import signal

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import override_settings

from tests.servers import SERVER_SECRET_KEY, database_url, ensure_static, start_daphne, stop
from visualizer.identity import SESSION_KEY
from visualizer.models import ClusterRecord

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set: the two-process test needs Redis"
    ),
]

FAST_LEASES = {"VISUALIZER_LEASE_TTL": "3", "VISUALIZER_HOUSEKEEPING": "0.5", "VISUALIZER_SAVE_EVERY": "0.5"}


@pytest.fixture
def two_servers(django_db_setup, django_db_blocker, transactional_db):
    from django.db import connection

    db_url = database_url(connection.settings_dict)
    ensure_static()
    first = start_daphne(db_url, log_name="daphne-two-1.log", env=FAST_LEASES)
    second = start_daphne(db_url, log_name="daphne-two-2.log", env=FAST_LEASES)
    yield first, second
    stop(first[0])
    stop(second[0])


async def frames_until(ws, predicate, timeout: float) -> list[dict]:
    """Collect frames until one satisfies `predicate`; fail after `timeout` seconds."""
    seen: list[dict] = []
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            seen.append(frame)
            if predicate(frame):
                return seen


async def collect(ws, seconds: float) -> list[dict]:
    """Return every frame that arrives within `seconds`."""
    seen: list[dict] = []
    try:
        async with asyncio.timeout(seconds):
            while True:
                seen.append(json.loads(await ws.recv()))
    except TimeoutError:
        return seen


def assert_chain(frames: list[dict]) -> None:
    """Diffs a viewer receives form one unbroken chain: nobody else advanced the cluster in between."""
    diffs = [(f["from"], f["to"]) for f in frames if f["type"] == "diff"]
    assert diffs, "no diffs arrived"
    for (_, to), (start, _) in zip(diffs, diffs[1:], strict=False):
        assert start == to, diffs


def test_two_processes_share_clusters_and_survive_the_owner_dying(two_servers):
    """Commands cross processes, one process ticks, a killed owner is replaced with no command lost."""
    from websockets.asyncio.client import connect

    (proc1, port1), (proc2, port2) = two_servers
    with override_settings(SECRET_KEY=SERVER_SECRET_KEY):
        session = SessionStore()
        session[SESSION_KEY] = "owner-two"
        session.create()
    record = ClusterRecord.objects.create(owner_key="visitor:owner-two")

    def url(port, share=True):
        return f"ws://127.0.0.1:{port}/ws/cluster/{record.public_id}/" + (
            f"?share={record.share_token}" if share else ""
        )

    def ws(port, share=True, cookie=False):
        headers = {"Cookie": f"sessionid={session.session_key}"} if cookie else None
        return connect(url(port, share), origin=f"http://127.0.0.1:{port}", additional_headers=headers)

    async def scenario():
        async with ws(port1) as viewer1:
            assert json.loads(await viewer1.recv())["type"] == "snapshot"  # process 1 now owns the cluster
            async with ws(port2) as viewer2, ws(port2, share=False, cookie=True) as driver:
                snap2 = json.loads(await viewer2.recv())
                assert snap2["type"] == "snapshot" and snap2["role"] == "view"
                assert json.loads(await driver.recv())["role"] == "control"

                # A command through process 2 is carried out by process 1 and reaches both processes' viewers.
                await driver.send(json.dumps({"type": "control", "action": "speed", "value": 8}))
                await driver.send(
                    json.dumps(
                        {
                            "type": "command",
                            "id": 1,
                            "stdin": None,
                            "text": "kubectl create deployment web --image=nginx:1.20 --replicas=2",
                        }
                    )
                )
                result = await frames_until(driver, lambda f: f["type"] == "result", 10)
                assert result[-1]["ok"], result[-1]
                mentions_web = lambda f: f["type"] == "diff" and "web" in json.dumps(f["diff"])  # noqa: E731
                seen1, seen2 = await asyncio.gather(collect(viewer1, 4), collect(viewer2, 4))
                assert any(mentions_web(f) for f in seen1) and any(mentions_web(f) for f in seen2)
                assert_chain(seen1)
                assert_chain(seen2)
                assert [f["to"] for f in seen2 if f["type"] == "diff"] == [
                    f["to"] for f in seen1 if f["type"] == "diff"
                ]
                owner = await asyncio.to_thread(lambda: ClusterRecord.objects.get(pk=record.pk).lease_owner)
                assert f":{proc1.pid}:" in owner

                # The owner dies without a word: process 2 takes over from the saved state.
                proc1.send_signal(signal.SIGKILL)
                after = await frames_until(viewer2, lambda f: f["type"] == "snapshot", 20)
                state = after[-1]["state"]
                assert "default/web" in state["deployments"]
                await driver.send(
                    json.dumps(
                        {
                            "type": "command",
                            "id": 2,
                            "stdin": None,
                            "text": "kubectl scale deployment web --replicas=3",
                        }
                    )
                )
                scaled = await frames_until(driver, lambda f: f["type"] == "result", 10)
                assert scaled[-1]["ok"], scaled[-1]
                owner = await asyncio.to_thread(lambda: ClusterRecord.objects.get(pk=record.pk).lease_owner)
                assert f":{proc2.pid}:" in owner

        # A whole class reconnecting at once: every connection gets its snapshot.
        async def one_viewer():
            async with ws(port2) as viewer:
                return json.loads(await viewer.recv())["type"]

        kinds = await asyncio.gather(*(one_viewer() for _ in range(120)))
        assert kinds == ["snapshot"] * 120

    asyncio.run(scenario())


def test_the_real_kubectl_reaches_a_cluster_owned_by_the_other_process(
    django_db_setup, django_db_blocker, transactional_db, tmp_path
):
    """kubectl talks to process 2's API port while process 1 owns the cluster: writes, reads, a watch-list
    (`rollout status`) and exec all cross the channel layer, and process 1's viewer sees the deployment."""
    import subprocess
    import sys
    from pathlib import Path

    from websockets.asyncio.client import connect

    from tests.servers import free_port
    from visualizer.kubeapi import kubeconfig, tls

    kubectl_bin = Path(sys.executable).with_name("kubectl")
    if not kubectl_bin.exists():
        pytest.skip(f"the real kubectl is not installed at {kubectl_bin}")
    from django.db import connection

    db_url = database_url(connection.settings_dict)
    ensure_static()
    api1, api2 = free_port(), free_port()
    proc1, port1 = start_daphne(db_url, log_name="daphne-two-api-1.log", env=FAST_LEASES, api_port=api1)
    proc2, port2 = start_daphne(db_url, log_name="daphne-two-api-2.log", env=FAST_LEASES, api_port=api2)
    try:
        record = ClusterRecord.objects.create(owner_key="visitor:api-two")
        bundle = tls.ensure(Path(__file__).resolve().parents[2] / "var" / "tls-test", [])
        config = tmp_path / "kubeconfig"
        config.write_text(
            kubeconfig.build(
                server=f"https://127.0.0.1:{api2}/k8s/{record.public_id}",
                ca_pem=bundle.ca_pem,
                token=record.api_token,
                name="two",
                user="student",
            )
        )
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "KUBECONFIG": str(config)}

        def kubectl(*args: str):
            done = subprocess.run(
                [str(kubectl_bin), *args], capture_output=True, text=True, timeout=90, env=env
            )
            return done.returncode, done.stdout, done.stderr

        async def scenario():
            url = f"ws://127.0.0.1:{port1}/ws/cluster/{record.public_id}/?share={record.share_token}"
            async with connect(url, origin=f"http://127.0.0.1:{port1}") as viewer1:
                assert json.loads(await viewer1.recv())["type"] == "snapshot"  # process 1 owns the cluster
                rc, out, err = await asyncio.to_thread(
                    kubectl, "create", "deployment", "web", "--image=nginx", "--replicas=2"
                )
                assert (rc, out) == (0, "deployment.apps/web created\n"), err
                seen = await frames_until(
                    viewer1, lambda f: f["type"] == "diff" and "default/web" in json.dumps(f["diff"]), 10
                )
                assert seen
                rc, out, err = await asyncio.to_thread(
                    kubectl, "rollout", "status", "deployment/web", "--timeout=60s"
                )
                assert rc == 0 and out.splitlines()[-1] == 'deployment "web" successfully rolled out', err
                pod = (
                    await asyncio.to_thread(
                        kubectl, "get", "pods", "-o", "jsonpath={.items[0].metadata.name}"
                    )
                )[1]
                rc, out, err = await asyncio.to_thread(kubectl, "exec", pod, "--", "hostname")
                assert (rc, out) == (0, f"{pod}\n"), err

        asyncio.run(scenario())
        owner = ClusterRecord.objects.get(pk=record.pk).lease_owner
        assert f":{proc1.pid}:" in owner
    finally:
        stop(proc1)
        stop(proc2)


def test_a_class_attaching_to_the_follower_at_once_asks_the_owner_once(transactional_db, monkeypatch):
    """Two hosts in this process over a real Redis layer (each its own layer, as two Daphne processes have):
    60 viewers attaching at once to the one that does not own the cluster cause ONE snapshot request to
    the owner (visualizer.snapshot_share), not one each, and every one of them gets its snapshot. The
    follower tries the lease once, not once per viewer (each try is an UPDATE that the owner's saves wait
    behind: on SQLite they failed with "database is locked")."""
    import secrets

    from channels_redis.core import RedisChannelLayer

    from visualizer import records
    from visualizer.host import ClusterHost

    lease_tries: list[str] = []
    acquire = records.acquire_lease

    def counting_acquire(public_id, owner, ttl):
        lease_tries.append(owner)
        return acquire(public_id, owner, ttl)

    monkeypatch.setattr(records, "acquire_lease", counting_acquire)

    record = ClusterRecord.objects.create(owner_key="visitor:share-two")
    prefix = f"test-share-{secrets.token_hex(4)}"

    async def scenario():
        url = os.environ["REDIS_URL"]
        layers = [RedisChannelLayer(hosts=[url], prefix=prefix) for _ in range(2)]
        owner = ClusterHost(relay_layer=layers[0], housekeeping=60, rpc_timeout=10)
        follower = ClusterHost(relay_layer=layers[1], housekeeping=60, rpc_timeout=10)
        asked: list[str] = []
        answer = owner.relay._answer

        async def counting(message):
            asked.append(message["kind"])
            await answer(message)

        owner.relay._answer = counting

        def viewer():
            frames: list[dict] = []

            async def send(message):
                frames.append(json.loads(message["text"]))

            return send, frames

        try:
            send, frames = viewer()
            await owner.attach(record.public_id, "view", send)
            assert owner.clusters[record.public_id].live is not None and frames[0]["type"] == "snapshot"
            viewers = [viewer() for _ in range(60)]
            async with asyncio.timeout(20):
                await asyncio.gather(*(follower.attach(record.public_id, "view", s) for s, _ in viewers))
            assert follower.clusters[record.public_id].live is None  # the owner kept it
            assert asked == ["resync"]
            assert lease_tries == [owner.process, follower.process]
            assert [f[0]["type"] for _, f in viewers] == ["snapshot"] * 60
            assert {f[0]["version"] for _, f in viewers} == {frames[0]["version"]}
        finally:
            await follower.shutdown()
            await owner.shutdown()
            for layer in layers:
                await layer.flush()

    asyncio.run(scenario())

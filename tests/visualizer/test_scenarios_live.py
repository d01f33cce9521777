"""Guided scenarios on live clusters: setup runs, progress follows the state, two clusters share one scenario."""

import json

import pytest
from channels.db import database_sync_to_async
from django.core.management import call_command

from tests.visualizer.test_consumer import host_cleanup, make_cluster, receive, send, socket, visitor_session  # noqa: F401
from visualizer.live_cluster import LiveCluster, fresh_engine
from visualizer.records import scenario_definition

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def load_scenarios():
    call_command("loaddata", "lesson", verbosity=0)  # the scenarios belong to it (natural key)
    call_command("loaddata", "scenarios", verbosity=0)


async def test_setup_with_yaml_entries_deploys_before_the_first_step():
    """A scenario whose setup applies YAML (auto-scaling) starts with its Deployment in place."""
    await load_scenarios()
    definition = await database_sync_to_async(scenario_definition)("auto-scaling")
    live = LiveCluster("x", fresh_engine())
    live.start_scenario(definition)
    assert "web" in live.engine.run("kubectl get deploy").output
    progress = live.scenario_progress()
    assert progress["slug"] == "auto-scaling" and progress["current"] == 0 and not progress["complete"]


async def test_progress_reaches_the_page_when_the_state_shows_it(host_cleanup):  # noqa: F811
    """The first deployment step completes only after the pods are really ready, and the page is told."""
    await load_scenarios()
    key = await visitor_session("sol")
    record = await make_cluster(owner_key="visitor:sol", name="scenario-deployment")
    ws = socket(record.public_id, key)
    await ws.connect()
    await receive(ws, "snapshot")
    await send(ws, type="scenario.start", scenario="deployment")
    first = (await receive(ws, "scenario"))["scenario"]
    assert first["slug"] == "deployment" and not first["steps"][0]["done"]
    await send(ws, type="control", action="speed", value=8)
    await send(
        ws,
        type="command",
        id=1,
        text="kubectl create deployment web --image=nginx:1.20 --replicas=3",
        stdin=None,
    )
    for _ in range(40):
        frame = (await receive(ws, "scenario", timeout=10))["scenario"]
        if frame["steps"][0]["done"]:
            break
    assert frame["steps"][0]["done"] and frame["current"] >= 1
    await ws.disconnect()


async def test_side_by_side_clusters_share_one_scenario(host_cleanup):  # noqa: F811
    """In imperative-vs-declarative, the docker run on cluster A completes step 1 on both pages."""
    await load_scenarios()
    key = await visitor_session("tae")
    a = await make_cluster(owner_key="visitor:tae", name="scenario-imperative-vs-declarative-a")
    b = await make_cluster(owner_key="visitor:tae", name="scenario-imperative-vs-declarative-b")
    ws_a, ws_b = socket(a.public_id, key), socket(b.public_id, key)
    await ws_a.connect()
    await ws_b.connect()
    await receive(ws_a, "snapshot")
    await receive(ws_b, "snapshot")
    for ws in (ws_a, ws_b):
        await send(ws, type="scenario.start", scenario="imperative-vs-declarative")
        await receive(ws, "scenario")
    await send(ws_a, type="command", id=1, text="docker run -d --name web1 nginx:1.20", stdin=None)
    assert (await receive(ws_a, "result"))["ok"]
    await send(ws_a, type="control", action="speed", value=8)
    done_on_b = False
    for _ in range(40):
        frame = json.loads(await ws_b.receive_from(timeout=10))
        if frame["type"] == "scenario" and frame["scenario"]["steps"][0]["done"]:
            done_on_b = True
            break
    assert done_on_b, "cluster B's page never saw step 1 (done on cluster A) complete"
    await ws_a.disconnect()
    await ws_b.disconnect()


async def test_finishing_a_scenario_is_recorded_as_evidence(host_cleanup):  # noqa: F811
    """When every step is done, the owner gets a ScenarioCompletion the classroom checklist can read."""
    from visualizer.models import ScenarioCompletion

    await load_scenarios()
    key = await visitor_session("uri")
    record = await make_cluster(owner_key="visitor:uri", name="scenario-load-balancing")
    ws = socket(record.public_id, key)
    await ws.connect()
    await receive(ws, "snapshot")
    await send(ws, type="control", action="speed", value=8)
    await send(ws, type="scenario.start", scenario="load-balancing")
    await receive(ws, "scenario")
    lines = [
        "kubectl expose deployment web --port=80",
        "sim traffic web 30",
        "kubectl scale deployment web --replicas=5",
        "sim traffic web 50",
    ]
    frame = {}
    for i, line in enumerate(lines):
        await send(ws, type="command", id=i, text=line, stdin=None)
        for _ in range(80):
            frame = json.loads(await ws.receive_from(timeout=10))
            if frame["type"] == "scenario" and (
                frame["scenario"]["current"] > i or frame["scenario"]["complete"]
            ):
                frame = frame["scenario"]
                break
    assert frame["complete"], frame
    count = await database_sync_to_async(ScenarioCompletion.objects.filter(owner_key="visitor:uri").count)()
    assert count == 1
    await ws.disconnect()


async def test_server_code_can_drive_a_cluster_its_viewers_then_see(host_cleanup):  # noqa: F811
    """host.drive pauses a demo and runs a command on it; a watching student sees both."""
    from visualizer.host import get_host

    record = await make_cluster(owner_key="user:1", kind="demo", name="class-demo")
    student = socket(record.public_id, await visitor_session("vin"))
    await student.connect()
    await receive(student, "snapshot")
    host = get_host()
    assert await host.drive(record.public_id, "control", {"action": "pause", "value": None}) == []
    assert (await receive(student, "clock"))["clock"]["paused"] is True
    reply = await host.drive(
        record.public_id,
        "command",
        {"id": "p", "text": "kubectl create deployment web --image=nginx:1.20", "stdin": None},
    )
    assert json.loads(reply[0])["ok"]
    assert "web" in json.dumps((await receive(student, "diff"))["diff"])
    await student.disconnect()


def test_a_reset_sends_a_snapshot_and_later_changes_continue_as_diffs():
    """After a reset the next change is a diff from the fresh cluster's version, not another snapshot."""
    from visualizer.live_cluster import SNAPSHOT

    live = LiveCluster("r", fresh_engine())
    live.command(1, "kubectl create deployment web --image=nginx:1.20", None)
    assert live.control("reset", None).broadcast == [SNAPSHOT]
    reset_version = live.engine.version
    frames = live.command(2, "kubectl create deployment api --image=nginx:1.21", None).broadcast
    first = json.loads(frames[0])
    assert first["type"] == "diff" and first["from"] == reset_version

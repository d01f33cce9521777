"""Predict → observe on the class's demo cluster, through the full ASGI stack: the demo really pauses, the
setup and the action really run on it, and a student watching the demo's own socket sees both."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from django.core.management import call_command

from course.classroom import actions, demo
from course.models import ClassSession
from course.models.classroom import Prediction, PredictionVote
from tests.course.classroom.conftest import student_cookie
from tests.course.classroom.test_consumers import connect, receive, send, staff_cookie
from visualizer.host import get_host
from visualizer.live_cluster import restore_engine
from visualizer.models import ClusterRecord

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def predictions(lesson):
    call_command("loaddata", "predictions", verbosity=0)


@pytest.fixture
async def host_cleanup():
    yield
    await get_host().shutdown()


@database_sync_to_async
def demo_record(klass) -> ClusterRecord:
    return ClassSession.objects.get(pk=klass.pk).demo_cluster


@database_sync_to_async
def fresh_class(klass) -> ClassSession:
    return ClassSession.objects.select_related("prediction").get(pk=klass.pk)


async def pods(record: ClusterRecord) -> str:
    """Return `kubectl get pods` of the demo as last saved (the host saves before it answers): the base and
    the deltas saved after it (ClusterRecord.state_dict)."""
    state = await database_sync_to_async(lambda: ClusterRecord.objects.get(pk=record.pk).state_dict)()
    return restore_engine(state).run("kubectl get pods").output


async def cluster_socket(public_id: str):
    """A student's tab on the demo's own page: no session, so role "view"."""
    comm, ok, _ = await connect(f"/ws/cluster/{public_id}/")
    assert ok
    return comm


async def next_of(comm, kind: str, timeout: float = 5.0, where=lambda f: True) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        left = max(0.01, deadline - asyncio.get_running_loop().time())
        frame = json.loads(await comm.receive_from(timeout=left))
        if frame["type"] == kind and where(frame):
            return frame


async def test_a_prediction_pauses_the_demo_collects_votes_then_plays_the_action(
    klass, alice, bob, instructor, predictions, host_cleanup
):
    """Open: the demo is paused, reset and set up (3 web pods); votes fill the dashboard's histogram;
    play: one pod is deleted on the demo, its clock resumes, the histogram and answer reach everyone."""
    record = await demo_record(klass)
    assert record.kind == "demo" and record.owner_key == f"user:{instructor.pk}"
    watcher = await cluster_socket(record.public_id)
    snapshot = await next_of(watcher, "snapshot")
    assert snapshot["role"] == "view" and snapshot["clock"]["paused"] is False

    teacher, _, _ = await connect(f"/ws/class/{klass.code}/teach/", staff_cookie(instructor))
    hello = await receive(teacher, "hello")
    assert hello["predict"]["prediction"] is None and hello["predict"]["demo"]["cluster"] == record.public_id
    students = {}
    for s in (alice, bob):
        students[s.pk], _, _ = await connect(f"/ws/class/{klass.code}/", student_cookie(s))
        await receive(students[s.pk], "hello")

    await send(teacher, "predict.open", prediction="predict-delete-pod")
    # The watching tab saw the clock stop before anything else happened.
    assert (await next_of(watcher, "clock"))["clock"]["paused"] is True
    opened = await receive(students[alice.pk], "predict")
    assert opened["prediction"]["key"] == "predict-delete-pod" and not opened["played"]
    assert opened["histogram"] is None and opened["answer"] is None and opened["explanation"] == ""
    staff = await receive(teacher, "predict")
    assert [r["ok"] for r in staff["outcome"]["setup"]] == [True, True, True, True]
    record = await demo_record(klass)
    before = await pods(record)
    assert record.paused and before.count("Running") == 3

    await send(students[alice.pk], "predict.vote", prediction="predict-delete-pod", choice=1)
    assert (await receive(students[alice.pk], "predict.voted"))["choice"] == 1
    await send(students[bob.pk], "predict.vote", prediction="predict-delete-pod", choice=0)
    await receive(students[bob.pk], "predict.voted")
    staff = await receive(teacher, "predict")
    staff = await receive(teacher, "predict")
    assert staff["histogram"]["answered"] == 2 and [b["count"] for b in staff["histogram"]["bars"]] == [
        1,
        1,
        0,
        0,
    ]
    assert await students[alice.pk].receive_nothing(timeout=0.2)  # peers' predictions stay hidden until play

    await send(teacher, "predict.play")
    played = await receive(students[bob.pk], "predict")
    assert played["played"] and played["answer"] == 1 and "ReplicaSet" in played["explanation"]
    assert played["histogram"]["percent_correct"] == 50 and "not_answered" not in played["histogram"]
    assert [(r["kind"], r["ok"]) for r in played["outcome"]["action"]] == [("command", True)]
    assert played["outcome"]["action"][0]["step"].startswith("kubectl delete pod web-")
    assert (await next_of(watcher, "clock", where=lambda f: not f["clock"]["paused"]))["clock"][
        "paused"
    ] is False
    record = await demo_record(klass)
    assert not record.paused and "Terminating" in await pods(record)

    # Too late to change one's mind: the prediction round is over.
    await send(students[alice.pk], "predict.vote", prediction="predict-delete-pod", choice=0)
    assert (await receive(students[alice.pk], "error"))["code"] == "already_played"
    assert await PredictionVote.objects.filter(choice=1).acount() == 1
    for comm in (teacher, watcher, *students.values()):
        await comm.disconnect()


async def test_scaling_is_applied_to_the_demo(klass, instructor, predictions, host_cleanup):
    """kubectl scale --replicas=5 really changes the demo's Deployment once played."""
    teacher, _, _ = await connect(f"/ws/class/{klass.code}/teach/", staff_cookie(instructor))
    await receive(teacher, "hello")
    await send(teacher, "predict.open", prediction="predict-scale")
    await receive(teacher, "predict")
    await send(teacher, "predict.play")
    played = await receive(teacher, "predict")
    assert played["outcome"]["action"][0]["output"] == "deployment.apps/web scaled"
    record = await demo_record(klass)
    state = await database_sync_to_async(lambda: ClusterRecord.objects.get(pk=record.pk).state_dict)()
    assert "5" in restore_engine(state).run("kubectl get deployment web").output.split("\n")[1]
    await teacher.disconnect()


@pytest.mark.parametrize(
    ("frames", "code"),
    [
        ([("predict.open", {"prediction": "no-such-prompt"})], "unknown_prediction"),
        ([("predict.play", {})], "no_prediction"),
        ([("predict.open", {"prediction": 3})], "bad_fields"),
        ([("predict.open", {"prediction": "predict-scale", "extra": 1})], "bad_fields"),
    ],
)
async def test_bad_staff_requests_get_an_error_and_leave_class_and_demo_alone(
    klass, instructor, predictions, host_cleanup, frames, code
):
    record = await demo_record(klass)
    teacher, _, _ = await connect(f"/ws/class/{klass.code}/teach/", staff_cookie(instructor))
    await receive(teacher, "hello")
    for kind, fields in frames:
        await send(teacher, kind, **fields)
    assert (await receive(teacher))["code"] == code
    after = await demo_record(klass)
    assert (after.paused, after.version, after.state) == (record.paused, record.version, record.state)
    assert (await fresh_class(klass)).prediction_id is None
    await teacher.disconnect()


async def test_playing_twice_is_refused(klass, instructor, predictions, host_cleanup):
    teacher, _, _ = await connect(f"/ws/class/{klass.code}/teach/", staff_cookie(instructor))
    await receive(teacher, "hello")
    await send(teacher, "predict.open", prediction="predict-bad-image")
    await receive(teacher, "predict")
    await send(teacher, "predict.play")
    await receive(teacher, "predict")
    version = (await demo_record(klass)).version
    await send(teacher, "predict.play")
    assert (await receive(teacher, "error"))["code"] == "already_played"
    assert (await demo_record(klass)).version == version
    await send(teacher, "predict.close")
    assert (await receive(teacher, "predict"))["prediction"] is None
    await teacher.disconnect()


async def test_students_cannot_drive_predictions_and_bad_votes_are_refused(
    klass, alice, instructor, predictions, host_cleanup
):
    student, _, _ = await connect(f"/ws/class/{klass.code}/", student_cookie(alice))
    await receive(student, "hello")
    await send(student, "predict.open", prediction="predict-scale")
    assert (await receive(student))["code"] == "unknown_type"
    await send(student, "predict.vote", prediction="predict-scale", choice=1)
    assert (await receive(student))["code"] == "not_live"
    teacher, _, _ = await connect(f"/ws/class/{klass.code}/teach/", staff_cookie(instructor))
    await receive(teacher, "hello")
    await send(teacher, "predict.open", prediction="predict-scale")
    await receive(student, "predict")
    for choice, code in ((9, "invalid_answer"), (True, "bad_fields")):
        await send(student, "predict.vote", prediction="predict-scale", choice=choice)
        assert (await receive(student))["code"] == code
    assert await PredictionVote.objects.acount() == 0
    for comm in (student, teacher):
        await comm.disconnect()


def test_setup_pauses_first_and_resets_only_when_asked(predictions):
    """The clock stops before anything else; a `fresh` prompt starts from a new cluster."""
    prompt = Prediction.objects.get(key="predict-delete-pod")
    steps = demo.setup_steps(prompt)
    assert [s.text for s in steps[:2]] == ["pause", "reset"] and steps[-1].text.startswith("sim wait")
    prompt.fresh = False
    assert [s.text for s in demo.setup_steps(prompt)][:2] == [
        "pause",
        "kubectl create deployment web --image=nginx:1.20 --replicas=3",
    ]
    assert [(s.kind, s.text, s.value) for s in demo.action_steps(prompt)] == [
        ("command", "kubectl delete pod {pod:app=web}", None),
        ("control", "observe", demo.OBSERVE_WINDOW),
        ("control", "play", None),
    ]


def test_starting_a_class_creates_its_demo_cluster_and_reuses_it(klass, instructor):
    record = klass.demo_cluster
    assert record.kind == "demo" and record.name == f"class-{klass.code}"
    assert demo.ensure_demo(klass).pk == record.pk
    klass.demo_cluster = None
    klass.save()
    assert demo.ensure_demo(klass).pk == record.pk  # found again by owner and name
    assert ClusterRecord.objects.filter(name=f"class-{klass.code}").count() == 1


def test_every_shipped_prompt_has_a_valid_answer_and_a_setup_that_works(predictions):
    """Each prompt's setup and action run cleanly on a fresh engine (as the demo does when `fresh`)."""
    from visualizer.live_cluster import fresh_engine

    assert Prediction.objects.count() >= 3
    for prompt in Prediction.objects.all():
        assert 0 <= prompt.answer < len(prompt.choices), prompt.key
        engine = fresh_engine()
        for text in prompt.setup:
            assert engine.run(text).ok, (prompt.key, text)
        action = prompt.action.replace(
            "{pod:app=web}", engine.run("kubectl get pods -l app=web -o name").output.split("\n")[0][4:]
        )
        assert engine.run(action).ok, (prompt.key, action)


def test_vote_validation_changes_nothing(klass, alice, predictions):
    prompt = Prediction.objects.get(key="predict-scale")
    actions.prediction_opened(klass, prompt, [])
    with pytest.raises(Exception) as info:
        actions.vote_prediction(klass, alice, "predict-scale", 4)
    assert info.value.code == "invalid_answer"
    actions.vote_prediction(klass, alice, "predict-scale", 2)
    actions.vote_prediction(klass, alice, "predict-scale", 1)  # the latest counts
    vote = PredictionVote.objects.get()
    assert (vote.choice, vote.correct) == (1, False)


def test_the_data_migration_loads_the_shipped_prompts_and_keeps_admin_edits(db):
    """Migration 0006 creates the prompts of fixtures/predictions.json that are missing, and only those."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("course.migrations.0006_predictions")
    Prediction.objects.all().delete()
    migration.load(apps, None)
    shipped = json.loads(migration.FIXTURE.read_text(encoding="utf-8"))
    assert Prediction.objects.count() == len(shipped) >= 3
    Prediction.objects.filter(key="predict-scale").update(prompt="강사가 고친 문장")
    migration.load(apps, None)
    assert Prediction.objects.get(key="predict-scale").prompt == "강사가 고친 문장"


def test_the_admin_lists_prompts_and_votes(admin_client, predictions):
    for name in ("prediction", "predictionvote"):
        assert admin_client.get(f"/admin/course/{name}/").status_code == 200
    prompt = Prediction.objects.get(key="predict-scale")
    assert admin_client.get(f"/admin/course/prediction/{prompt.pk}/change/").status_code == 200


# Predict → observe must let the class see the outcome happen ---------------------------------------------
TICK = 0.1  # real seconds between the host's clock ticks (visualizer.host.ClusterHost)


def _picture(state: dict) -> tuple:
    """What the class reads off the demo's picture: each pod's name, STATUS and READY, sorted."""
    return tuple(sorted((p["name"], p["status"], p["readyText"]) for p in state["pods"].values()))


def _play_observed(prompt: Prediction, speed: float) -> list[tuple[float, tuple, bool]]:
    """Play a prompt as `predict.open` and `predict.play` drive the demo, tick the clock as the host does
    (every TICK real seconds) and return what a viewer's picture shows: the real second it changed, the
    picture, and whether the demo was still in observe mode."""
    from visualizer.engine.snapshot import apply_diff
    from visualizer.live_cluster import LiveCluster, fresh_engine

    live = LiveCluster("demo", fresh_engine(), speed=speed)
    for step in demo.setup_steps(prompt):
        if step.kind == "control":
            live.control(step.text, step.value)
        else:
            assert live.command("t", step.text, None).reply
    viewer = json.loads(live.snapshot_frame("view"))["state"]
    shown = [(0.0, _picture(viewer), False)]
    wall = 0.0

    def receive(frames):
        nonlocal viewer
        for text in frames:
            frame = json.loads(text) if text.startswith("{") else {"type": "snapshot"}
            if frame["type"] == "diff":
                viewer = apply_diff(viewer, frame["diff"])
            elif frame["type"] == "snapshot":
                viewer = live.engine.snapshot()
        if _picture(viewer) != shown[-1][1]:
            shown.append((wall, _picture(viewer), live.observe_until is not None))

    for step in demo.action_steps(prompt):
        if step.kind == "control":
            receive(live.control(step.text, step.value).broadcast)
        else:
            name = live.engine.run("kubectl get pods -l app=web -o name").output.split("\n")[0][4:]
            outcome = live.command("t", step.text.replace("{pod:app=web}", name), None)
            assert json.loads(outcome.reply[0])["ok"], step.text
            receive(outcome.broadcast)
    while wall < 60:
        wall = round(wall + TICK, 6)
        receive(live.tick(TICK).broadcast)
    return shown


def _statuses(picture: tuple) -> list[str]:
    return sorted(status for _, status, _ in picture)


def _first(shown, test, after: float = -1.0):
    return next((at, picture) for at, picture, _ in shown if at > after and test(picture))


@pytest.mark.parametrize("speed", [1.0, 8.0])  # the default speed and the fastest
def test_a_deleted_pod_is_seen_terminating_while_its_replacement_starts(predictions, speed):
    """The frame the prompt is about — the old pod Terminating, the new one not yet running — reaches
    viewers and stays on screen for seconds of wall time; the replacement is Running and Ready later."""
    shown = _play_observed(Prediction.objects.get(key="predict-delete-pod"), speed)
    at, picture = _first(shown, lambda p: "Terminating" in _statuses(p))
    assert _statuses(picture) == ["ContainerCreating", "Running", "Running", "Terminating"]
    later = [a for a, *_ in shown if a > at]
    assert later and later[0] - at >= 2.0, shown  # on screen long enough for the room to see it
    done_at, done = _first(shown, lambda p: _statuses(p) == ["Running"] * 3, after=at)
    assert all(ready == "1/1" for *_, ready in done)
    # The pod that was ContainerCreating is the one now Running; the deleted one is gone.
    assert {name for name, *_ in done} == {name for name, status, _ in picture if status != "Terminating"}
    assert shown[-1][1] == done


@pytest.mark.parametrize("speed", [1.0, 8.0])
@pytest.mark.parametrize(
    ("key", "steps"),
    [
        (
            "predict-delete-pod",
            [
                ["ContainerCreating", "Running", "Running", "Terminating"],
                ["ContainerCreating", "Running", "Running"],
                ["Running", "Running", "Running"],
            ],
        ),
        (
            "predict-scale",
            [
                ["ContainerCreating", "ContainerCreating", "Running", "Running", "Running"],
                ["Running"] * 5,
            ],
        ),
        (
            "predict-bad-image",
            [
                ["ContainerCreating", "Running", "Running", "Running"],
                ["ErrImagePull", "Running", "Running", "Running"],
                ["ImagePullBackOff", "Running", "Running", "Running"],
            ],
        ),
    ],
)
def test_every_prompt_shows_each_transition_for_seconds(predictions, key, steps, speed):
    """Every prompt, at 1× and 8×: the intermediate states arrive as frames in order, and each visible
    change stays on screen at least two seconds of wall time before the next one."""
    shown = _play_observed(Prediction.objects.get(key=key), speed)
    sequence = [_statuses(p) for _, p, _ in shown[1:]]
    assert sequence[: len(steps)] == steps, sequence
    # The action's own frame and every change while observing stay on screen ≥ 2 s (after the window the
    # demo plays on at its speed, e.g. the next back-off retries).
    changes = [(at, observing) for at, _, observing in shown[1:]]
    dwell = [b[0] - a[0] for a, b in zip(changes, changes[1:], strict=False) if a[1] or a is changes[0]]
    assert len(dwell) >= len(steps) - 1 and min(dwell) >= 2.0, shown


def test_observe_mode_keeps_the_engine_kubernetes_true(predictions):
    """Observing changes how fast simulated time passes, not what happens in it: the same action on an
    engine advanced normally reaches the same picture at the same simulated times."""
    from visualizer.live_cluster import LiveCluster, fresh_engine, visible_state

    def run(observe: bool) -> list[tuple[float, tuple]]:
        live = LiveCluster("demo", fresh_engine())
        for text in Prediction.objects.get(key="predict-delete-pod").setup:
            live.command("t", text, None)
        name = live.engine.run("kubectl get pods -o name").output.split("\n")[0][4:]
        live.command("t", f"kubectl delete pod {name}", None)
        if observe:
            live.control("observe", 10.0)
        seen, last = [], None
        for _ in range(400):
            live.tick(TICK)
            picture = visible_state(live.engine)
            if picture != last:
                seen.append((round(live.engine.now, 1), picture))
                last = picture
            if live.engine.now >= 30:
                break
        return seen

    observed, normal = run(observe=True), run(observe=False)
    assert [p for _, p in observed] == [p for _, p in normal]
    # Each change happens at the same simulated moment (normal play notices it at the next tick).
    assert all(0 <= b - a <= TICK + 1e-6 for (a, _), (b, _) in zip(observed, normal, strict=True))


async def test_viewers_of_the_demo_see_the_deleted_pod_terminating_at_the_fastest_speed(
    klass, instructor, predictions, host_cleanup
):
    """Through the real host and sockets, at 8×: a viewer's picture shows the old pod Terminating beside
    its ContainerCreating replacement for seconds, then the replacement Running."""
    import time

    from visualizer.engine.snapshot import apply_diff

    record = await demo_record(klass)
    watcher = await cluster_socket(record.public_id)
    state = (await next_of(watcher, "snapshot"))["state"]
    await get_host().drive(record.public_id, "control", {"action": "speed", "value": 8.0})
    teacher, _, _ = await connect(f"/ws/class/{klass.code}/teach/", staff_cookie(instructor))
    await receive(teacher, "hello")
    await send(teacher, "predict.open", prediction="predict-delete-pod")
    await receive(teacher, "predict")
    await send(teacher, "predict.play")
    started, shown = time.monotonic(), []
    while time.monotonic() - started < 9:
        if await watcher.receive_nothing(timeout=0.05):
            continue
        frame = json.loads(await watcher.receive_from())
        if frame["type"] == "snapshot":
            state = frame["state"]
        elif frame["type"] == "diff":
            state = apply_diff(state, frame["diff"])
        picture = _statuses(_picture(state))
        if not shown or shown[-1][1] != picture:
            shown.append((time.monotonic(), picture))
    terminating = next(i for i, (_, p) in enumerate(shown) if "Terminating" in p)
    assert shown[terminating][1] == ["ContainerCreating", "Running", "Running", "Terminating"]
    assert shown[terminating + 1][0] - shown[terminating][0] >= 2.0, shown
    assert shown[-1][1] == ["Running"] * 3
    await teacher.disconnect()
    await watcher.disconnect()

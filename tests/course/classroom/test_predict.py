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
def predictions(db):
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


def pods(record: ClusterRecord) -> str:
    """Return `kubectl get pods` of the demo as last saved (the host saves before it answers)."""
    state = record.state if not isinstance(record.state, str) else json.loads(record.state)
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
    before = pods(record)
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
    assert not record.paused and "Terminating" in pods(record)

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
    state = record.state if not isinstance(record.state, str) else json.loads(record.state)
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
    assert [(s.kind, s.text) for s in demo.action_steps(prompt)] == [
        ("command", "kubectl delete pod {pod:app=web}"),
        ("control", "play"),
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

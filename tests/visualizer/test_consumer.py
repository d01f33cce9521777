"""The cluster websocket through the full ASGI stack: roles, protocol errors, rate limit, persistence."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore

from config.asgi import application
from tests.clock import ManualClock
from visualizer.host import ClusterHost, get_host
from visualizer.identity import SESSION_KEY
from visualizer.models import ClusterRecord
from visualizer.ratelimit import limits

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://localhost")


@database_sync_to_async
def visitor_session(visitor: str) -> str:
    session = SessionStore()
    session[SESSION_KEY] = visitor
    session.create()
    return session.session_key


@database_sync_to_async
def staff_session(username: str) -> tuple[User, str]:
    user = User.objects.create_user(username, password="pw-for-tests-only", is_staff=True)
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return user, session.session_key


@database_sync_to_async
def make_cluster(**fields) -> ClusterRecord:
    return ClusterRecord.objects.create(**fields)


@database_sync_to_async
def reload(record: ClusterRecord) -> ClusterRecord:
    return ClusterRecord.objects.get(pk=record.pk)


def socket(
    public_id: str, session_key: str | None = None, query: str = "", origin=ORIGIN
) -> WebsocketCommunicator:
    headers = [origin] + ([(b"cookie", f"sessionid={session_key}".encode())] if session_key else [])
    return WebsocketCommunicator(application, f"/ws/cluster/{public_id}/{query}", headers=headers)


async def receive(ws, kind: str, timeout: float = 5.0) -> dict:
    """Return the next frame of `kind`, skipping others (diffs, clocks) on the way."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        frame = json.loads(
            await ws.receive_from(timeout=max(0.01, deadline - asyncio.get_running_loop().time()))
        )
        if frame["type"] == kind:
            return frame


async def send(ws, **frame) -> None:
    await ws.send_to(text_data=json.dumps(frame))


@pytest.fixture
async def host_cleanup():
    yield
    await get_host().shutdown()


@pytest.fixture(autouse=True)
def fresh_limits():
    """Rate limits are per person and per process: each test starts with full budgets."""
    limits.clear()
    yield
    limits.clear()


async def test_the_owner_gets_a_snapshot_and_drives_the_cluster(host_cleanup):
    """The sandbox owner receives the picture, runs a command, and sees the change arrive as a diff."""
    key = await visitor_session("alice")
    record = await make_cluster(owner_key="visitor:alice")
    ws = socket(record.public_id, key)
    connected, _ = await ws.connect()
    assert connected
    snapshot = await receive(ws, "snapshot")
    assert snapshot["role"] == "control" and snapshot["state"]["nodes"]
    await send(
        ws,
        type="command",
        id=1,
        text="kubectl create deployment web --image=nginx:1.20 --replicas=3",
        stdin=None,
    )
    result = await receive(ws, "result")
    assert result["id"] == 1 and result["ok"] and "deployment.apps/web created" in result["output"]
    diff = await receive(ws, "diff")
    assert diff["to"] > diff["from"] >= snapshot["version"]
    await ws.disconnect()


async def test_a_command_is_saved_before_it_is_answered(host_cleanup):
    """After the reply, the database already holds the new state: a restart resumes from it."""
    key = await visitor_session("bob")
    record = await make_cluster(owner_key="visitor:bob")
    ws = socket(record.public_id, key)
    await ws.connect()
    await receive(ws, "snapshot")
    await send(
        ws, type="command", id="a", text="kubectl create deployment api --image=nginx:1.21", stdin=None
    )
    await receive(ws, "result")
    saved = await reload(record)
    assert "default/api" in json.dumps(saved.state_dict)  # the base and the deltas saved after it
    await ws.disconnect()
    await get_host().shutdown()  # a server restart: the next connection loads from the database
    ws = socket(record.public_id, key)
    await ws.connect()
    snapshot = await receive(ws, "snapshot")
    assert "default/api" in snapshot["state"]["deployments"]
    await ws.disconnect()


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"type":"nope"}',
        '{"type":"command","id":1}',
        "x" * 80_000,
        '{"type":"control","action":"speed","value":3}',
    ],
)
async def test_bad_frames_get_an_error_and_the_socket_stays_open(host_cleanup, text):
    """Malformed, unknown or oversized frames are answered with an error; the connection keeps working."""
    key = await visitor_session("carol")
    record = await make_cluster(owner_key="visitor:carol")
    ws = socket(record.public_id, key)
    await ws.connect()
    await receive(ws, "snapshot")
    await ws.send_to(text_data=text)
    error = await receive(ws, "error")
    assert error["code"] in {"bad_json", "bad_frame", "unknown_type", "bad_fields", "too_large"}
    await send(ws, type="ping")
    assert (await receive(ws, "pong"))["type"] == "pong"
    await ws.disconnect()


async def test_a_bad_command_changes_nothing_and_says_why(host_cleanup):
    """An unknown command gets an error result with a suggestion; no diff follows."""
    key = await visitor_session("dave")
    record = await make_cluster(owner_key="visitor:dave")
    ws = socket(record.public_id, key)
    await ws.connect()
    before = await receive(ws, "snapshot")
    await send(ws, type="control", action="pause", value=None)
    await receive(ws, "clock")
    await send(ws, type="command", id=2, text="kubectl get podz", stdin=None)
    result = await receive(ws, "result")
    assert not result["ok"] and result["output"]
    await send(ws, type="resync")
    after = await receive(ws, "snapshot")
    assert after["version"] == before["version"]
    await ws.disconnect()


async def test_someone_elses_sandbox_is_refused_and_a_share_link_is_read_only(host_cleanup):
    """Another student cannot connect; with the share token they can watch but not drive."""
    record = await make_cluster(owner_key="visitor:erin")
    stranger = await visitor_session("frank")
    ws = socket(record.public_id, stranger)
    connected, code = await ws.connect()
    assert not connected and code == 4403
    ws = socket(record.public_id, stranger, f"?share={record.share_token}")
    connected, _ = await ws.connect()
    assert connected
    assert (await receive(ws, "snapshot"))["role"] == "view"
    await send(ws, type="command", id=9, text="kubectl delete pod x", stdin=None)
    assert (await receive(ws, "error"))["code"] == "forbidden"
    await send(ws, type="control", action="reset", value=None)
    assert (await receive(ws, "error"))["code"] == "forbidden"
    await ws.disconnect()


async def test_unknown_clusters_and_foreign_origins_are_refused(host_cleanup):
    """A made-up cluster id closes with 4404; a page from another site is refused by the origin check."""
    key = await visitor_session("gina")
    connected, code = await socket("nope", key).connect()
    assert not connected and code == 4404
    record = await make_cluster(owner_key="visitor:gina")
    connected, _ = await socket(record.public_id, key, origin=(b"origin", b"http://evil.example")).connect()
    assert not connected


async def test_a_flood_of_commands_is_rate_limited(host_cleanup):
    """A burst of ten passes; the rest of a flood is refused with rate_limited."""
    key = await visitor_session("hana")
    record = await make_cluster(owner_key="visitor:hana")
    ws = socket(record.public_id, key)
    await ws.connect()
    await receive(ws, "snapshot")
    for i in range(15):
        await send(ws, type="complete", id=i, prefix="kubectl g")
    codes = []
    for _ in range(15):
        frame = json.loads(await ws.receive_from(timeout=5))
        while frame["type"] not in {"completions", "error"}:
            frame = json.loads(await ws.receive_from(timeout=5))
        codes.append(frame.get("code", "ok"))
    assert codes.count("rate_limited") >= 4 and codes[:10] == ["ok"] * 10
    await ws.disconnect()


async def test_students_watch_the_demo_cluster_the_instructor_drives(host_cleanup):
    """The instructor's command on the demo reaches a watching student; the student cannot drive it."""
    teacher, teacher_key = await staff_session("teacher")
    record = await make_cluster(owner_key=f"user:{teacher.pk}", kind="demo", name="demo")
    instructor = socket(record.public_id, teacher_key)
    await instructor.connect()
    assert (await receive(instructor, "snapshot"))["role"] == "control"
    student = socket(record.public_id, await visitor_session("ian"))
    await student.connect()
    assert (await receive(student, "snapshot"))["role"] == "view"
    await send(
        instructor,
        type="command",
        id=1,
        text="kubectl create deployment web --image=nginx:1.20 --replicas=2",
        stdin=None,
    )
    await receive(instructor, "result")
    diff = await receive(student, "diff")
    assert "web" in json.dumps(diff["diff"])
    await send(student, type="command", id=1, text="kubectl delete deployment web", stdin=None)
    assert (await receive(student, "error"))["code"] == "forbidden"
    await instructor.disconnect()
    await student.disconnect()


async def test_the_clock_is_shared_by_every_viewer(host_cleanup):
    """Pause and speed set by the driver reach the viewers as clock frames."""
    teacher, teacher_key = await staff_session("teach2")
    record = await make_cluster(owner_key=f"user:{teacher.pk}", kind="demo", name="demo")
    instructor = socket(record.public_id, teacher_key)
    await instructor.connect()
    student = socket(record.public_id, await visitor_session("jun"))
    await student.connect()
    await receive(student, "snapshot")
    await send(instructor, type="control", action="speed", value=4)
    assert (await receive(student, "clock"))["clock"]["speed"] == 4
    await send(instructor, type="control", action="pause", value=None)
    assert (await receive(student, "clock"))["clock"]["paused"] is True
    await instructor.disconnect()
    await student.disconnect()


@pytest.fixture
def frozen_limits():
    clock = ManualClock(1000.0)
    limits.clear()
    real, limits.clock = limits.clock, clock
    yield clock
    limits.clock = real
    limits.clear()


def viewers_of(public_id: str) -> int:
    hosted = get_host().clusters.get(public_id)
    return 0 if hosted is None else len(hosted.viewers)


HOSTILE = [
    (
        "[" * 70_000 + "]" * 70_000,
        "too_deep",
    ),  # json.loads alone: RecursionError, the socket closed with 1011
    ("[" * 140_000, "too_deep"),
    ('{"type":"command","id":1e999999,"text":"x","stdin":null}', "bad_number"),
    ('{"type":"command","id":' + "9" * 10_000 + ',"text":"x","stdin":null}', "bad_number"),
    ('{"type":"control","action":"speed","value":NaN}', "bad_number"),
    ('{"type":"control","action":"speed","value":Infinity}', "bad_number"),
    ('{"type":"ping","type":"resync"}', "duplicate_key"),
    ('{"type":"command","id":1,"text":"kubectl create ns \\ud800","stdin":null}', "bad_text"),
    ("", "bad_json"),
    (" \n ", "bad_json"),
    ('{"type":"command","id":true,"text":"x","stdin":null}', "bad_fields"),
    ('{"type":"command","id":1.5,"text":"x","stdin":null}', "bad_fields"),
    ('{"type":"command","id":1,"text":{"a":"b"},"stdin":null}', "bad_fields"),
    ('{"type":"ping","__proto__":{"role":"control"}}', "bad_fields"),
]


@pytest.mark.parametrize(("text", "code"), HOSTILE)
async def test_each_hostile_frame_gets_its_code_the_socket_stays_and_no_viewer_is_left(
    host_cleanup, text, code
):
    """Issue 12: nested JSON closed the socket (1011) and the ghost viewer kept the cluster's lease. Now every
    malformed frame is answered with its code, the socket answers a ping, and closing it leaves no viewer."""
    key = await visitor_session("ivan")
    record = await make_cluster(owner_key="visitor:ivan")
    ws = socket(record.public_id, key)
    await ws.connect()
    await receive(ws, "snapshot")
    await ws.send_input({"type": "websocket.receive", "text": text})  # send_to refuses an empty frame
    error = await receive(ws, "error")
    assert error["code"] == code and error["message"]
    await send(ws, type="ping")
    await receive(ws, "pong")
    assert viewers_of(record.public_id) == 1
    await ws.disconnect()
    assert viewers_of(record.public_id) == 0


async def test_a_binary_frame_gets_an_error_and_the_socket_stays(host_cleanup):
    """A binary frame (here bytes that are not UTF-8) is refused with `binary`; the socket keeps working."""
    key = await visitor_session("jade")
    record = await make_cluster(owner_key="visitor:jade")
    ws = socket(record.public_id, key)
    await ws.connect()
    await receive(ws, "snapshot")
    await ws.send_to(bytes_data=b"\xff\xfe\xfd")
    assert (await receive(ws, "error"))["code"] == "binary"
    await send(ws, type="ping")
    await receive(ws, "pong")
    await ws.disconnect()
    assert viewers_of(record.public_id) == 0


async def test_a_failure_while_handling_a_frame_is_an_internal_error_not_a_close(host_cleanup, monkeypatch):
    """Whatever goes wrong on the server while handling a good frame, the client gets `internal` (Korean
    message, no traceback), the socket stays open, and closing it detaches the viewer."""
    key = await visitor_session("kim")
    record = await make_cluster(owner_key="visitor:kim")
    ws = socket(record.public_id, key)
    await ws.connect()
    await receive(ws, "snapshot")

    async def broken(self, conn, kind, fields):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(ClusterHost, "handle", broken)
    await send(ws, type="complete", id=1, prefix="kubectl g")
    error = await receive(ws, "error")
    assert error["code"] == "internal" and "Traceback" not in error["message"] and "서버" in error["message"]
    monkeypatch.undo()
    await send(ws, type="ping")
    await receive(ws, "pong")
    await ws.disconnect()
    assert viewers_of(record.public_id) == 0


async def test_the_command_rate_is_per_identity_not_per_socket(host_cleanup, frozen_limits):
    """Ten sockets used to get ten times the rate. Three sockets of one browser session now share one bucket:
    ten completions in all pass (the burst), every further one is refused, whichever socket sends it."""
    key = await visitor_session("lena")
    record = await make_cluster(owner_key="visitor:lena")
    sockets = [socket(record.public_id, key) for _ in range(3)]
    for ws in sockets:
        await ws.connect()
        await receive(ws, "snapshot")
    codes = []
    for i in range(15):
        ws = sockets[i % 3]
        await send(ws, type="complete", id=i, prefix="kubectl g")
        frame = await receive_one_of(ws, {"completions", "error"})
        codes.append(frame.get("code", "ok"))
    assert codes == ["ok"] * 10 + ["rate_limited"] * 5
    other = await visitor_session("mia")  # another person is not slowed down by lena
    record_b = await make_cluster(owner_key="visitor:mia")
    ws_b = socket(record_b.public_id, other)
    await ws_b.connect()
    await receive(ws_b, "snapshot")
    await send(ws_b, type="complete", id=1, prefix="kubectl g")
    assert (await receive_one_of(ws_b, {"completions", "error"}))["type"] == "completions"
    frozen_limits.now += 1.0  # five tokens a second come back
    for i in range(6):
        await send(sockets[0], type="complete", id=100 + i, prefix="kubectl g")
        codes.append((await receive_one_of(sockets[0], {"completions", "error"})).get("code", "ok"))
    assert codes[15:] == ["ok"] * 5 + ["rate_limited"]
    for ws in [*sockets, ws_b]:
        await ws.disconnect()


async def test_a_resync_flood_builds_one_snapshot_and_waits_one_per_socket(
    host_cleanup, frozen_limits, monkeypatch
):
    """Issue 12: 8 sockets sending tiny `resync` frames grew the server to 1.5 GiB. Now the identity's budget
    sends 4 at once, each further resync waits, coalesced (one pending per socket), and the engine serialises
    its picture once per state however many snapshots go out."""
    from visualizer.engine import Cluster

    builds = []
    real_snapshot = Cluster.snapshot

    def counting(self):
        builds.append(self.version)
        return real_snapshot(self)

    monkeypatch.setattr(Cluster, "snapshot", counting)
    key = await visitor_session("nora")
    record = await make_cluster(owner_key="visitor:nora", paused=True)
    sockets = [socket(record.public_id, key) for _ in range(8)]
    for ws in sockets:
        await ws.connect()
        await receive(ws, "snapshot")
    for _ in range(20):
        for ws in sockets:
            await send(ws, type="resync")
    await asyncio.sleep(0.3)  # let the server work through 160 frames
    counts = []
    for ws in sockets:
        n = 0
        while not await ws.receive_nothing(timeout=0.05):
            n += json.loads(await ws.receive_from())["type"] == "snapshot"
        counts.append(n)
    assert sum(counts) == 4
    assert builds == [builds[0]]  # 8 first snapshots and 4 resyncs at one state: serialised once
    frozen_limits.now += 3600.0  # the budget is full again (4): four sockets' waiting resyncs go out
    first = await drain_snapshots(sockets, seconds=3.0)
    frozen_limits.now += 3600.0  # and the other four
    second = await drain_snapshots(sockets, seconds=3.0)
    assert sum(first) == 4 and sum(second) == 4
    assert [a + b for a, b in zip(first, second, strict=True)] == [1] * 8  # 19 resyncs each, one snapshot
    for ws in sockets:
        await ws.disconnect()
    assert viewers_of(record.public_id) == 0


async def drain_snapshots(sockets, seconds: float) -> list[int]:
    """Return how many snapshots each socket receives within `seconds` (real time: a waiting resync sleeps
    until the limiter's clock says a token is back, at least a second)."""
    counts = [0] * len(sockets)
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        for i, ws in enumerate(sockets):
            while not await ws.receive_nothing(timeout=0.02):
                counts[i] += json.loads(await ws.receive_from())["type"] == "snapshot"
    return counts


async def receive_one_of(ws, kinds: set[str]) -> dict:
    """Return the next frame whose type is in `kinds`, skipping diffs and clocks."""
    while True:
        frame = json.loads(await ws.receive_from(timeout=5))
        if frame["type"] in kinds:
            return frame


async def test_a_flood_of_bad_frames_or_pings_is_answered_up_to_a_budget_then_silently(
    host_cleanup, frozen_limits
):
    """A 7-byte bad frame made the server buffer a 100-byte `error` for a client that need not read: answers
    that cost the sender nothing have a budget per person (20 errors, 10 pongs at once), then the frames are
    still refused but unanswered. The socket stays open and answers again once the budget refills."""
    key = await visitor_session("olga")
    record = await make_cluster(owner_key="visitor:olga")
    ws = socket(record.public_id, key)
    await ws.connect()
    await receive(ws, "snapshot")
    for _ in range(25):
        await ws.send_to(text_data="x")
    for _ in range(12):
        await send(ws, type="ping")
    await send(ws, type="complete", id="after", prefix="kubectl g")  # still handled
    kinds = []
    while True:
        frame = json.loads(await ws.receive_from(timeout=5))
        if frame["type"] == "completions":
            break
        kinds.append((frame["type"], frame.get("code")))
    assert kinds.count(("error", "bad_json")) == 20 and kinds.count(("pong", None)) == 10
    frozen_limits.now += 1.0  # one pong and five errors a second come back
    await ws.send_to(text_data="x")
    assert (await receive(ws, "error"))["code"] == "bad_json"
    await send(ws, type="ping")
    await receive(ws, "pong")
    await ws.disconnect()
    assert viewers_of(record.public_id) == 0


async def test_a_viewer_whose_first_snapshot_fails_is_not_left_attached(host_cleanup, monkeypatch):
    """If attaching fails half-way (the database, the channel layer), the viewer it registered is removed before
    the error propagates: no ghost keeps the cluster watched."""
    key = await visitor_session("pia")
    record = await make_cluster(owner_key="visitor:pia")

    async def broken(self, hosted, conn):
        raise ConnectionError("the channel layer went away")

    monkeypatch.setattr(ClusterHost, "_send_first_snapshot", broken)
    ws = socket(record.public_id, key)
    connected, _ = await ws.connect()
    assert connected  # accepted, then attaching failed: the app ends with the error (Daphne closes: 1011)
    with pytest.raises(ConnectionError):
        await ws.receive_from(timeout=5)
    assert viewers_of(record.public_id) == 0


async def test_received_frames_skip_channels_connection_cleanup_hop(host_cleanup, monkeypatch):
    """Channels' dispatch awaits `aclose_old_connections()` (a thread-pool hop) before every message; the
    cluster socket takes it for connect and disconnect only, not per received frame (issue 12 §4: it was a
    per-command cost of the owner)."""
    import channels.consumer

    hops = []
    real = channels.consumer.aclose_old_connections

    async def counted():
        hops.append(1)
        await real()

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counted)
    key = await visitor_session("pia")
    record = await make_cluster(owner_key="visitor:pia")
    ws = socket(record.public_id, key)
    await ws.connect()
    await receive(ws, "snapshot")
    after_connect = len(hops)
    assert after_connect >= 1  # connect still takes it
    for n in range(5):
        await send(ws, type="complete", id=n, prefix="kubectl g")
        await receive(ws, "completions")
    assert len(hops) == after_connect
    await ws.disconnect()
    assert len(hops) == after_connect + 1

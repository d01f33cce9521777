"""The Kubernetes API's transport through the full ASGI stack (config.asgi): tokens, limits, liveness, live.

`/k8s/<cluster>/…` reaches the cluster's owner through the host like a console command; every refusal is a
Kubernetes Status. The real kubectl over TLS is in tests/kubeapi/ (handlers) and tests/browser/ (the page).
"""

from __future__ import annotations

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import HttpCommunicator

from config.asgi import application
from visualizer.engine import event_wire
from visualizer.host import get_host
from visualizer.kubeapi import transport
from visualizer.models import ClusterRecord
from visualizer.ratelimit import limits

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def make_cluster(**fields) -> ClusterRecord:
    return ClusterRecord.objects.create(owner_key="visitor:t", name="sandbox", **fields)


async def call(path: str, token: str | None, method: str = "GET", body: bytes = b"", headers=()):
    all_headers = list(headers)
    if token is not None:
        all_headers.append((b"authorization", f"Bearer {token}".encode()))
    comm = HttpCommunicator(application, method, path, body=body, headers=all_headers)
    response = await comm.get_response(timeout=10)
    return response["status"], dict(response["headers"]), response["body"]


@pytest.fixture(autouse=True)
def fresh_buckets():
    limits.clear()
    yield
    limits.clear()


async def test_requests_without_the_clusters_token_get_401_unauthorized():
    record = await make_cluster()
    other = await database_sync_to_async(ClusterRecord.objects.create)(owner_key="visitor:o", name="sandbox")
    for token in (None, "", "wrong", other.api_token):
        status, headers, body = await call(f"/k8s/{record.public_id}/api/v1/pods", token)
        assert status == 401
        assert headers[b"content-type"] == b"application/json"
        assert json.loads(body) == {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": "Unauthorized",
            "reason": "Unauthorized",
            "code": 401,
        }
    status, _, _ = await call("/k8s/no-such-cluster/api", record.api_token)
    assert status == 401


async def test_the_owner_token_reaches_the_cluster_and_keeps_its_clock_running_without_viewers():
    record = await make_cluster()
    status, _, body = await call(f"/k8s/{record.public_id}/healthz", record.api_token)
    assert (status, body) == (200, b"ok")
    hosted = get_host().clusters[record.public_id]
    start = hosted.live.engine.now
    await asyncio.sleep(0.6)
    assert hosted.live.engine.now > start + 0.3  # nobody watches in a browser, yet the clock runs


async def test_a_read_only_token_is_refused_writes_with_403_forbidden():
    record = await make_cluster()
    body = json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}).encode()
    status, _, answer = await call(
        f"/k8s/{record.public_id}/api/v1/namespaces/default/pods",
        record.share_token,
        "POST",
        body,
        [(b"content-type", b"application/json")],
    )
    assert status == 403
    assert json.loads(answer)["message"] == (
        'pods is forbidden: User "viewer" cannot create resource "pods" in API group "" in the namespace "default"'
    )
    status, _, _ = await call(f"/k8s/{record.public_id}/healthz", record.share_token)
    assert status == 200


async def test_a_body_over_three_mebibytes_is_refused_with_413_and_changes_nothing():
    record = await make_cluster()
    big = b"{" + b" " * (3 * 1024 * 1024) + b"}"
    status, _, body = await call(
        f"/k8s/{record.public_id}/api/v1/namespaces/default/configmaps",
        record.api_token,
        "POST",
        big,
        [(b"content-type", b"application/json")],
    )
    assert status == 413
    assert json.loads(body)["message"] == "Request entity too large: limit is 3145728"
    assert get_host().clusters.get(record.public_id) is None  # never reached the cluster


async def test_too_many_requests_get_429_with_retry_after_then_recover(monkeypatch):
    record = await make_cluster()
    now = [1000.0]
    monkeypatch.setattr(limits, "clock", lambda: now[0])  # tokens come back when the test says
    limits.clear()
    statuses = []
    for _ in range(transport.REQUEST_BURST + 5):
        status, headers, body = await call(f"/k8s/{record.public_id}/healthz", record.api_token)
        statuses.append(status)
    assert statuses == [200] * transport.REQUEST_BURST + [429] * 5
    assert headers[b"retry-after"] == b"1"
    assert json.loads(body)["reason"] == "TooManyRequests"
    assert json.loads(body)["details"] == {"retryAfterSeconds": 1}
    now[0] += 0.1  # 30 requests a second come back: 3 now
    statuses = [(await call(f"/k8s/{record.public_id}/healthz", record.api_token))[0] for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


async def test_the_api_and_the_browser_of_one_person_share_one_write_rate(monkeypatch):
    """Issue 12: limits were per connection and per token, so a second face doubled the rate. The cluster
    owner's kubectl writes and the console commands of their browser spend from one bucket (10 at once)."""
    from visualizer.ratelimit import RATES

    record = await make_cluster()
    now = [1000.0]
    monkeypatch.setattr(limits, "clock", lambda: now[0])
    limits.clear()
    for _ in range(RATES["act"][1] - 2):  # what the browser's console spent: all but two
        assert limits.allow("act", "visitor:t")
    body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}).encode()
    statuses = []
    for i in range(3):
        status, headers, answer = await call(
            f"/k8s/{record.public_id}/api/v1/namespaces/default/configmaps",
            record.api_token,
            "POST",
            body.replace(b'"x"', f'"cm-{i}"'.encode()),
            headers=[(b"content-type", b"application/json")],
        )
        statuses.append(status)
    assert statuses == [201, 201, 429]
    assert json.loads(answer)["reason"] == "TooManyRequests" and headers[b"retry-after"] == b"1"


async def test_a_write_through_the_api_reaches_every_viewer_with_its_trace_and_events():
    """A create sent by kubectl appears in a watching browser as the console's command would: a diff with the
    deployment, the 6-step trace whose step 1 names the kubectl command and request, and the events."""
    from channels.testing import WebsocketCommunicator
    from django.contrib.sessions.backends.db import SessionStore

    from visualizer.identity import SESSION_KEY

    @database_sync_to_async
    def visitor_session() -> str:
        session = SessionStore()
        session[SESSION_KEY] = "t"
        session.create()
        return session.session_key

    record = await make_cluster()
    key = await visitor_session()
    ws = WebsocketCommunicator(
        application,
        f"/ws/cluster/{record.public_id}/",
        headers=[(b"origin", b"http://localhost"), (b"cookie", f"sessionid={key}".encode())],
    )
    connected, _ = await ws.connect()
    assert connected
    while json.loads(await ws.receive_from(timeout=5))["type"] != "snapshot":
        pass
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]},
            },
        },
    }
    status, _, body = await call(
        f"/k8s/{record.public_id}/apis/apps/v1/namespaces/default/deployments?fieldManager=kubectl-create",
        record.api_token,
        "POST",
        json.dumps(deployment).encode(),
        [(b"content-type", b"application/json"), (b"kubectl-command", b"kubectl create")],
    )
    assert status == 201, body
    assert json.loads(body)["metadata"]["name"] == "web"
    diff = None
    async with asyncio.timeout(5):
        while diff is None:
            frame = json.loads(await ws.receive_from(timeout=5))
            if frame["type"] == "diff" and "trace" in frame["diff"]:
                diff = frame["diff"]
    assert "default/web" in diff["sections"]["deployments"]["set"]
    # The wire form (docs/protocol.md "diff"): events and trace entries as template id + parameters.
    events = event_wire.decode_list(diff["events"], event_wire.EVENT_KEYS)
    trace = event_wire.decode_list(diff["trace"], event_wire.TRACE_KEYS, events)
    step1 = trace[0]
    assert step1["step"] == 1
    assert "kubectl create" in step1["ko"] and "POST" in step1["ko"]
    assert any(e["reason"] == "ScalingReplicaSet" for e in events)
    await ws.disconnect()
    await get_host().shutdown()


async def test_a_cluster_only_kubectl_uses_pauses_again_when_kubectl_stops(monkeypatch):
    from visualizer import host as host_module

    monkeypatch.setattr(host_module, "API_ACTIVE_SECONDS", 0.4)
    record = await make_cluster()
    status, _, _ = await call(f"/k8s/{record.public_id}/healthz", record.api_token)
    assert status == 200
    hosted = get_host().clusters[record.public_id]
    await asyncio.sleep(0.8)  # the API's grace period is over, no browser watches
    stopped_at = hosted.live.engine.now
    await asyncio.sleep(0.5)
    assert hosted.live.engine.now == stopped_at
    await call(f"/k8s/{record.public_id}/healthz", record.api_token)  # kubectl is back: the clock runs again
    await asyncio.sleep(0.3)
    assert hosted.live.engine.now > stopped_at
    await get_host().shutdown()

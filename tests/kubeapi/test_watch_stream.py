"""Unit tests of the watch stream (visualizer/kubeapi/watch.py) on an engine cluster, without HTTP.

Each test drives `server.handle` with a `?watch=true` request, changes the cluster through the console (the
same store the REST face serves), and reads the newline-delimited events the stream yields.
"""

from __future__ import annotations

import json

import pytest

from visualizer.engine import Cluster
from visualizer.kubeapi import server, watch
from visualizer.kubeapi.context import ApiContext
from visualizer.kubeapi.http import ApiRequest

PODS = "/api/v1/namespaces/default/pods"


@pytest.fixture(scope="module")
def base() -> dict:
    c = Cluster(workers=2, seed=7)
    assert c.run("kubectl create deployment web --image=nginx --replicas=2").ok
    c.advance(30)
    return c.to_dict()


@pytest.fixture
def ctx(base) -> ApiContext:
    return ApiContext(Cluster.from_dict(base))


def _watch(ctx, path=PODS, headers=None, **query):
    q = {"watch": ["true"]}
    q.update({k: [v] for k, v in query.items()})
    return server.handle(ctx, ApiRequest("GET", path, query=q, headers=headers or {}))


def _events(data) -> list[tuple[str, dict]]:
    if isinstance(data, list):
        data = b"".join(data)
    out = []
    for line in data.decode().splitlines():
        ev = json.loads(line)
        out.append((ev["type"], ev["object"]))
    return out


def _run(ctx, command: str) -> None:
    result = ctx.cluster.run(command)
    assert result.ok, result.output


def _pod_names(ctx) -> list[str]:
    return sorted(p["metadata"]["name"] for p in ctx.cluster.store.list("Pod", "default"))


def test_unset_resource_version_sends_the_current_matches_first_then_changes(ctx):
    resp = _watch(ctx)
    assert resp.status == 200 and resp.stream is not None
    first = _events(resp.body)
    assert [t for t, _ in first] == ["ADDED", "ADDED"]
    assert [o["metadata"]["name"] for _, o in first] == _pod_names(ctx)
    assert resp.stream.poll(ctx) == []
    _run(ctx, "kubectl run solo --image=nginx")
    later = _events(resp.stream.poll(ctx))
    assert later[0][0] == "ADDED" and later[0][1]["metadata"]["name"] == "solo"
    assert {t for t, _ in later[1:]} <= {"MODIFIED"}
    live = ctx.cluster.store.get("/registry/pods/default/solo")
    assert later[-1][1]["metadata"]["resourceVersion"] == live["metadata"]["resourceVersion"]


def test_resource_version_zero_is_like_unset(ctx):
    assert [t for t, _ in _events(_watch(ctx, resourceVersion="0").body)] == ["ADDED", "ADDED"]


def test_a_specific_resource_version_sends_only_later_changes(ctx):
    rv = ctx.cache.revision
    _run(ctx, "kubectl run solo --image=nginx")
    resp = _watch(ctx, resourceVersion=str(rv))
    events = _events(resp.body)
    assert events[0][0] == "ADDED" and events[0][1]["metadata"]["name"] == "solo"
    assert all(o["metadata"]["name"] == "solo" for _, o in events)
    assert all(int(o["metadata"]["resourceVersion"]) > rv for _, o in events)
    # from the current revision: nothing until something changes
    resp2 = _watch(ctx, resourceVersion=str(ctx.cache.revision))
    assert resp2.body == b""
    _run(ctx, "kubectl delete pod solo --grace-period=0 --force")
    types = [t for t, o in _events(resp2.stream.poll(ctx)) if o["metadata"]["name"] == "solo"]
    assert types[-1] == "DELETED"


def test_deleted_event_carries_the_last_state_with_the_deletion_resource_version(ctx):
    resp = _watch(ctx, resourceVersion=str(ctx.cache.revision), fieldSelector="metadata.name=solo")
    _run(ctx, "kubectl run solo --image=nginx")
    ctx.cluster.advance(10)
    resp.stream.poll(ctx)
    _run(ctx, "kubectl delete pod solo --grace-period=0 --force")
    ctx.cluster.advance(5)
    events = _events(resp.stream.poll(ctx))
    deleted = [o for t, o in events if t == "DELETED"]
    assert len(deleted) == 1
    assert deleted[0]["metadata"]["name"] == "solo"
    assert deleted[0]["spec"]["containers"][0]["image"] == "nginx"
    [gone] = [ch for ch in ctx.cache.changes if ch.type == "DELETED" and ch.obj["metadata"]["name"] == "solo"]
    assert deleted[0]["metadata"]["resourceVersion"] == str(gone.rv)


def test_too_old_resource_version_is_one_410_error_event_and_the_end(ctx):
    floor = ctx.cache.floor
    resp = _watch(ctx, resourceVersion="1")
    assert resp.status == 200
    [(etype, obj)] = _events(resp.body)
    assert etype == "ERROR"
    assert obj == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": f"too old resource version: 1 ({floor})",
        "reason": "Expired",
        "code": 410,
    }
    assert resp.stream.finished


def test_label_selector_transitions_become_added_and_deleted(ctx):
    name = _pod_names(ctx)[0]
    resp = _watch(ctx, labelSelector="tier=front")
    assert resp.body == b""
    _run(ctx, f"kubectl label pod {name} tier=front")
    [(etype, obj)] = _events(resp.stream.poll(ctx))
    assert etype == "ADDED" and obj["metadata"]["name"] == name
    _run(ctx, f"kubectl annotate pod {name} note=x")
    [(etype, obj)] = _events(resp.stream.poll(ctx))
    assert etype == "MODIFIED" and obj["metadata"]["annotations"]["note"] == "x"
    _run(ctx, f"kubectl label pod {name} tier=back --overwrite")
    [(etype, obj)] = _events(resp.stream.poll(ctx))
    # the previous content (still tier=front), stamped with the change's resourceVersion
    assert etype == "DELETED"
    assert obj["metadata"]["labels"]["tier"] == "front"
    assert (
        obj["metadata"]["resourceVersion"]
        == ctx.cluster.store.get(f"/registry/pods/default/{name}")["metadata"]["resourceVersion"]
    )


def test_watch_list_sends_added_then_the_initial_events_end_bookmark(ctx):
    resp = _watch(
        ctx, sendInitialEvents="true", resourceVersionMatch="NotOlderThan", allowWatchBookmarks="true"
    )
    events = _events(resp.body)
    assert [t for t, _ in events] == ["ADDED", "ADDED", "BOOKMARK"]
    assert events[-1][1] == {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {
            "resourceVersion": str(ctx.cache.revision),
            "annotations": {"k8s.io/initial-events-end": "true"},
        },
    }
    _run(ctx, "kubectl run solo --image=nginx")
    assert _events(resp.stream.poll(ctx))[0][0] == "ADDED"


def test_watch_list_with_a_field_selector_for_rollout_status(ctx):
    resp = _watch(
        ctx,
        "/apis/apps/v1/namespaces/default/deployments",
        fieldSelector="metadata.name=web",
        sendInitialEvents="true",
        resourceVersionMatch="NotOlderThan",
        allowWatchBookmarks="true",
        timeoutSeconds="540",
    )
    events = _events(resp.body)
    assert [(t, o["metadata"].get("name")) for t, o in events] == [("ADDED", "web"), ("BOOKMARK", None)]
    assert resp.timeout == 540


@pytest.mark.parametrize(
    "query, message",
    [
        (
            {"sendInitialEvents": "true"},
            "resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to "
            "NotOlderThan",
        ),
        (
            {"resourceVersionMatch": "NotOlderThan"},
            "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless "
            "sendInitialEvents is provided",
        ),
        (
            {"sendInitialEvents": "true", "resourceVersionMatch": "Exact"},
            "[resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to "
            'NotOlderThan, resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"]',
        ),
    ],
)
def test_invalid_watch_options_are_422(ctx, query, message):
    resp = _watch(ctx, **query)
    assert resp.status == 422 and resp.stream is None
    body = resp.json()
    assert body["reason"] == "Invalid"
    assert body["message"] == f'ListOptions.meta.k8s.io "" is invalid: {message}'
    assert body["details"]["kind"] == "ListOptions" and body["details"]["group"] == "meta.k8s.io"


def test_bad_label_selector_is_400_and_no_stream(ctx):
    resp = _watch(ctx, labelSelector="=x")
    assert resp.status == 400 and resp.stream is None
    assert resp.json()["reason"] == "BadRequest"


def test_namespace_and_kind_scoping(ctx):
    _run(ctx, "kubectl create namespace other")
    in_default = _watch(ctx, resourceVersion=str(ctx.cache.revision))
    all_ns = _watch(ctx, "/api/v1/pods", resourceVersion=str(ctx.cache.revision))
    deployments = _watch(
        ctx, "/apis/apps/v1/namespaces/default/deployments", resourceVersion=str(ctx.cache.revision)
    )
    _run(ctx, "kubectl run elsewhere --image=nginx -n other")
    assert _events(in_default.stream.poll(ctx)) == []
    assert {o["metadata"]["name"] for _, o in _events(all_ns.stream.poll(ctx))} == {"elsewhere"}
    assert _events(deployments.stream.poll(ctx)) == []


def test_timeout_ends_the_stream_and_bookmarks_come_periodically(ctx):
    now = [1000.0]
    req = ApiRequest(
        "GET",
        PODS,
        query={
            "watch": ["1"],
            "timeoutSeconds": ["150"],
            "allowWatchBookmarks": ["true"],
            "resourceVersion": [str(ctx.cache.revision)],
        },
    )
    from visualizer.kubeapi import catalog
    from visualizer.kubeapi.router import route

    resp = watch.start(ctx, req, catalog.find("", "v1", "pods"), route(PODS), clock=lambda: now[0])
    assert resp.timeout == 150
    now[0] += 30
    assert resp.stream.poll(ctx) == [] and not resp.stream.finished
    now[0] += 31
    [(etype, obj)] = _events(resp.stream.poll(ctx))
    assert etype == "BOOKMARK" and obj["metadata"] == {"resourceVersion": str(ctx.cache.revision)}
    now[0] += 100
    resp.stream.poll(ctx)
    assert resp.stream.finished


def test_a_replaced_store_ends_the_watch_with_410(ctx, base):
    resp = _watch(ctx, resourceVersion=str(ctx.cache.revision))
    fresh = Cluster.from_dict(base)
    ctx.sync(fresh)
    [(etype, obj)] = _events(resp.stream.poll(ctx))
    assert etype == "ERROR" and obj["code"] == 410 and obj["reason"] == "Expired"
    assert resp.stream.finished


def test_autoscaling_v1_watch_serves_the_v1_shape(ctx):
    _run(ctx, "kubectl autoscale deployment web --min=2 --max=4 --cpu=50%")
    v1 = _events(_watch(ctx, "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers").body)
    v2 = _events(_watch(ctx, "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers").body)
    assert v1[0][1]["apiVersion"] == "autoscaling/v1"
    assert v1[0][1]["spec"]["targetCPUUtilizationPercentage"] == 50
    assert v2[0][1]["apiVersion"] == "autoscaling/v2"
    assert "metrics" in v2[0][1]["spec"]


def _start(ctx, path, clock, **query):
    from visualizer.kubeapi import catalog
    from visualizer.kubeapi.router import route

    target = route(path)
    q = {"watch": ["true"]}
    q.update({k: [v] for k, v in query.items()})
    served = catalog.find(target.group, target.version, target.resource)
    return watch.start(ctx, ApiRequest("GET", path, query=q), served, target, clock=clock)


def test_event_watch_sends_new_and_repeated_events(ctx):
    now = [0.0]
    path = "/api/v1/namespaces/default/events"
    resp = _start(ctx, path, lambda: now[0], resourceVersion=str(ctx.cache.revision))
    assert resp.body == b""
    _run(ctx, "kubectl scale deployment web --replicas=3")
    now[0] += 1
    events = _events(resp.stream.poll(ctx))
    assert {t for t, _ in events} == {"ADDED"}
    reasons = [(o["reason"], o["involvedObject"]["kind"]) for _, o in events]
    assert reasons[0] == ("ScalingReplicaSet", "Deployment")
    assert ("SuccessfulCreate", "ReplicaSet") in reasons
    assert all(o["kind"] == "Event" and o["apiVersion"] == "v1" for _, o in events)
    # nothing new: nothing sent
    now[0] += 1
    assert resp.stream.poll(ctx) == []


def test_event_watch_from_any_version_and_selectors(ctx):
    now = [0.0]
    path = "/apis/events.k8s.io/v1/namespaces/default/events"
    resp = _start(ctx, path, lambda: now[0], fieldSelector="regarding.kind=Deployment")
    first = _events(resp.body)
    assert first and all(o["regarding"]["kind"] == "Deployment" for _, o in first)
    assert all(t == "ADDED" and o["apiVersion"] == "events.k8s.io/v1" for t, o in first)
    _run(ctx, "kubectl scale deployment web --replicas=1")
    now[0] += 1
    later = _events(resp.stream.poll(ctx))
    assert [(t, o["note"]) for t, o in later] == [
        ("ADDED", f"Scaled down replica set {_rs_name(ctx)} from 2 to 1")
    ]


def _rs_name(ctx) -> str:
    [rs] = ctx.cluster.store.list("ReplicaSet", "default")
    return rs["metadata"]["name"]


def test_malformed_resource_version_is_422_from_storage(ctx):
    resp = _watch(ctx, "/apis/apps/v1/namespaces/default/deployments", resourceVersion="abc")
    assert resp.status == 422 and resp.stream is None
    body = resp.json()
    assert body["message"] == (
        'deployments.apps "" is invalid: resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": '
        "invalid syntax"
    )
    assert body["details"]["causes"][0]["field"] == "resourceVersion"


def test_lease_watch_sends_renewals(ctx):
    now = [0.0]
    path = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"
    resp = _start(ctx, path, lambda: now[0], fieldSelector="metadata.name=worker-1")
    [(etype, lease)] = _events(resp.body)
    assert etype == "ADDED" and lease["spec"]["holderIdentity"] == "worker-1"
    ctx.cluster.advance(30)
    now[0] += 1
    later = _events(resp.stream.poll(ctx))
    assert later and {t for t, _ in later} == {"MODIFIED"}
    assert later[-1][1]["spec"]["renewTime"] > lease["spec"]["renewTime"]


def test_a_simulator_fault_ends_the_watch_with_an_internal_error_event(ctx, monkeypatch):
    resp = _watch(ctx, resourceVersion=str(ctx.cache.revision))

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(resp.stream.inner, "_changes", broken)  # server.py wraps it (timeshift)
    [(etype, obj)] = _events(resp.stream.poll(ctx))
    assert etype == "ERROR" and obj["code"] == 500 and obj["reason"] == "InternalError"
    assert "boom" not in obj["message"] and resp.stream.finished

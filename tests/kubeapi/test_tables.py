"""Server-side Tables: column definitions as printers.go, cells from the console printers, row objects per
`includeObject`, Accept negotiation; and the typed lists, 404s and events/leases answered without kubectl."""

from __future__ import annotations

import pytest

from visualizer.engine import Cluster
from visualizer.engine.clock import EPOCH
from visualizer.engine.kubectl import printers
from visualizer.engine.objects import BY_KIND
from visualizer.kubeapi import catalog, server, tables
from visualizer.kubeapi.context import ApiContext
from visualizer.kubeapi.http import ApiRequest

T_ACCEPT = (
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,"
    "application/json"
)


@pytest.fixture(scope="module")
def ctx():
    c = Cluster(workers=2, seed=5)
    assert c.run("kubectl create deployment web --image=nginx --replicas=2").ok
    assert c.run("kubectl expose deployment web --port=80").ok
    c.advance(30)
    # The client's clock is the simulation's own here, so answers carry the store's timestamps unshifted.
    return ApiContext(c, wall=lambda: EPOCH.timestamp() + c.clock.now)


def get(ctx, path, accept="application/json", **query):
    req = ApiRequest("GET", path, query={k: [v] for k, v in query.items()}, headers={"accept": accept})
    return server.handle(ctx, req)


@pytest.mark.parametrize(
    "served", [s for s in catalog.SERVED if s.engine_kind], ids=lambda s: s.group_version + "/" + s.plural
)
def test_every_engine_kind_has_its_printers_go_columns(served):
    """The console's wide headers are the upper-cased printers.go names, in order (or the default table)."""
    c = Cluster(workers=1, seed=1)
    headers = printers.rows_for(served.kind, [], c.clock.now, True, False, c)[0]
    defs = tables.column_definitions(served.kind)
    assert [d["name"].upper() for d in defs] == headers
    narrow = printers.rows_for(served.kind, [], c.clock.now, False, False, c)[0]
    assert [d["name"].upper() for d in defs if d["priority"] == 0] == narrow
    assert defs[0]["format"] == "name"


def test_pod_table_shape(ctx):
    resp = get(ctx, "/api/v1/namespaces/default/pods", T_ACCEPT, limit="500")
    table = resp.json()
    assert resp.status == 200 and table["kind"] == "Table" and table["apiVersion"] == "meta.k8s.io/v1"
    assert table["metadata"]["resourceVersion"] == str(ctx.cluster.store.revision)
    names = [d["name"] for d in table["columnDefinitions"]]
    assert names == [
        "Name",
        "Ready",
        "Status",
        "Restarts",
        "Age",
        "IP",
        "Node",
        "Nominated Node",
        "Readiness Gates",
    ]
    assert [d["priority"] for d in table["columnDefinitions"]] == [0, 0, 0, 0, 0, 1, 1, 1, 1]
    row = table["rows"][0]
    assert len(row["cells"]) == 9 and row["cells"][1:5] == ["1/1", "Running", "0", "30s"]
    assert row["object"]["kind"] == "PartialObjectMetadata"
    assert row["object"]["apiVersion"] == "meta.k8s.io/v1"
    assert row["object"]["metadata"]["labels"]["app"] == "web"


@pytest.mark.parametrize(
    ("include", "kind"), [("Object", "Pod"), ("None", None), ("Metadata", "PartialObjectMetadata")]
)
def test_include_object(ctx, include, kind):
    table = get(ctx, "/api/v1/pods", T_ACCEPT, includeObject=include).json()
    row = table["rows"][0]
    assert (row.get("object") or {}).get("kind") == kind


def test_table_v1beta1_and_single_object(ctx):
    accept = "application/json;as=Table;v=v1beta1;g=meta.k8s.io"
    table = get(ctx, "/apis/apps/v1/namespaces/default/deployments/web", accept).json()
    assert table["apiVersion"] == "meta.k8s.io/v1beta1"
    dep = ctx.cluster.store.get("/registry/deployments/default/web")
    assert table["metadata"]["resourceVersion"] == dep["metadata"]["resourceVersion"]
    assert table["rows"][0]["cells"][:4] == ["web", "2/2", "2", "2"]


def test_default_table_for_kinds_without_a_printer(ctx):
    limits = {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {"name": "mem", "namespace": "default"},
        "spec": {"limits": [{"type": "Container", "default": {"memory": "512Mi"}}]},
    }
    ctx.cluster.api.create(ctx.cluster.api.admit(limits), "test")
    try:
        table = get(ctx, "/api/v1/namespaces/default/limitranges", T_ACCEPT).json()
        assert [(d["name"], d["type"]) for d in table["columnDefinitions"]] == [
            ("Name", "string"),
            ("Created At", "date"),
        ]
        assert table["rows"][0]["cells"] == ["mem", "2025-03-03T09:00:30Z"]
    finally:
        ctx.cluster.store.delete("/registry/limitranges/default/mem")


def test_typed_lists_carry_the_group_version(ctx):
    data = get(ctx, "/apis/apps/v1/namespaces/default/replicasets").json()
    assert data["kind"] == "ReplicaSetList" and data["apiVersion"] == "apps/v1"
    assert data["metadata"]["resourceVersion"] == str(ctx.cluster.store.revision)
    data = get(ctx, "/api/v1/nodes").json()
    assert data["kind"] == "NodeList" and [n["metadata"]["name"] for n in data["items"]] == [
        "control-plane",
        "worker-1",
        "worker-2",
    ]


def test_get_returns_the_stored_object(ctx):
    assert get(ctx, "/api/v1/namespaces/default/services/web").json() == ctx.cluster.store.get(
        "/registry/services/specs/default/web"
    )


@pytest.mark.parametrize(
    ("path", "message", "kind", "group"),
    [
        ("/api/v1/namespaces/default/pods/nope", 'pods "nope" not found', "pods", None),
        (
            "/apis/apps/v1/namespaces/default/deployments/nope",
            'deployments.apps "nope" not found',
            "deployments",
            "apps",
        ),
        ("/api/v1/nodes/nope", 'nodes "nope" not found', "nodes", None),
    ],
)
def test_not_found_status(ctx, path, message, kind, group):
    resp = get(ctx, path)
    body = resp.json()
    assert resp.status == 404 and body["reason"] == "NotFound" and body["message"] == message
    assert body["details"]["kind"] == kind and body["details"].get("group") == group


def test_wrong_scope_paths_are_not_routes(ctx):
    assert get(ctx, "/api/v1/namespaces/default/nodes").status == 404
    assert get(ctx, "/api/v1/pods/x").status == 404


def test_bad_selector_is_a_400_and_not_acceptable_is_406(ctx):
    resp = get(ctx, "/api/v1/pods", labelSelector="a in b")
    assert (
        resp.status == 400
        and resp.json()["message"] == "unable to parse requirement: found 'b' expected: '('"
    )
    resp = get(ctx, "/api/v1/pods", fieldSelector="spec.nodeName")
    assert resp.json()["message"] == "invalid selector: 'spec.nodeName'; can't understand 'spec.nodeName'"
    assert get(ctx, "/api/v1/pods", accept="text/html").status == 406


def test_selectors_filter_lists(ctx):
    items = get(ctx, "/api/v1/pods", labelSelector="app=web", fieldSelector="spec.nodeName=worker-1").json()[
        "items"
    ]
    assert items and all(p["spec"]["nodeName"] == "worker-1" for p in items)
    assert (
        get(ctx, "/api/v1/pods", labelSelector="app notin (web),k8s-app").json()["items"][0]["metadata"][
            "namespace"
        ]
        == "kube-system"
    )
    names = [
        n["metadata"]["name"]
        for n in get(ctx, "/api/v1/nodes", fieldSelector="spec.unschedulable=false").json()["items"]
    ]
    assert len(names) == 3


def test_events_core_and_events_k8s_io(ctx):
    dep = ctx.cluster.store.get("/registry/deployments/default/web")
    sel = (
        f"involvedObject.kind=Deployment,involvedObject.name=web,involvedObject.uid={dep['metadata']['uid']}"
    )
    core = get(ctx, "/api/v1/namespaces/default/events", fieldSelector=sel).json()
    assert core["kind"] == "EventList" and core["apiVersion"] == "v1"
    assert [e["reason"] for e in core["items"]] == ["ScalingReplicaSet"]
    ev = core["items"][0]
    assert (
        ev["involvedObject"]["uid"] == dep["metadata"]["uid"]
        and ev["source"]["component"] == "deployment-controller"
    )
    new = get(
        ctx, "/apis/events.k8s.io/v1/namespaces/default/events", fieldSelector="regarding.name=web"
    ).json()
    assert new["apiVersion"] == "events.k8s.io/v1" and new["items"][0]["note"] == ev["message"]
    assert new["items"][0]["regarding"]["kind"] == "Deployment"
    one = get(ctx, f"/api/v1/namespaces/default/events/{ev['metadata']['name']}").json()
    assert one["metadata"]["name"] == ev["metadata"]["name"]
    table = get(ctx, "/api/v1/namespaces/default/events", T_ACCEPT).json()
    assert [d["name"] for d in table["columnDefinitions"]][:4] == ["Last Seen", "Type", "Reason", "Object"]
    assert get(ctx, "/api/v1/namespaces/default/events", fieldSelector="involvedObject.foo=x").status == 400


def test_node_leases(ctx):
    lease = get(ctx, "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/worker-1").json()
    assert lease["kind"] == "Lease" and lease["spec"]["holderIdentity"] == "worker-1"
    assert lease["spec"]["leaseDurationSeconds"] == 40
    assert lease["spec"]["renewTime"] == "2025-03-03T09:00:30.000000Z"
    assert lease["metadata"]["ownerReferences"][0]["kind"] == "Node"
    listed = get(ctx, "/apis/coordination.k8s.io/v1/leases").json()
    assert [x["metadata"]["name"] for x in listed["items"]] == ["control-plane", "worker-1", "worker-2"]
    assert get(ctx, "/apis/coordination.k8s.io/v1/namespaces/default/leases/worker-1").status == 404


def test_hpa_v1_conversion():
    from visualizer.kubeapi.reads import hpa_v1

    v2 = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "minReplicas": 2,
            "maxReplicas": 5,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}},
                }
            ],
        },
        "status": {
            "currentReplicas": 2,
            "desiredReplicas": 3,
            "currentMetrics": [
                {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 80}}}
            ],
        },
    }
    v1 = hpa_v1(v2)
    assert v1["apiVersion"] == "autoscaling/v1"
    assert v1["spec"] == {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
        "minReplicas": 2,
        "maxReplicas": 5,
        "targetCPUUtilizationPercentage": 50,
    }
    assert v1["status"] == {"currentReplicas": 2, "desiredReplicas": 3, "currentCPUUtilizationPercentage": 80}


def test_negotiate():
    def n(accept):
        return tables.negotiate(ApiRequest("GET", "/", headers={"accept": accept}))

    assert n(T_ACCEPT) == tables.Wanted("Table", "v1")
    assert n("application/vnd.kubernetes.protobuf,application/json") == tables.Wanted()
    assert n("application/json;as=Table;v=v2;g=meta.k8s.io") is None
    assert n("") == tables.Wanted()
    assert n("*/*") == tables.Wanted()
    assert BY_KIND["Pod"].plural == "pods"

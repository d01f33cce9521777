"""Discovery: /version, /api, /apis (aggregated v2 and legacy), /apis/<group>, APIResourceList — driven by the
real kubectl v1.37.1 through the TLS harness, plus the pure document builders.

Expected values are the real kube-apiserver's (kubernetes api/discovery/*.json; reference §A1)."""

from __future__ import annotations

import json

import pytest

from tests.kubeapi.harness import ApiHarness
from visualizer.kubeapi import catalog, discovery
from visualizer.kubeapi.http import ApiRequest

AGGREGATED_ACCEPT = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"


@pytest.fixture(scope="module")
def api():
    with ApiHarness() as harness:
        yield harness


def _get(path: str, accept: str = "application/json", **headers) -> ApiRequest:
    return ApiRequest("GET", path, headers={"accept": accept, **headers})


# ---------------------------------------------------------------------------------------------- real kubectl
def test_kubectl_version_prints_the_server_version_without_a_skew_warning(api):
    rc, out, err = api.kubectl("version")
    assert rc == 0, err
    assert out.splitlines() == [
        "Client Version: v1.37.1",
        "Kustomize Version: v5.8.1",
        "Server Version: v1.37.1",
    ]
    assert err == ""
    assert ("GET", "/version?timeout=32s", "") in api.requests


def test_kubectl_version_json_reports_the_version_info_fields(api):
    rc, out, err = api.kubectl("version", "-o", "json")
    assert rc == 0, err
    server = json.loads(out)["serverVersion"]
    assert server["gitVersion"] == "v1.37.1"
    assert (server["major"], server["minor"]) == ("1", "37")
    assert server["platform"] == "linux/amd64"


def test_kubectl_api_resources_lists_every_served_resource(api):
    seen = len(api.requests)
    rc, out, err = api.kubectl("api-resources")
    assert rc == 0, err
    assert out.splitlines() == [
        "NAME                       SHORTNAMES   APIVERSION                 NAMESPACED   KIND",
        "configmaps                 cm           v1                         true         ConfigMap",
        "endpoints                  ep           v1                         true         Endpoints",
        "events                     ev           v1                         true         Event",
        "limitranges                limits       v1                         true         LimitRange",
        "namespaces                 ns           v1                         false        Namespace",
        "nodes                      no           v1                         false        Node",
        "persistentvolumeclaims     pvc          v1                         true         PersistentVolumeClaim",
        "persistentvolumes          pv           v1                         false        PersistentVolume",
        "pods                       po           v1                         true         Pod",
        "replicationcontrollers     rc           v1                         true         ReplicationController",
        "resourcequotas             quota        v1                         true         ResourceQuota",
        "secrets                                 v1                         true         Secret",
        "services                   svc          v1                         true         Service",
        "controllerrevisions                     apps/v1                    true         ControllerRevision",
        "daemonsets                 ds           apps/v1                    true         DaemonSet",
        "deployments                deploy       apps/v1                    true         Deployment",
        "replicasets                rs           apps/v1                    true         ReplicaSet",
        "statefulsets               sts          apps/v1                    true         StatefulSet",
        "selfsubjectreviews                      authentication.k8s.io/v1   false        SelfSubjectReview",
        "selfsubjectaccessreviews                authorization.k8s.io/v1    false        SelfSubjectAccessReview",
        "selfsubjectrulesreviews                 authorization.k8s.io/v1    false        SelfSubjectRulesReview",
        "horizontalpodautoscalers   hpa          autoscaling/v2             true         HorizontalPodAutoscaler",
        "cronjobs                   cj           batch/v1                   true         CronJob",
        "jobs                                    batch/v1                   true         Job",
        "leases                                  coordination.k8s.io/v1     true         Lease",
        "endpointslices                          discovery.k8s.io/v1        true         EndpointSlice",
        "events                     ev           events.k8s.io/v1           true         Event",
        "nodes                                   metrics.k8s.io/v1beta1     false        NodeMetrics",
        "pods                                    metrics.k8s.io/v1beta1     true         PodMetrics",
        "ingressclasses                          networking.k8s.io/v1       false        IngressClass",
        "ingresses                  ing          networking.k8s.io/v1       true         Ingress",
        "storageclasses             sc           storage.k8s.io/v1          false        StorageClass",
    ]
    # kubectl read the aggregated form: no per-group-version requests
    assert not any(path.startswith(("/api/v1", "/apis/apps/v1")) for _, path, _ in api.requests[seen:])


def test_kubectl_api_resources_wide_shows_verbs_and_categories(api):
    rc, out, err = api.kubectl("api-resources", "--api-group=batch", "-o", "wide")
    assert rc == 0, err
    verbs = "create,delete,deletecollection,get,list,patch,update,watch"
    assert out.splitlines() == [
        "NAME       SHORTNAMES   APIVERSION   NAMESPACED   KIND      VERBS" + " " * 56 + "CATEGORIES",
        f"cronjobs   cj           batch/v1     true         CronJob   {verbs}   all",
        f"jobs                    batch/v1     true         Job       {verbs}   all",
    ]


def test_kubectl_api_resources_cluster_scoped(api):
    rc, out, err = api.kubectl("api-resources", "--namespaced=false", "-o", "name")
    assert rc == 0, err
    assert out.splitlines() == [
        "namespaces",
        "nodes",
        "persistentvolumes",
        "selfsubjectreviews.authentication.k8s.io",
        "selfsubjectaccessreviews.authorization.k8s.io",
        "selfsubjectrulesreviews.authorization.k8s.io",
        "nodes.metrics.k8s.io",
        "ingressclasses.networking.k8s.io",
        "storageclasses.storage.k8s.io",
    ]


def test_kubectl_api_versions(api):
    rc, out, err = api.kubectl("api-versions")
    assert rc == 0, err
    assert out.splitlines() == [
        "apps/v1",
        "authentication.k8s.io/v1",
        "authorization.k8s.io/v1",
        "autoscaling/v1",
        "autoscaling/v2",
        "batch/v1",
        "coordination.k8s.io/v1",
        "discovery.k8s.io/v1",
        "events.k8s.io/v1",
        "metrics.k8s.io/v1beta1",
        "networking.k8s.io/v1",
        "storage.k8s.io/v1",
        "v1",
    ]


def test_kubectl_resolves_short_names_and_groups_through_discovery(api):
    rc, out, err = api.kubectl("api-resources", "--api-group=events.k8s.io", "-o", "name")
    assert (rc, out) == (0, "events.events.k8s.io\n"), err
    rc, out, err = api.kubectl("explain", "hpa")
    assert rc == 0, err
    assert out.splitlines()[:3] == [
        "GROUP:      autoscaling",
        "KIND:       HorizontalPodAutoscaler",
        "VERSION:    v2",
    ]


def test_kubectl_get_raw_reads_the_legacy_forms(api):
    rc, out, err = api.kubectl("get", "--raw", "/apis")
    assert rc == 0, err
    groups = json.loads(out)
    assert groups["kind"] == "APIGroupList"
    assert [g["name"] for g in groups["groups"]] == [
        "apps",
        "events.k8s.io",
        "authentication.k8s.io",
        "authorization.k8s.io",
        "autoscaling",
        "batch",
        "networking.k8s.io",
        "storage.k8s.io",
        "coordination.k8s.io",
        "discovery.k8s.io",
        "metrics.k8s.io",
    ]
    autoscaling = next(g for g in groups["groups"] if g["name"] == "autoscaling")
    assert autoscaling["preferredVersion"] == {"groupVersion": "autoscaling/v2", "version": "v2"}
    rc, out, err = api.kubectl("get", "--raw", "/api")
    assert rc == 0, err
    assert json.loads(out)["kind"] == "APIVersions"
    assert json.loads(out)["versions"] == ["v1"]


def test_kubectl_get_raw_api_v1_has_pods_eviction_for_drain(api):
    rc, out, err = api.kubectl("get", "--raw", "/api/v1")
    assert rc == 0, err
    body = json.loads(out)
    assert body["kind"] == "APIResourceList" and body["groupVersion"] == "v1"
    assert "apiVersion" not in body
    eviction = next(r for r in body["resources"] if r["name"] == "pods/eviction")
    assert eviction == {
        "name": "pods/eviction",
        "singularName": "",
        "namespaced": True,
        "group": "policy",
        "version": "v1",
        "kind": "Eviction",
        "verbs": ["create"],
    }


def test_kubectl_get_raw_unknown_group_is_not_found(api):
    rc, out, err = api.kubectl("get", "--raw", "/apis/nope.example.com")
    assert rc == 1
    assert "Error from server (NotFound): the server could not find the requested resource" in err


# ---------------------------------------------------------------------------------------------- documents
def test_aggregated_content_type_etag_and_304():
    resp = discovery.apis(_get("/apis", AGGREGATED_ACCEPT))
    assert resp.status == 200
    assert resp.content_type == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    headers = dict(resp.headers)
    assert headers["Vary"] == "Accept"
    etag = headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 10
    again = discovery.apis(_get("/apis", AGGREGATED_ACCEPT, **{"if-none-match": etag}))
    assert again.status == 304 and again.body == b""
    other = discovery.apis(_get("/apis", AGGREGATED_ACCEPT, **{"if-none-match": '"stale"'}))
    assert other.status == 200
    assert discovery.api(_get("/api", AGGREGATED_ACCEPT)).headers[0][1] != etag


@pytest.mark.parametrize(
    "accept, aggregated",
    [
        (AGGREGATED_ACCEPT, True),
        ("application/json;as=APIGroupDiscoveryList;v=v2;g=apidiscovery.k8s.io", True),
        ("application/json; g=apidiscovery.k8s.io; v=v2; as=APIGroupDiscoveryList; charset=utf-8", True),
        ("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json", False),
        ("application/json, */*", False),
        ("", False),
    ],
)
def test_wants_aggregated(accept, aggregated):
    assert discovery.wants_aggregated(_get("/apis", accept)) is aggregated


def test_legacy_answer_without_the_aggregated_accept():
    resp = discovery.apis(_get("/apis", "application/json, */*"))
    assert resp.content_type == "application/json"
    assert resp.json()["kind"] == "APIGroupList"
    assert discovery.api(_get("/api")).json()["kind"] == "APIVersions"


def test_every_aggregated_resource_and_subresource_has_a_response_kind():
    for core in (True, False):
        doc = discovery.aggregated_document(core)
        assert doc["kind"] == "APIGroupDiscoveryList" and doc["apiVersion"] == "apidiscovery.k8s.io/v2"
        for item in doc["items"]:
            for version in item["versions"]:
                assert version["freshness"] == "Current"
                for res in version["resources"]:
                    assert res["responseKind"]["kind"]
                    assert res["scope"] in ("Namespaced", "Cluster")
                    for sub in res.get("subresources", []):
                        assert sub["responseKind"]["kind"], (res["resource"], sub)
    core = discovery.aggregated_document(True)["items"]
    assert len(core) == 1 and core[0]["metadata"] == {} and core[0]["versions"][0]["version"] == "v1"


def test_aggregated_subresource_kinds():
    apps = next(i for i in discovery.aggregated_document(False)["items"] if i["metadata"]["name"] == "apps")
    deployments = next(r for r in apps["versions"][0]["resources"] if r["resource"] == "deployments")
    assert deployments["shortNames"] == ["deploy"] and deployments["categories"] == ["all"]
    subs = {s["subresource"]: s["responseKind"] for s in deployments["subresources"]}
    assert subs == {
        "scale": {"group": "autoscaling", "version": "v1", "kind": "Scale"},
        "status": {"group": "", "version": "", "kind": "Deployment"},
    }
    autoscaling = next(
        i for i in discovery.aggregated_document(False)["items"] if i["metadata"]["name"] == "autoscaling"
    )
    assert [v["version"] for v in autoscaling["versions"]] == ["v2", "v1"]


def test_metrics_group_is_discoverable():
    body = discovery.group_version(_get("/apis/metrics.k8s.io/v1beta1"), "metrics.k8s.io", "v1beta1").json()
    assert body["groupVersion"] == "metrics.k8s.io/v1beta1"
    assert [(r["name"], r["kind"], r["namespaced"], r["verbs"]) for r in body["resources"]] == [
        ("nodes", "NodeMetrics", False, ["get", "list"]),
        ("pods", "PodMetrics", True, ["get", "list"]),
    ]


def test_resource_list_entries_match_the_real_dump():
    body = discovery.resource_list("apps", "v1")
    assert body["apiVersion"] == "v1" and body["groupVersion"] == "apps/v1"
    names = [r["name"] for r in body["resources"]]
    assert names == sorted(names)
    deployments = next(r for r in body["resources"] if r["name"] == "deployments")
    assert deployments["storageVersionHash"] == "8aSe+NMegvE="
    assert deployments["singularName"] == "deployment"
    scale = next(r for r in body["resources"] if r["name"] == "deployments/scale")
    assert (scale["group"], scale["version"], scale["kind"]) == ("autoscaling", "v1", "Scale")
    status = next(r for r in body["resources"] if r["name"] == "deployments/status")
    assert "group" not in status and status["kind"] == "Deployment"
    namespaces = next(r for r in discovery.resource_list("", "v1")["resources"] if r["name"] == "namespaces")
    assert "deletecollection" not in namespaces["verbs"]


def test_group_and_group_version_not_found():
    assert discovery.group(_get("/apis/nope"), "nope").status == 404
    assert discovery.group_version(_get("/apis/apps/v2"), "apps", "v2").status == 404
    assert discovery.group_version(_get("/api/v2"), "", "v2").status == 404
    assert discovery.group(_get("/apis/apps"), "apps").json()["preferredVersion"]["version"] == "v1"


def test_catalog_lookups_still_work():
    assert catalog.find("apps", "v1", "deployments").kind == "Deployment"
    assert catalog.for_kind("HorizontalPodAutoscaler").version == "v2"
    assert catalog.find("metrics.k8s.io", "v1beta1", "pods").kind == "PodMetrics"
    assert catalog.for_kind("Pod").group == ""


def test_server_routes_every_discovery_path():
    """Through `server.handle`: each discovery path answers its document; a write method is refused."""
    from visualizer.engine import Cluster
    from visualizer.kubeapi import server
    from visualizer.kubeapi.context import ApiContext

    ctx = ApiContext(Cluster(workers=1, seed=1))
    kinds = {
        "/version": None,
        "/api": "APIVersions",
        "/apis": "APIGroupList",
        "/apis/apps": "APIGroup",
        "/api/v1": "APIResourceList",
        "/apis/autoscaling/v1": "APIResourceList",
        "/apis/metrics.k8s.io/v1beta1": "APIResourceList",
    }
    for path, kind in kinds.items():
        resp = server.handle(ctx, _get(path))
        assert resp.status == 200, path
        assert resp.json().get("kind") == kind, path
    assert server.handle(ctx, _get("/version")).json()["gitVersion"] == "v1.37.1"
    agg = server.handle(ctx, _get("/apis", AGGREGATED_ACCEPT))
    assert agg.json()["kind"] == "APIGroupDiscoveryList"
    assert server.handle(ctx, _get("/apis/nope/v1")).status == 404
    refused = server.handle(ctx, ApiRequest("POST", "/apis", body=b"{}"))
    assert refused.status == 405 and refused.json()["reason"] == "MethodNotAllowed"

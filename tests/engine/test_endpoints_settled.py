"""A pod write that lists the pod in no Endpoints before nor after queues no endpoints pass, unless the
Service's Endpoints are no longer the ones its last pass left (a user's edit must still be repaired)."""

from visualizer.engine.objects import clone

from .conftest import SERVICE, ok, web

SVC_KEY = "/registry/services/specs/default/web"


def _settled_cluster(cluster):
    ok(cluster, "kubectl apply -f -", web(2))
    ok(cluster, "kubectl apply -f -", SERVICE)
    cluster.advance(30)
    return cluster


def _svc_key(cluster):
    return next(k for k in cluster.store.by_kind["Service"] if k.endswith("/default/web"))


def test_a_pod_without_an_ip_queues_no_pass_for_a_settled_service(cluster):
    c = _settled_cluster(cluster)
    key = _svc_key(c)
    assert c.endpoints.settled(key)
    ok(c, "kubectl scale deployment/web --replicas=3")
    # The new pod has no IP yet: the Service's pass would find nothing to change, so none is queued.
    assert key not in c.queues["endpoints"]
    c.advance(30)
    ep = c.store.get(key.replace("/services/specs/", "/services/endpoints/"))
    assert len(ep["subsets"][0]["addresses"]) == 3


def test_an_edited_endpoints_object_is_repaired_by_the_next_pod_write(cluster):
    c = _settled_cluster(cluster)
    key = _svc_key(c)
    ep_key = key.replace("/services/specs/", "/services/endpoints/")
    edited = clone(c.store.get(ep_key))
    edited["subsets"][0]["addresses"] = edited["subsets"][0]["addresses"][:1]
    c.api.update_status(edited, "user")
    assert not c.endpoints.settled(key)
    ok(c, "kubectl scale deployment/web --replicas=3")
    c.advance(0)  # the new pod (no IP yet) still makes the controller look at the edited Endpoints
    assert len(c.store.get(ep_key)["subsets"][0]["addresses"]) == 2

"""`kubectl describe` in the engine prints what the real kubectl v1.37.1 prints for the same objects.

The stand-in server of tests/kubectl_oracle.py serves the engine's own objects (plus the fields a real API
server defaults that the engine does not store: `priority: 0` and `serviceAccountName: default` on pods) and
the lists each describer reads (ReplicaSets, pods, EndpointSlices, the node Lease). Events are served empty:
their AGE is computed by kubectl from the wall clock, so the comparison stops at the `Events:` line.
"""

import json

import pytest

from tests.engine.conftest import SERVICE, ok, web
from tests.kubectl_oracle import Oracle
from visualizer.engine import Cluster

EMPTY_EVENTS = {"kind": "EventList", "apiVersion": "v1", "metadata": {}, "items": []}


@pytest.fixture(scope="module")
def oracle():
    """The real kubectl with the stand-in server (skips when the wheel is missing)."""
    o = Oracle()
    o.serve_path("/api/v1/namespaces/default/events", EMPTY_EVENTS)
    o.serve_path("/api/v1/events", EMPTY_EVENTS)
    yield o
    o.close()


@pytest.fixture(scope="module")
def world():
    """A cluster running the `web` Deployment (2 pods) and its Service, 60 s after apply."""
    c = Cluster(workers=2, seed=7)
    ok(c, "kubectl apply -f -", stdin=web(2))
    ok(c, "kubectl apply -f -", stdin=SERVICE)
    ok(c, "kubectl label deployment web tier=frontend")
    c.advance(60)
    return c


def _items(c, what):
    return json.loads(ok(c, f"kubectl get {what} -o json").output)["items"]


def _as_real_server_stores(pod: dict) -> dict:
    pod = json.loads(json.dumps(pod))
    pod["spec"].setdefault("priority", 0)
    pod["spec"].setdefault("serviceAccountName", "default")
    pod["spec"].setdefault("serviceAccount", "default")
    return pod


def _serve_lists(oracle, c):
    pods = [_as_real_server_stores(p) for p in _items(c, "pods")]
    for p in pods:
        oracle.serve(p)
    oracle.serve_path(
        "/api/v1/namespaces/default/pods",
        {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": pods},
    )
    oracle.serve_path("/api/v1/pods", {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": pods})
    rses = _items(c, "replicasets")
    oracle.serve_path(
        "/apis/apps/v1/namespaces/default/replicasets",
        {"kind": "ReplicaSetList", "apiVersion": "apps/v1", "metadata": {}, "items": rses},
    )
    for obj in _items(c, "deployments") + rses + _items(c, "services"):
        oracle.serve(obj)
    return pods


def _until_events(text: str) -> str:
    return text[: text.index("\nEvents:")] if "\nEvents:" in text else text


def _compare(oracle, c, words: list[str]):
    code, out, err = oracle.run(words, server=True)
    assert code == 0, err
    engine = ok(c, "kubectl " + " ".join(words)).output
    assert _until_events(engine) == _until_events(out.rstrip("\n"))


def _without_warning(output: str) -> str:
    """Drops the console's first line when it is the API server's Endpoints deprecation warning (kubectl
    prints it to stderr; the console shows both streams)."""
    return output.split("\n", 1)[1] if output.startswith("Warning: ") else output


def test_describe_pod_matches_real_kubectl(oracle, world):
    """describe pod: header fields, IPs block, container block, conditions with trailing spaces, tolerations."""
    pods = _serve_lists(oracle, world)
    _compare(oracle, world, ["describe", "pod", pods[0]["metadata"]["name"]])


def test_describe_deployment_matches_real_kubectl(oracle, world):
    """describe deployment: RollingUpdateStrategy, the Pod Template block, conditions, New/OldReplicaSets."""
    _serve_lists(oracle, world)
    _compare(oracle, world, ["describe", "deployment", "web"])


def test_describe_replicaset_matches_real_kubectl(oracle, world):
    """describe replicaset: Controlled By, Replicas, Pods Status and the template."""
    _serve_lists(oracle, world)
    rs = _items(world, "replicasets")[0]["metadata"]["name"]
    _compare(oracle, world, ["describe", "replicaset", rs])


def test_describe_service_matches_real_kubectl(oracle, world):
    """describe service: IP families, IPs, port lines and the endpoints from the EndpointSlice."""
    _serve_lists(oracle, world)
    endpoints = json.loads(_without_warning(ok(world, "kubectl get endpoints web -o json").output))
    subset = (endpoints.get("subsets") or [{}])[0]
    ready = [a["ip"] for a in subset.get("addresses") or []]
    port = (subset.get("ports") or [{"port": 80}])[0]["port"]
    oracle.serve_path(
        "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
        {
            "kind": "EndpointSliceList",
            "apiVersion": "discovery.k8s.io/v1",
            "metadata": {},
            "items": [
                {
                    "metadata": {"name": "web-abcde", "namespace": "default"},
                    "addressType": "IPv4",
                    "ports": [{"name": "", "port": port, "protocol": "TCP"}],
                    "endpoints": [{"addresses": [ip], "conditions": {"ready": True}} for ip in ready],
                }
            ],
        },
    )
    _compare(oracle, world, ["describe", "service", "web"])


def test_describe_node_without_pods_matches_real_kubectl(oracle):
    """describe node (one with no pods; pod ages come from kubectl's wall clock): conditions table, Lease,
    capacity, system info and allocated resources."""
    c = Cluster(workers=2, seed=7)
    # Every node runs a kube-proxy pod (a DaemonSet); kubectl ages pods by its own wall clock, so remove them.
    ok(c, "kubectl delete daemonset kube-proxy -n kube-system")
    c.advance(40)
    node = next(n for n in _items(c, "nodes") if n["metadata"]["name"] == "worker-1")
    oracle.serve_path("/api/v1/events", EMPTY_EVENTS)
    oracle.serve_path("/api/v1/namespaces/default/events", EMPTY_EVENTS)
    oracle.serve_path(f"/api/v1/nodes/{node['metadata']['name']}", node)
    oracle.serve_path("/api/v1/pods", {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": []})
    from visualizer.engine.node_heartbeat import lease_renew_time

    # The kubelet renews its Lease every 10 s: at 40 s the renewTime is 40 s, not the status heartbeat (0 s).
    renew = lease_renew_time(c, node)
    assert renew == "2025-03-03T09:00:40Z"
    oracle.serve_path(
        f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{node['metadata']['name']}",
        {
            "kind": "Lease",
            "apiVersion": "coordination.k8s.io/v1",
            "metadata": {"name": node["metadata"]["name"], "namespace": "kube-node-lease"},
            "spec": {
                "holderIdentity": node["metadata"]["name"],
                "renewTime": renew.replace("Z", ".000000Z"),
            },
        },
    )
    assert not c.store.pods_on("worker-1")
    _compare(oracle, c, ["describe", "node", "worker-1"])


def _v1_events(c, kind: str, name: str, namespace: str = "default") -> dict:
    """Returns the engine's events about one object as a v1 EventList whose timestamps are the same ages
    before the wall clock (kubectl computes AGE from its own clock)."""
    import datetime

    from visualizer.engine.kubectl.describe import _source

    wall = datetime.datetime.now(datetime.UTC)
    items = []
    for i, e in enumerate(
        ev for ev in c.events if not ev.get("synthetic") and ev["object"] == f"{kind}/{name}"
    ):
        at = (wall - datetime.timedelta(seconds=int(c.clock.now - e["time"]))).strftime("%Y-%m-%dT%H:%M:%SZ")
        items.append(
            {
                "metadata": {"name": f"{name}.{i}", "namespace": namespace},
                "involvedObject": {"kind": kind.capitalize(), "name": name, "namespace": namespace},
                "reason": e["reason"],
                "message": e["message"],
                "type": e["type"],
                "source": {"component": _source(e["component"])},
                "firstTimestamp": at,
                "lastTimestamp": at,
                "count": 1,
            }
        )
    return {"kind": "EventList", "apiVersion": "v1", "metadata": {}, "items": items}


def test_describe_pod_events_table_matches_real_kubectl(oracle):
    """The Events table (Type, Reason, Age, From, Message) is flushed and aligned on its own, as kubectl does.

    Ages are hours old so the second or so between the two clocks cannot change the printed minute.
    """
    c = Cluster(workers=2, seed=7)
    ok(c, "kubectl run web --image=nginx:1.20")
    c.advance(4 * 3600 + 1800)
    pod = _as_real_server_stores(_items(c, "pods")[0])
    oracle.serve(pod)
    oracle.serve_path("/api/v1/namespaces/default/events", _v1_events(c, "pod", "web"))
    try:
        code, out, err = oracle.run(["describe", "pod", "web"], server=True)
    finally:
        oracle.serve_path("/api/v1/namespaces/default/events", EMPTY_EVENTS)
    assert code == 0, err
    engine = ok(c, "kubectl describe pod web").output
    assert "\nEvents:\n  Type    Reason     Age    From               Message\n" in engine
    assert engine == out.rstrip("\n")


def test_describe_several_pods_sorted_and_two_blank_lines_apart(oracle, world):
    """`kubectl describe pods` describes every pod in name order, separated by two blank lines."""
    _serve_lists(oracle, world)
    code, out, err = oracle.run(["describe", "pods"], server=True)
    assert code == 0, err
    engine = ok(world, "kubectl describe pods").output
    real_parts = out.rstrip("\n").split("\n\n\nName:")
    engine_parts = engine.split("\n\n\nName:")
    assert len(engine_parts) == len(real_parts) == 2
    for mine, theirs in zip(engine_parts, real_parts, strict=True):
        assert _until_events(mine) == _until_events(theirs)


# Objects of kinds other branches add, as a v1.3x API server stores them (defaults filled in). The engine's
# describers for them are called directly until those kinds are served.
JOB = {
    "apiVersion": "batch/v1",
    "kind": "Job",
    "metadata": {
        "name": "pi",
        "namespace": "default",
        "uid": "0b2f5c9e-0000-4000-8000-000000000001",
        "creationTimestamp": "2025-03-03T09:00:00Z",
        "labels": {"batch.kubernetes.io/job-name": "pi", "job-name": "pi"},
    },
    "spec": {
        "parallelism": 1,
        "completions": 1,
        "backoffLimit": 4,
        "completionMode": "NonIndexed",
        "suspend": False,
        "selector": {
            "matchLabels": {"batch.kubernetes.io/controller-uid": "0b2f5c9e-0000-4000-8000-000000000001"}
        },
        "template": {
            "metadata": {"labels": {"batch.kubernetes.io/job-name": "pi", "job-name": "pi"}},
            "spec": {
                "containers": [
                    {
                        "name": "pi",
                        "image": "perl:5.34.0",
                        "command": ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"],
                    }
                ],
                "restartPolicy": "Never",
            },
        },
    },
    "status": {
        "startTime": "2025-03-03T09:00:00Z",
        "completionTime": "2025-03-03T09:01:05Z",
        "succeeded": 1,
        "ready": 0,
    },
}
CRONJOB = {
    "apiVersion": "batch/v1",
    "kind": "CronJob",
    "metadata": {"name": "hello", "namespace": "default", "creationTimestamp": "2025-03-03T09:00:00Z"},
    "spec": {
        "schedule": "* * * * *",
        "concurrencyPolicy": "Allow",
        "suspend": False,
        "successfulJobsHistoryLimit": 3,
        "failedJobsHistoryLimit": 1,
        "jobTemplate": {
            "spec": {
                "template": {
                    "spec": {
                        "containers": [
                            {
                                "name": "hello",
                                "image": "busybox:1.28",
                                "command": ["/bin/sh", "-c", "date; echo Hello from the Kubernetes cluster"],
                            }
                        ],
                        "restartPolicy": "OnFailure",
                    }
                }
            }
        },
    },
    "status": {
        "lastScheduleTime": "2025-03-03T09:02:00Z",
        "active": [{"kind": "Job", "name": "hello-29022302"}],
    },
}
DAEMONSET = {
    "apiVersion": "apps/v1",
    "kind": "DaemonSet",
    "metadata": {
        "name": "fluentd-elasticsearch",
        "namespace": "default",
        "uid": "0b2f5c9e-0000-4000-8000-000000000002",
        "labels": {"k8s-app": "fluentd-logging"},
        "annotations": {"deprecated.daemonset.template.generation": "1"},
    },
    "spec": {
        "selector": {"matchLabels": {"name": "fluentd-elasticsearch"}},
        "template": {
            "metadata": {"labels": {"name": "fluentd-elasticsearch"}},
            "spec": {
                "tolerations": [
                    {
                        "key": "node-role.kubernetes.io/control-plane",
                        "operator": "Exists",
                        "effect": "NoSchedule",
                    }
                ],
                "containers": [
                    {
                        "name": "fluentd-elasticsearch",
                        "image": "quay.io/fluentd_elasticsearch/fluentd:v5.0.1",
                        "resources": {
                            "limits": {"memory": "200Mi"},
                            "requests": {"cpu": "100m", "memory": "200Mi"},
                        },
                        "volumeMounts": [{"name": "varlog", "mountPath": "/var/log"}],
                    }
                ],
                "volumes": [{"name": "varlog", "hostPath": {"path": "/var/log", "type": ""}}],
            },
        },
    },
    "status": {
        "desiredNumberScheduled": 3,
        "currentNumberScheduled": 3,
        "updatedNumberScheduled": 3,
        "numberAvailable": 3,
    },
}
STATEFULSET = {
    "apiVersion": "apps/v1",
    "kind": "StatefulSet",
    "metadata": {
        "name": "web",
        "namespace": "default",
        "uid": "0b2f5c9e-0000-4000-8000-000000000003",
        "creationTimestamp": "2025-03-03T09:00:00Z",
    },
    "spec": {
        "replicas": 3,
        "selector": {"matchLabels": {"app": "nginx"}},
        "serviceName": "nginx",
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
        "template": {
            "metadata": {"labels": {"app": "nginx"}},
            "spec": {
                "containers": [
                    {
                        "name": "nginx",
                        "image": "registry.k8s.io/nginx-slim:0.24",
                        "ports": [{"containerPort": 80, "name": "web", "protocol": "TCP"}],
                        "volumeMounts": [{"name": "www", "mountPath": "/usr/share/nginx/html"}],
                    }
                ]
            },
        },
        "volumeClaimTemplates": [
            {
                "metadata": {"name": "www"},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "storageClassName": "my-storage-class",
                    "resources": {"requests": {"storage": "1Gi"}},
                },
            }
        ],
    },
    "status": {"replicas": 3},
}
QUOTA = {
    "apiVersion": "v1",
    "kind": "ResourceQuota",
    "metadata": {"name": "compute-resources", "namespace": "default"},
    "spec": {
        "hard": {"requests.cpu": "1", "requests.memory": "1Gi", "pods": "4"},
        "scopes": ["NotBestEffort"],
    },
    "status": {
        "hard": {"pods": "4", "requests.cpu": "1", "requests.memory": "1Gi"},
        "used": {"pods": "1", "requests.cpu": "100m", "requests.memory": "64Mi"},
    },
}
INGRESS = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "Ingress",
    "metadata": {
        "name": "minimal-ingress",
        "namespace": "default",
        "annotations": {"nginx.ingress.kubernetes.io/rewrite-target": "/"},
    },
    "spec": {
        "ingressClassName": "nginx-example",
        "tls": [{"hosts": ["foo.bar.com"], "secretName": "testsecret-tls"}],
        "rules": [
            {
                "host": "foo.bar.com",
                "http": {
                    "paths": [
                        {
                            "path": "/testpath",
                            "pathType": "Prefix",
                            "backend": {"service": {"name": "web", "port": {"number": 80}}},
                        }
                    ]
                },
            }
        ],
    },
    "status": {"loadBalancer": {}},
}

_PLURAL = {
    "Job": "/apis/batch/v1/namespaces/default/jobs/",
    "CronJob": "/apis/batch/v1/namespaces/default/cronjobs/",
    "DaemonSet": "/apis/apps/v1/namespaces/default/daemonsets/",
    "StatefulSet": "/apis/apps/v1/namespaces/default/statefulsets/",
    "ResourceQuota": "/api/v1/namespaces/default/resourcequotas/",
    "Ingress": "/apis/networking.k8s.io/v1/namespaces/default/ingresses/",
}


@pytest.mark.parametrize(
    "obj", [JOB, CRONJOB, DAEMONSET, STATEFULSET, QUOTA, INGRESS], ids=lambda o: o["kind"]
)
def test_describers_for_the_kinds_other_branches_add_match_real_kubectl(oracle, world, obj):
    """Job, CronJob, DaemonSet, StatefulSet, ResourceQuota and Ingress describe as kubectl 1.37 describes them."""
    from visualizer.engine.kubectl.describe import describe

    _serve_lists(oracle, world)
    oracle.serve_path(
        "/api/v1/namespaces/default/pods",
        {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": []},
    )
    oracle.serve_path(_PLURAL[obj["kind"]] + obj["metadata"]["name"], obj)
    endpoints = json.loads(_without_warning(ok(world, "kubectl get endpoints web -o json").output))
    subset = (endpoints.get("subsets") or [{}])[0]
    oracle.serve_path(
        "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
        {
            "kind": "EndpointSliceList",
            "apiVersion": "discovery.k8s.io/v1",
            "metadata": {},
            "items": [
                {
                    "metadata": {"name": "web-abcde", "namespace": "default"},
                    "addressType": "IPv4",
                    "ports": [{"name": "", "port": subset["ports"][0]["port"], "protocol": "TCP"}],
                    "endpoints": [
                        {"addresses": [a["ip"]], "conditions": {"ready": True}} for a in subset["addresses"]
                    ],
                }
            ],
        },
    )
    code, out, err = oracle.run(["describe", obj["kind"].lower(), obj["metadata"]["name"]], server=True)
    assert code == 0, err
    assert describe(world, obj) == out.rstrip("\n")

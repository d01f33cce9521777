"""Real-world cases for scheduling and policy: node affinity, pod (anti-)affinity, taints and tolerations,
namespace lifecycle, ResourceQuota, LimitRange and Ingress — manifests and commands as kubernetes.io gives them.

The engine's cluster is a kind/kubeadm-like one: a tainted control plane plus `worker-1..3`, whose nodes carry
`kubernetes.io/hostname`, `kubernetes.io/os` and `kubernetes.io/arch` but no zone labels (clouds add those), so
the pages' `topology.kubernetes.io/zone` examples need `kubectl label nodes` first, as they would on kind.
"""

import json

import pytest

from tests.engine.conftest import get, ok, pods
from tests.engine.world.examples import MINIMAL_INGRESS
from visualizer.engine.kube_proxy import route_ingress

NODE_AFFINITY_TASK = (
    "https://kubernetes.io/docs/tasks/configure-pod-container/assign-pods-nodes-using-node-affinity/"
)
ASSIGN = "https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/"
TAINTS = "https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/"
NAMESPACES = "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/"
QUOTA_TASK = (
    "https://kubernetes.io/docs/tasks/administer-cluster/manage-resources/quota-memory-cpu-namespace/"
)
QUOTA_CONCEPT = "https://kubernetes.io/docs/concepts/policy/resource-quotas/"
MEM_DEFAULT = "https://kubernetes.io/docs/tasks/administer-cluster/manage-resources/memory-default-namespace/"
CPU_CONSTRAINT = (
    "https://kubernetes.io/docs/tasks/administer-cluster/manage-resources/cpu-constraint-namespace/"
)
INGRESS = "https://kubernetes.io/docs/concepts/services-networking/ingress/"
INGRESS_MINIKUBE = "https://kubernetes.io/docs/tasks/access-application-cluster/ingress-minikube/"

PREEMPTION_4 = " preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling."

# content/en/examples/pods/pod-nginx-required-affinity.yaml
REQUIRED_AFFINITY = """
apiVersion: v1
kind: Pod
metadata:
  name: nginx
spec:
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - key: disktype
            operator: In
            values:
            - ssd
  containers:
  - name: nginx
    image: nginx
    imagePullPolicy: IfNotPresent
"""

# content/en/examples/pods/pod-nginx-preferred-affinity.yaml
PREFERRED_AFFINITY = """
apiVersion: v1
kind: Pod
metadata:
  name: nginx
spec:
  affinity:
    nodeAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 1
        preference:
          matchExpressions:
          - key: disktype
            operator: In
            values:
            - ssd
  containers:
  - name: nginx
    image: nginx
    imagePullPolicy: IfNotPresent
"""

# content/en/examples/pods/pod-with-node-affinity.yaml
WITH_NODE_AFFINITY = """
apiVersion: v1
kind: Pod
metadata:
  name: with-node-affinity
spec:
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - key: topology.kubernetes.io/zone
            operator: In
            values:
            - antarctica-east1
            - antarctica-west1
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 1
        preference:
          matchExpressions:
          - key: another-node-label-key
            operator: In
            values:
            - another-node-label-value
  containers:
  - name: with-node-affinity
    image: registry.k8s.io/pause:3.8
"""

# content/en/examples/pods/pod-with-pod-affinity.yaml
WITH_POD_AFFINITY = """
apiVersion: v1
kind: Pod
metadata:
  name: with-pod-affinity
spec:
  affinity:
    podAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector:
          matchExpressions:
          - key: security
            operator: In
            values:
            - S1
        topologyKey: topology.kubernetes.io/zone
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          labelSelector:
            matchExpressions:
            - key: security
              operator: In
              values:
              - S2
          topologyKey: topology.kubernetes.io/zone
  containers:
  - name: with-pod-affinity
    image: registry.k8s.io/pause:3.8
"""

# The redis-cache / web-store example of assign-pod-node.md ("More practical use-cases").
REDIS_CACHE = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: redis-cache
spec:
  selector:
    matchLabels:
      app: store
  replicas: 3
  template:
    metadata:
      labels:
        app: store
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector:
              matchExpressions:
              - key: app
                operator: In
                values:
                - store
            topologyKey: "kubernetes.io/hostname"
      containers:
      - name: redis-server
        image: redis:3.2-alpine
"""
WEB_STORE = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-server
spec:
  selector:
    matchLabels:
      app: web-store
  replicas: 3
  template:
    metadata:
      labels:
        app: web-store
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector:
              matchExpressions:
              - key: app
                operator: In
                values:
                - web-store
            topologyKey: "kubernetes.io/hostname"
        podAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector:
              matchExpressions:
              - key: app
                operator: In
                values:
                - store
            topologyKey: "kubernetes.io/hostname"
      containers:
      - name: web-app
        image: nginx:1.16-alpine
"""

# content/en/examples/pods/pod-with-toleration.yaml
WITH_TOLERATION = """
apiVersion: v1
kind: Pod
metadata:
  name: nginx
  labels:
    env: test
spec:
  containers:
  - name: nginx
    image: nginx
    imagePullPolicy: IfNotPresent
  tolerations:
  - key: "example-key"
    operator: "Exists"
    effect: "NoSchedule"
"""


def failed_scheduling(c, pod: str) -> str:
    """Returns the message of the pod's PodScheduled=False condition (the FailedScheduling event's text)."""
    obj = json.loads(ok(c, f"kubectl get pod {pod} -o json").output)
    cond = next(cd for cd in obj["status"]["conditions"] if cd["type"] == "PodScheduled")
    assert cond["status"] == "False" and cond["reason"] == "Unschedulable"
    return cond["message"]


def node_of(c, pod: str, ns: str = "default") -> str | None:
    """Returns the node a pod is bound to."""
    return json.loads(ok(c, f"kubectl get pod {pod} -n {ns} -o json").output)["spec"].get("nodeName")


# ---------------------------------------------------------------------------------------------- node affinity
@pytest.mark.cites(NODE_AFFINITY_TASK)
def test_required_node_affinity_schedules_on_the_labelled_node(cluster):
    """`kubectl label nodes <node> disktype=ssd`, then the required-affinity pod runs on that node."""
    assert ok(cluster, "kubectl label nodes worker-2 disktype=ssd").output == "node/worker-2 labeled"
    assert "disktype=ssd" in ok(cluster, "kubectl get nodes --show-labels").output
    assert ok(cluster, "kubectl apply -f -", REQUIRED_AFFINITY).output == "pod/nginx created"
    cluster.advance(30)
    assert node_of(cluster, "nginx") == "worker-2"
    assert "Running" in ok(cluster, "kubectl get pods --output=wide").output


@pytest.mark.cites(NODE_AFFINITY_TASK)
def test_required_node_affinity_without_a_matching_node_stays_pending_with_the_real_message(cluster):
    """No node has disktype=ssd: the pod stays Pending; the control plane fails on its taint first."""
    ok(cluster, "kubectl apply -f -", REQUIRED_AFFINITY)
    cluster.advance(10)
    assert failed_scheduling(cluster, "nginx") == (
        "0/4 nodes are available: 1 node(s) had untolerated taint(s), 3 node(s) didn't match Pod's node "
        "affinity/selector." + PREEMPTION_4
    )
    row = ok(cluster, "kubectl get pod nginx").output.splitlines()[1].split()
    assert row[1:3] == ["0/1", "Pending"]
    events = ok(cluster, "kubectl get events").output
    assert "FailedScheduling" in events and "didn't match Pod's node affinity/selector" in events


@pytest.mark.cites(NODE_AFFINITY_TASK)
def test_preferred_node_affinity_picks_the_labelled_node(cluster):
    """The preferred term (weight 1) decides between otherwise equal workers."""
    ok(cluster, "kubectl label nodes worker-3 disktype=ssd")
    ok(cluster, "kubectl apply -f -", PREFERRED_AFFINITY)
    assert node_of(cluster, "nginx") == "worker-3"


@pytest.mark.cites(ASSIGN)
def test_pod_with_node_affinity_waits_for_a_zone_label_then_schedules(cluster):
    """kind/kubeadm nodes carry no zone label: the page's pod is Pending until one node gets it."""
    ok(cluster, "kubectl apply -f -", WITH_NODE_AFFINITY)
    assert failed_scheduling(cluster, "with-node-affinity").startswith(
        "0/4 nodes are available: 1 node(s) had untolerated taint(s), 3 node(s) didn't match Pod's node "
        "affinity/selector."
    )
    ok(cluster, "kubectl label nodes worker-1 topology.kubernetes.io/zone=antarctica-west1")
    assert node_of(cluster, "with-node-affinity") == "worker-1"
    # IgnoredDuringExecution: removing the label later does not evict the pod.
    ok(cluster, "kubectl label nodes worker-1 topology.kubernetes.io/zone-")
    cluster.advance(30)
    assert node_of(cluster, "with-node-affinity") == "worker-1"


@pytest.mark.cites(ASSIGN)
def test_node_affinity_operator_errors_are_the_api_servers(cluster):
    """`Gt` needs exactly one value and a weight must be 1–100: 422 with the full field paths."""
    bad = WITH_NODE_AFFINITY.replace(
        "operator: In\n            values:\n            - antarctica-east1\n",
        "operator: Gt\n            values:\n            - antarctica-east1\n",
    ).replace("weight: 1", "weight: 0")
    result = cluster.run("kubectl apply -f -", stdin=bad)
    assert not result.ok
    lines = result.output.splitlines()
    assert lines[0] == 'The Pod "with-node-affinity" is invalid: '
    assert (
        "* spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
        ".matchExpressions[0].values: Required value: must be specified single value when `operator` is 'Lt' "
        "or 'Gt'" in lines
    )
    assert (
        "* spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: "
        "0: must be in the range 1-100" in lines
    )
    assert get(cluster, "pods") == []


# ---------------------------------------------------------------------------------------------- pod affinity
@pytest.mark.cites(ASSIGN)
def test_pod_affinity_follows_the_security_s1_pod_into_its_zone(cluster):
    """Required pod affinity on topology.kubernetes.io/zone: Pending while no S1 pod runs, then in its zone."""
    ok(cluster, "kubectl label nodes worker-1 topology.kubernetes.io/zone=antarctica-east1")
    ok(cluster, "kubectl label nodes worker-2 worker-3 topology.kubernetes.io/zone=antarctica-west1")
    ok(cluster, "kubectl apply -f -", WITH_POD_AFFINITY)
    assert failed_scheduling(cluster, "with-pod-affinity") == (
        "0/4 nodes are available: 1 node(s) had untolerated taint(s), 3 node(s) didn't match pod affinity "
        "rules." + PREEMPTION_4
    )
    # A pod labelled security=S1 (the page assumes one exists; this one is ours).
    ok(cluster, "kubectl run s1 --image=nginx --labels=security=S1")
    s1_node = node_of(cluster, "s1")
    zone = "antarctica-east1" if s1_node == "worker-1" else "antarctica-west1"
    placed = node_of(cluster, "with-pod-affinity")
    labels = json.loads(ok(cluster, f"kubectl get node {placed} -o json").output)["metadata"]["labels"]
    assert labels["topology.kubernetes.io/zone"] == zone


@pytest.mark.cites(ASSIGN)
def test_redis_cache_and_web_store_are_co_located_one_per_node(cluster):
    """Three redis-cache and three web-server replicas: one of each on every worker, as the page's table."""
    ok(cluster, "kubectl apply -f -", REDIS_CACHE)
    ok(cluster, "kubectl apply -f -", WEB_STORE)
    cache = sorted(p["spec"]["nodeName"] for p in pods(cluster, "redis-cache-"))
    web = sorted(p["spec"]["nodeName"] for p in pods(cluster, "web-server-"))
    assert cache == web == ["worker-1", "worker-2", "worker-3"]


@pytest.mark.cites(ASSIGN)
def test_a_fourth_web_store_replica_has_nowhere_to_go(cluster):
    """Required anti-affinity on kubernetes.io/hostname: with 3 workers the 4th replica stays Pending."""
    ok(cluster, "kubectl apply -f -", REDIS_CACHE)
    ok(cluster, "kubectl apply -f -", WEB_STORE)
    ok(cluster, "kubectl scale deployment web-server --replicas=4")
    pending = [p for p in pods(cluster, "web-server-") if not p["spec"].get("nodeName")]
    assert len(pending) == 1
    assert failed_scheduling(cluster, pending[0]["metadata"]["name"]) == (
        "0/4 nodes are available: 1 node(s) had untolerated taint(s), 3 node(s) didn't match pod anti-affinity "
        "rules. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption "
        "victims found for incoming pod."
    )


# ---------------------------------------------------------------------------------------------- taints
@pytest.mark.cites(TAINTS)
def test_taint_blocks_pods_without_a_matching_toleration(cluster):
    """Every worker tainted example-key:NoSchedule: a plain pod is Pending, the page's tolerating pod runs."""
    for n in (1, 2, 3):
        assert ok(cluster, f"kubectl taint nodes worker-{n} example-key=value1:NoSchedule").output == (
            f"node/worker-{n} tainted"
        )
    ok(cluster, "kubectl run plain --image=nginx")
    assert failed_scheduling(
        cluster, "plain"
    ) == "0/4 nodes are available: 4 node(s) had untolerated taint(s)." + (PREEMPTION_4)
    ok(cluster, "kubectl apply -f -", WITH_TOLERATION)
    assert node_of(cluster, "nginx") in ("worker-1", "worker-2", "worker-3")
    node = json.loads(ok(cluster, "kubectl get node worker-1 -o json").output)
    assert node["spec"]["taints"] == [{"effect": "NoSchedule", "key": "example-key", "value": "value1"}]


@pytest.mark.cites(TAINTS)
def test_taint_add_overwrite_and_remove_answer_as_kubectl(cluster):
    """`key1=value1:NoSchedule`, the same again, `--overwrite`, `key1:NoSchedule-` twice."""
    assert (
        ok(cluster, "kubectl taint nodes worker-1 key1=value1:NoSchedule").output == "node/worker-1 tainted"
    )
    again = cluster.run("kubectl taint nodes worker-1 key1=value2:NoSchedule")
    assert not again.ok
    assert again.output == (
        "error: node worker-1 already has key1 taint(s) with same effect(s) and --overwrite is false"
    )
    assert ok(cluster, "kubectl taint nodes worker-1 key1=value2:NoSchedule --overwrite").output == (
        "node/worker-1 modified"
    )
    assert ok(cluster, "kubectl taint nodes worker-1 key1:NoSchedule-").output == "node/worker-1 untainted"
    gone = cluster.run("kubectl taint nodes worker-1 key1:NoSchedule-")
    assert not gone.ok and gone.output == 'error: taint "key1:NoSchedule" not found'
    bad = cluster.run("kubectl taint nodes worker-1 key1=value1:NoSchedul")
    assert bad.output.splitlines()[0] == "error: invalid taint effect: NoSchedul, unsupported taint effect"


@pytest.mark.cites(TAINTS)
def test_no_execute_taint_evicts_running_pods_that_do_not_tolerate_it(cluster):
    """A NoExecute taint evicts at once (TaintManagerEviction); the ReplicaSet replaces the pod elsewhere."""
    ok(cluster, "kubectl create deployment web --image=nginx --replicas=3")
    cluster.advance(20)
    victim = next(p["metadata"]["name"] for p in pods(cluster, "web-") if p["spec"]["nodeName"] == "worker-1")
    result = ok(cluster, "kubectl taint nodes worker-1 key1=value1:NoExecute")
    eviction = next(e for e in result.events if e["reason"] == "TaintManagerEviction")
    assert eviction["message"] == f"Marking for deletion Pod default/{victim}"
    cluster.advance(40)
    names = {p["metadata"]["name"]: p["spec"]["nodeName"] for p in pods(cluster, "web-")}
    assert victim not in names and len(names) == 3
    assert "worker-1" not in names.values()


@pytest.mark.cites(TAINTS)
def test_toleration_seconds_keeps_a_pod_for_that_long(cluster):
    """The page's NoExecute toleration with tolerationSeconds: 3600 — bound for an hour, then evicted."""
    ok(
        cluster,
        "kubectl apply -f -",
        """
apiVersion: v1
kind: Pod
metadata:
  name: stays-an-hour
spec:
  nodeSelector:
    kubernetes.io/hostname: worker-2
  containers:
  - name: nginx
    image: nginx
  tolerations:
  - key: "key1"
    operator: "Equal"
    value: "value1"
    effect: "NoExecute"
    tolerationSeconds: 3600
""",
    )
    cluster.advance(10)
    ok(cluster, "kubectl taint nodes worker-2 key1=value1:NoExecute")
    cluster.advance(3599)
    assert node_of(cluster, "stays-an-hour") == "worker-2"
    events = cluster.advance(2)
    assert [e["message"] for e in events if e["reason"] == "TaintManagerEviction"] == [
        "Marking for deletion Pod default/stays-an-hour"
    ]


# ---------------------------------------------------------------------------------------------- namespaces
@pytest.mark.cites(NAMESPACES)
def test_namespace_lifecycle_label_terminating_and_refused_creates(cluster):
    """A new namespace carries kubernetes.io/metadata.name; deleting it is Terminating until its pods are gone."""
    ok(cluster, "kubectl create namespace dev")
    ns = json.loads(ok(cluster, "kubectl get namespace dev -o json").output)
    assert ns["metadata"]["labels"] == {"kubernetes.io/metadata.name": "dev"}
    assert ns["spec"] == {"finalizers": ["kubernetes"]} and ns["status"] == {"phase": "Active"}
    ok(cluster, "kubectl create deployment web --image=nginx --replicas=2 -n dev")
    cluster.advance(20)
    assert ok(cluster, "kubectl delete namespace dev").output == 'namespace "dev" deleted'
    assert ok(cluster, "kubectl get namespace dev").output.splitlines()[1].split()[:2] == [
        "dev",
        "Terminating",
    ]
    refused = cluster.run("kubectl run late --image=nginx -n dev")
    assert not refused.ok
    assert refused.output == (
        'Error from server (Forbidden): pods "late" is forbidden: unable to create new content in namespace dev '
        "because it is being terminated"
    )
    cluster.advance(31)
    missing = cluster.run("kubectl get namespace dev")
    assert missing.output == 'Error from server (NotFound): namespaces "dev" not found'
    assert cluster.run("kubectl run late --image=nginx -n dev").output == (
        'Error from server (NotFound): namespaces "dev" not found'
    )


# ---------------------------------------------------------------------------------------------- quota
QUOTA_MEM_CPU = """
apiVersion: v1
kind: ResourceQuota
metadata:
  name: mem-cpu-demo
spec:
  hard:
    requests.cpu: "1"
    requests.memory: 1Gi
    limits.cpu: "2"
    limits.memory: 2Gi
"""
QUOTA_POD = """
apiVersion: v1
kind: Pod
metadata:
  name: quota-mem-cpu-demo
spec:
  containers:
  - name: quota-mem-cpu-demo-ctr
    image: nginx
    resources:
      limits:
        memory: "800Mi"
        cpu: "800m"
      requests:
        memory: "600Mi"
        cpu: "400m"
"""
QUOTA_POD_2 = """
apiVersion: v1
kind: Pod
metadata:
  name: quota-mem-cpu-demo-2
spec:
  containers:
  - name: quota-mem-cpu-demo-2-ctr
    image: redis
    resources:
      limits:
        memory: "1Gi"
        cpu: "800m"
      requests:
        memory: "700Mi"
        cpu: "400m"
"""


@pytest.mark.cites(QUOTA_TASK)
def test_memory_and_cpu_quota_counts_usage_and_refuses_the_second_pod(cluster):
    """status.used after the first pod, the second pod's exact 403, and `kubectl get quota`."""
    ns = "--namespace=quota-mem-cpu-example"
    ok(cluster, "kubectl create namespace quota-mem-cpu-example")
    ok(cluster, f"kubectl apply -f - {ns}", QUOTA_MEM_CPU)
    ok(cluster, f"kubectl apply -f - {ns}", QUOTA_POD)
    quota = json.loads(ok(cluster, f"kubectl get resourcequota mem-cpu-demo {ns} --output=json").output)
    assert quota["status"] == {
        "hard": {"limits.cpu": "2", "limits.memory": "2Gi", "requests.cpu": "1", "requests.memory": "1Gi"},
        "used": {
            "limits.cpu": "800m",
            "limits.memory": "800Mi",
            "requests.cpu": "400m",
            "requests.memory": "600Mi",
        },
    }
    refused = cluster.run(f"kubectl apply -f - {ns}", stdin=QUOTA_POD_2)
    assert not refused.ok
    assert refused.output.startswith("Error from server (Forbidden): ")
    assert refused.output.endswith(
        'pods "quota-mem-cpu-demo-2" is forbidden: exceeded quota: mem-cpu-demo, requested: '
        "requests.memory=700Mi, used: requests.memory=600Mi, limited: requests.memory=1Gi"
    )
    table = ok(cluster, "kubectl get quota -n quota-mem-cpu-example").output.splitlines()
    assert table[0].split() == ["NAME", "REQUEST", "LIMIT", "AGE"]
    assert "requests.cpu: 400m/1, requests.memory: 600Mi/1Gi" in table[1]
    assert "limits.cpu: 800m/2, limits.memory: 800Mi/2Gi" in table[1]


@pytest.mark.cites(QUOTA_CONCEPT)
def test_quota_on_compute_refuses_pods_without_requests_and_the_replicaset_records_it(cluster):
    """With a cpu/memory quota every container must say its requests and limits; a Deployment stays short."""
    ok(cluster, "kubectl apply -f -", QUOTA_MEM_CPU)
    result = ok(cluster, "kubectl create deployment web --image=nginx")
    failed = [e for e in result.events if e["reason"] == "FailedCreate"]
    assert failed and failed[0]["type"] == "Warning"
    assert failed[0]["message"].startswith('Error creating: pods "web-')
    assert failed[0]["message"].endswith(
        "is forbidden: failed quota: mem-cpu-demo: must specify limits.cpu for: nginx; limits.memory for: nginx; "
        "requests.cpu for: nginx; requests.memory for: nginx"
    )
    assert pods(cluster, "web-") == []
    assert ok(cluster, "kubectl get deployment web").output.splitlines()[1].split()[1] == "0/1"


@pytest.mark.cites(QUOTA_CONCEPT)
def test_object_count_quota_limits_configmaps(cluster):
    """`count/configmaps`-style object counts: the third ConfigMap is refused with the real words."""
    ok(
        cluster,
        "kubectl apply -f -",
        'apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: object-counts\nspec:\n  hard:\n    configmaps: "2"\n',
    )
    ok(cluster, "kubectl create configmap a --from-literal=k=v")
    ok(cluster, "kubectl create configmap b --from-literal=k=v")
    refused = cluster.run("kubectl create configmap c --from-literal=k=v")
    # create_configmap.go wraps the refusal: `failed to create configmap: %v` (as the real kubectl v1.37 prints)
    assert refused.output == (
        'error: failed to create configmap: configmaps "c" is forbidden: exceeded quota: object-counts, requested: '
        "configmaps=1, used: configmaps=2, limited: configmaps=2"
    )
    assert "configmaps: 2/2" in ok(cluster, "kubectl get quota object-counts").output


# ---------------------------------------------------------------------------------------------- limit range
MEM_LIMIT_RANGE = """
apiVersion: v1
kind: LimitRange
metadata:
  name: mem-limit-range
spec:
  limits:
  - default:
      memory: 512Mi
    defaultRequest:
      memory: 256Mi
    type: Container
"""


@pytest.mark.cites(MEM_DEFAULT)
def test_limit_range_defaults_are_visible_in_the_pods_yaml(cluster):
    """No resources → 256Mi request / 512Mi limit; a limit only → request = limit; a request only → default
    limit."""
    ns = "--namespace=default-mem-example"
    ok(cluster, "kubectl create namespace default-mem-example")
    ok(cluster, f"kubectl apply -f - {ns}", MEM_LIMIT_RANGE)
    cases = {
        "default-mem-demo": "",
        "default-mem-demo-2": '    resources:\n      limits:\n        memory: "1Gi"\n',
        "default-mem-demo-3": '    resources:\n      requests:\n        memory: "128Mi"\n',
    }
    for name, resources in cases.items():
        manifest = (
            f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n"
            f"  - name: {name}-ctr\n    image: nginx\n{resources}"
        )
        ok(cluster, f"kubectl apply -f - {ns}", manifest)
    got = {}
    for name in cases:
        text = ok(cluster, f"kubectl get pod {name} --output=yaml {ns}").output
        assert "resources:" in text
        got[name] = json.loads(ok(cluster, f"kubectl get pod {name} -o json {ns}").output)["spec"][
            "containers"
        ][0]["resources"]
    assert got["default-mem-demo"] == {"limits": {"memory": "512Mi"}, "requests": {"memory": "256Mi"}}
    assert got["default-mem-demo-2"] == {"limits": {"memory": "1Gi"}, "requests": {"memory": "1Gi"}}
    assert got["default-mem-demo-3"] == {"limits": {"memory": "512Mi"}, "requests": {"memory": "128Mi"}}
    first = json.loads(ok(cluster, f"kubectl get pod default-mem-demo -o json {ns}").output)
    assert first["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: memory request for container default-mem-demo-ctr; memory limit for container "
        "default-mem-demo-ctr"
    )


@pytest.mark.cites(CPU_CONSTRAINT)
def test_cpu_min_max_limit_range_defaults_and_refusals(cluster):
    """The stored LimitRange gains default/defaultRequest = max; pods outside min/max get the page's 403s."""
    ns = "--namespace=constraints-cpu-example"
    ok(cluster, "kubectl create namespace constraints-cpu-example")
    ok(
        cluster,
        f"kubectl apply -f - {ns}",
        """
apiVersion: v1
kind: LimitRange
metadata:
  name: cpu-min-max-demo-lr
spec:
  limits:
  - max:
      cpu: "800m"
    min:
      cpu: "200m"
    type: Container
""",
    )
    lr = json.loads(ok(cluster, f"kubectl get limitrange cpu-min-max-demo-lr --output=json {ns}").output)
    assert lr["spec"]["limits"] == [
        {
            "default": {"cpu": "800m"},
            "defaultRequest": {"cpu": "800m"},
            "max": {"cpu": "800m"},
            "min": {"cpu": "200m"},
            "type": "Container",
        }
    ]
    assert ok(cluster, f"kubectl get limitrange {ns}").output.splitlines()[0].split() == [
        "NAME",
        "CREATED",
        "AT",
    ]

    def pod(name, limit, request):
        return (
            f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n  - name: {name}-ctr\n"
            f'    image: nginx\n    resources:\n      limits:\n        cpu: "{limit}"\n      requests:\n'
            f'        cpu: "{request}"\n'
        )

    too_big = cluster.run(f"kubectl apply -f - {ns}", stdin=pod("constraints-cpu-demo-2", "1.5", "500m"))
    assert too_big.output.endswith(
        'pods "constraints-cpu-demo-2" is forbidden: maximum cpu usage per Container is 800m, but limit is 1500m'
    )
    too_small = cluster.run(f"kubectl apply -f - {ns}", stdin=pod("constraints-cpu-demo-3", "800m", "100m"))
    assert too_small.output.endswith(
        'pods "constraints-cpu-demo-3" is forbidden: minimum cpu usage per Container is 200m, but request is 100m'
    )
    ok(cluster, f"kubectl apply -f - {ns}", pod("constraints-cpu-demo", "800m", "500m"))
    assert [p["metadata"]["name"] for p in get(cluster, "pods -n constraints-cpu-example")] == [
        "constraints-cpu-demo"
    ]


@pytest.mark.cites(INGRESS)
def test_minimal_ingress_is_stored_but_nothing_routes_without_a_controller(cluster):
    """`kubectl get ingress` shows the class, `*` hosts and an empty ADDRESS; a missing pathType is a 422."""
    assert ok(cluster, "kubectl apply -f -", MINIMAL_INGRESS).output == (
        "ingress.networking.k8s.io/minimal-ingress created"
    )
    lines = ok(cluster, "kubectl get ingress").output.splitlines()
    assert lines[0].split() == ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"]
    assert lines[1].split()[:4] == ["minimal-ingress", "nginx-example", "*", "80"]
    assert route_ingress(cluster, "anything", "/testpath") is None
    bad = cluster.run("kubectl apply -f -", stdin=MINIMAL_INGRESS.replace("        pathType: Prefix\n", ""))
    assert bad.output == (
        'The Ingress "minimal-ingress" is invalid: spec.rules[0].http.paths[0].pathType: Required value: '
        "pathType must be specified"
    )


@pytest.mark.cites(INGRESS_MINIKUBE)
def test_ingress_addon_fills_the_address_and_routes_the_host(cluster):
    """`minikube addons enable ingress` (here `sim addons enable ingress`) then example-ingress routes
    hello-world.example to the web Service."""
    ok(cluster, "sim addons enable ingress")
    classes = ok(cluster, "kubectl get ingressclass").output.splitlines()
    assert classes[1].split()[:3] == ["nginx", "k8s.io/ingress-nginx", "<none>"]
    ok(cluster, "kubectl create deployment web --image=nginx")
    ok(cluster, "kubectl expose deployment web --type=NodePort --port=8080")
    ok(
        cluster,
        "kubectl apply -f -",
        """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: example-ingress
spec:
  ingressClassName: nginx
  rules:
    - host: hello-world.example
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  number: 8080
""",
    )
    row = ok(cluster, "kubectl get ingress").output.splitlines()[1].split()
    assert row[:5] == ["example-ingress", "nginx", "hello-world.example", "192.168.49.2", "80"]
    assert route_ingress(cluster, "hello-world.example", "/") == ("default", "web", 8080)
    assert route_ingress(cluster, "other.example", "/") is None
    # The page's `curl --resolve "hello-world.example:80:$( minikube ip )" -i http://hello-world.example`.
    assert "503 Service Temporarily Unavailable" in ok(cluster, "sim curl http://hello-world.example").output
    cluster.advance(30)
    answer = ok(cluster, "sim curl http://hello-world.example").output
    assert answer.splitlines()[0] == f"Hostname: {pods(cluster, 'web-')[0]['metadata']['name']}"
    assert "404 Not Found" in ok(cluster, "sim curl http://other.example/").output


@pytest.mark.cites(INGRESS)
def test_simple_fanout_routes_by_path_prefix(cluster):
    """foo.bar.com/foo → service1:4200 and /bar → service2:8080; Prefix matches whole path elements."""
    ok(cluster, "sim addons enable ingress")
    ok(
        cluster,
        "kubectl apply -f -",
        """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: simple-fanout-example
spec:
  rules:
  - host: foo.bar.com
    http:
      paths:
      - path: /foo
        pathType: Prefix
        backend:
          service:
            name: service1
            port:
              number: 4200
      - path: /bar
        pathType: Prefix
        backend:
          service:
            name: service2
            port:
              number: 8080
""",
    )
    # No ingressClassName: the DefaultIngressClass admission gave it the default class `nginx`.
    assert ok(cluster, "kubectl get ingress").output.splitlines()[1].split()[1] == "nginx"
    assert route_ingress(cluster, "foo.bar.com", "/foo") == ("default", "service1", 4200)
    assert route_ingress(cluster, "foo.bar.com", "/foo/bar") == ("default", "service1", 4200)
    assert route_ingress(cluster, "foo.bar.com", "/bar") == ("default", "service2", 8080)
    assert route_ingress(cluster, "foo.bar.com", "/foobar") is None

"""Property tests (hypothesis) for the simulation engine's guarantees, through the public API and kubectl text.

Each test states one guarantee that must hold for every generated history:
- a rolling update never exceeds replicas + maxSurge pods nor drops below replicas - maxUnavailable available
  pods, with the fenceposts resolved as the Deployment controller does (surge rounds up, unavailable rounds
  down, both resolving to 0 forces unavailable = 1), and it ends with every pod on the new image; the same
  holds while a bad image stalls the rollout and after it is fixed or undone;
- the scheduler never binds a pod to a cordoned or NotReady node;
- Endpoints only ever list ready pods;
- `to_dict`/`from_dict` is an exact, JSON-safe round trip, and the restored cluster carries on identically;
- the same seed and commands give the same cluster, in this process and in others with different string-hash
  seeds, however the simulated time is sliced into `advance()` calls; `snapshot` + `diff_since` reproduce a
  later snapshot.

Observations come from `kubectl get ... -o json` (the Kubernetes object shape), counted here independently
of the engine's own status fields, so a controller that miscounts cannot hide its own mistake.
Examples are few and histories short so that the file runs in well under a minute on 2 cores.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from visualizer.engine import Cluster, apply_diff

# Budget: about 15 s of CPU for the whole file on 2 cores. Raise max_examples locally to hunt for bugs.
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

OLD_IMAGE = "nginx:1.20"
NEW_IMAGE = "nginx:1.21"


# ---------------------------------------------------------------------------------------------------------
# Observing the cluster through kubectl


def run_ok(cluster: Cluster, command: str, stdin: str | None = None):
    """Returns the result of a command that must succeed (fails the test with its output otherwise)."""
    result = cluster.run(command, stdin=stdin) if stdin is not None else cluster.run(command)
    assert result.ok, f"`{command}` failed: {result.output}"
    return result


def items(cluster: Cluster, kind: str) -> list[dict]:
    """Returns the objects of `kind` as `kubectl get KIND -o json` lists them."""
    output = run_ok(cluster, f"kubectl get {kind} -o json").output
    if output.startswith("Warning: "):  # the API server's warning (v1 Endpoints), shown before the list
        output = output.split("\n", 1)[1]
    return json.loads(output)["items"]


def is_terminating(pod: dict) -> bool:
    """Returns True for a pod being deleted (it no longer counts for its ReplicaSet)."""
    return bool(pod["metadata"].get("deletionTimestamp"))


def condition(obj: dict, kind: str) -> str | None:
    """Returns the status ("True"/"False"/"Unknown") of condition `kind`, or None when absent."""
    for cond in obj.get("status", {}).get("conditions") or []:
        if cond.get("type") == kind:
            return cond.get("status")
    return None


def is_ready(pod: dict) -> bool:
    """Returns True for a pod whose Ready condition is True."""
    return condition(pod, "Ready") == "True"


def images(pod: dict) -> list[str]:
    """Returns the images of the pod's containers."""
    return [c["image"] for c in pod["spec"]["containers"]]


def node_unschedulable(node: dict) -> bool:
    """Returns True when the scheduler must not place new pods on the node: cordoned or not Ready."""
    return bool(node.get("spec", {}).get("unschedulable")) or condition(node, "Ready") != "True"


def canonical(cluster: Cluster) -> str:
    """Returns the cluster's full state as canonical JSON text (exact comparison, key order ignored)."""
    return json.dumps(cluster.to_dict(), sort_keys=True)


# ---------------------------------------------------------------------------------------------------------
# Rolling update: maxSurge / maxUnavailable


def scaled(value: int | str, replicas: int, round_up: bool) -> int:
    """Returns an int-or-percent resolved against `replicas`, as intstr.GetScaledValueFromIntOrPercent."""
    if isinstance(value, int):
        return value
    exact = int(value.rstrip("%")) * replicas / 100
    return math.ceil(exact) if round_up else math.floor(exact)


def fenceposts(replicas: int, max_surge: int | str, max_unavailable: int | str) -> tuple[int, int]:
    """Returns (surge, unavailable) as the Deployment controller's ResolveFenceposts resolves them."""
    surge = scaled(max_surge, replicas, round_up=True)
    unavailable = scaled(max_unavailable, replicas, round_up=False)
    if surge == 0 and unavailable == 0:
        # Both resolving to 0 would block the rollout for ever, so the controller allows one unavailable pod.
        unavailable = 1
    return surge, unavailable


def is_zero(value: int | str) -> bool:
    return value in (0, "0%")


int_or_percent = st.one_of(st.integers(0, 4), st.integers(0, 100).map(lambda p: f"{p}%"))
# Validation rejects maxSurge and maxUnavailable both explicitly 0; both may still *resolve* to 0 (1% of 2).
fencepost_pairs = st.tuples(int_or_percent, int_or_percent).filter(
    lambda p: not (is_zero(p[0]) and is_zero(p[1]))
)
advance_steps = st.lists(st.sampled_from([0.1, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0]), min_size=1, max_size=12)


def deployment_yaml(replicas: int, max_surge: int | str, max_unavailable: int | str, min_ready: int) -> str:
    """Returns a Deployment manifest with the given rolling-update parameters."""

    def literal(v: int | str) -> str:
        return str(v) if isinstance(v, int) else f'"{v}"'

    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  minReadySeconds: {min_ready}
  selector:
    matchLabels:
      app: web
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: {literal(max_surge)}
      maxUnavailable: {literal(max_unavailable)}
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: {OLD_IMAGE}
"""


def readiness_probe(delay: int | None, period: int) -> str:
    """Returns the YAML lines of an HTTP readiness probe (empty when `delay` is None)."""
    if delay is None:
        return ""
    return f"""\
        readinessProbe:
          httpGet:
            path: /
            port: 80
          initialDelaySeconds: {delay}
          periodSeconds: {period}
"""


def settle(cluster: Cluster, done, limit: float = 900.0, step: float = 5.0) -> None:
    """Advances until `done()` holds; fails the test if it never does within `limit` simulated seconds."""
    waited = 0.0
    while not done():
        assert waited < limit, f"cluster did not settle within {limit:.0f} simulated seconds"
        cluster.advance(seconds=step)
        waited += step


def pods_of(cluster: Cluster, app: str) -> list[dict]:
    """Returns the pods labelled app=`app` (Terminating ones included)."""
    return [p for p in items(cluster, "pods") if (p["metadata"].get("labels") or {}).get("app") == app]


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


class Clock:
    """Converts the RFC 3339 timestamps in objects to the engine's `now` scale (seconds since creation)."""

    def __init__(self, cluster: Cluster):
        # Nodes register when the cluster is created, at now == 0.
        assert cluster.now == 0
        self.epoch = parse_time(items(cluster, "nodes")[0]["metadata"]["creationTimestamp"])

    def seconds(self, text: str) -> float:
        return (parse_time(text) - self.epoch).total_seconds()


def available_pods(pods: list[dict], min_ready: int, now: float, clock: Clock) -> int:
    """Returns how many non-terminating pods are available: Ready for at least minReadySeconds.

    Timestamps have whole-second precision (as in the API), so "Ready for" is rounded up, exactly as the real
    controller sees it; this can only count a pod available early, never hide one."""
    count = 0
    for pod in pods:
        if is_terminating(pod) or not is_ready(pod):
            continue
        if min_ready:
            since = next(c["lastTransitionTime"] for c in pod["status"]["conditions"] if c["type"] == "Ready")
            if now - clock.seconds(since) < min_ready:
                continue
        count += 1
    return count


@SETTINGS
@given(
    replicas=st.integers(1, 10),
    fence=fencepost_pairs,
    min_ready=st.sampled_from([0, 0, 0, 3, 10]),
    probe_delay=st.one_of(st.none(), st.integers(0, 15)),
    probe_period=st.integers(1, 10),
    seed=st.integers(0, 2**16),
    steps=advance_steps,
)
def test_rolling_update_stays_within_max_surge_and_max_unavailable(
    replicas, fence, min_ready, probe_delay, probe_period, seed, steps
):
    """A rolling update keeps pods ≤ replicas + maxSurge and available ≥ replicas − maxUnavailable, then ends on the new image."""
    max_surge, max_unavailable = fence
    surge, unavailable = fenceposts(replicas, max_surge, max_unavailable)
    cluster = Cluster(workers=4, seed=seed)
    clock = Clock(cluster)
    manifest = deployment_yaml(replicas, max_surge, max_unavailable, min_ready) + readiness_probe(
        probe_delay, probe_period
    )
    run_ok(cluster, "kubectl apply -f -", stdin=manifest)

    def settled() -> bool:
        pods = pods_of(cluster, "web")
        return len(pods) == replicas and available_pods(pods, min_ready, cluster.now, clock) == replicas

    settle(cluster, settled)
    run_ok(cluster, f"kubectl set image deployment/web nginx={NEW_IMAGE}")
    watch = RolloutWatch(cluster, clock, replicas, surge, unavailable, min_ready)
    watch.until_finished(NEW_IMAGE, steps)


class RolloutWatch:
    """Observes a rollout of Deployment `web` after every advance and checks the maxSurge/maxUnavailable bounds."""

    def __init__(self, cluster, clock, replicas, surge, unavailable, min_ready):
        self.cluster, self.clock = cluster, clock
        self.replicas, self.surge, self.unavailable, self.min_ready = replicas, surge, unavailable, min_ready
        self.history: list[tuple[float, int, int]] = []
        self.i = 0

    def observe(self) -> tuple[list[dict], int]:
        """Checks the bounds now; returns the pods and how many are available."""
        pods = pods_of(self.cluster, "web")
        live = [p for p in pods if not is_terminating(p)]
        available = available_pods(pods, self.min_ready, self.cluster.now, self.clock)
        self.history.append((self.cluster.now, len(live), available))
        assert len(live) <= self.replicas + self.surge, (
            f"{len(live)} pods > {self.replicas} + maxSurge {self.surge}: {self.history}"
        )
        assert available >= self.replicas - self.unavailable, (
            f"{available} available < {self.replicas} − maxUnavailable {self.unavailable}: {self.history}"
        )
        return pods, available

    def step(self, steps: list[float]) -> None:
        self.cluster.advance(seconds=steps[self.i % len(steps)])
        self.i += 1

    def for_steps(self, count: int, steps: list[float]) -> None:
        """Observes `count` advances (a stalled rollout never finishes)."""
        for _ in range(count):
            self.observe()
            self.step(steps)
        self.observe()

    def until_finished(self, image: str, steps: list[float], limit: float = 1800) -> None:
        """Observes until every pod runs `image` and all replicas are available; fails after `limit` s."""
        start = self.cluster.now
        while True:
            pods, available = self.observe()
            if (
                len(pods) == self.replicas
                and all(images(p) == [image] for p in pods)
                and available == self.replicas
            ):
                return
            assert self.cluster.now - start < limit, (
                f"rollout did not finish within {limit} s: {self.history}"
            )
            self.step(steps)


@settings(SETTINGS, max_examples=40)
@given(
    replicas=st.integers(1, 10),
    fence=fencepost_pairs,
    seed=st.integers(0, 2**16),
    steps=advance_steps,
    stall_steps=st.integers(1, 12),
    recovery=st.sampled_from(["fix", "undo"]),
)
def test_a_bad_image_stalls_the_rollout_within_bounds_until_fixed_or_undone(
    replicas, fence, seed, steps, stall_steps, recovery
):
    """An image typo stalls the rollout without breaking the bounds, and a fix or `rollout undo` completes it."""
    max_surge, max_unavailable = fence
    surge, unavailable = fenceposts(replicas, max_surge, max_unavailable)
    cluster = Cluster(workers=4, seed=seed)
    clock = Clock(cluster)
    run_ok(cluster, "kubectl apply -f -", stdin=deployment_yaml(replicas, max_surge, max_unavailable, 0))
    settle(cluster, lambda: available_pods(pods_of(cluster, "web"), 0, cluster.now, clock) == replicas)
    watch = RolloutWatch(cluster, clock, replicas, surge, unavailable, 0)
    run_ok(cluster, "kubectl set image deployment/web nginx=nginx:1.2O")
    watch.for_steps(stall_steps, steps)
    if recovery == "fix":
        run_ok(cluster, f"kubectl set image deployment/web nginx={NEW_IMAGE}")
        watch.until_finished(NEW_IMAGE, steps)
    else:
        run_ok(cluster, "kubectl rollout undo deployment/web")
        watch.until_finished(OLD_IMAGE, steps)


@settings(SETTINGS, max_examples=40)
@given(
    replicas=st.integers(1, 10),
    fence=fencepost_pairs,
    seed=st.integers(0, 2**16),
    steps=advance_steps,
    scales=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 12)), min_size=1, max_size=3),
)
def test_scaling_during_a_rollout_never_exceeds_the_new_surge_bound(replicas, fence, seed, steps, scales):
    """Scaling mid-rollout spreads replicas proportionally: pods never exceed the new replicas + maxSurge."""
    max_surge, max_unavailable = fence
    cluster = Cluster(workers=4, seed=seed)
    clock = Clock(cluster)
    run_ok(cluster, "kubectl apply -f -", stdin=deployment_yaml(replicas, max_surge, max_unavailable, 0))
    settle(cluster, lambda: available_pods(pods_of(cluster, "web"), 0, cluster.now, clock) == replicas)
    run_ok(cluster, f"kubectl set image deployment/web nginx={NEW_IMAGE}")
    current = replicas
    for wait, new_replicas in scales:
        for _ in range(wait):
            cluster.advance(seconds=steps[0])
            live = [p for p in pods_of(cluster, "web") if not is_terminating(p)]
            surge, _ = fenceposts(current, max_surge, max_unavailable)
            assert len(live) <= current + surge, f"{len(live)} pods > {current} + maxSurge {surge}"
        run_ok(cluster, f"kubectl scale deployment web --replicas={new_replicas}")
        current = new_replicas
        surge, _ = fenceposts(current, max_surge, max_unavailable)
        live = [p for p in pods_of(cluster, "web") if not is_terminating(p)]
        assert len(live) <= current + surge, (
            f"after scaling to {current}: {len(live)} pods > + maxSurge {surge}"
        )
    surge, _ = fenceposts(current, max_surge, max_unavailable)
    # Scaling up adds pods that are not available yet, so only the upper bound and the end are checked.
    watch = RolloutWatch(cluster, clock, current, surge, current, 0)
    watch.until_finished(NEW_IMAGE, steps)


# ---------------------------------------------------------------------------------------------------------
# Scheduling: never onto a cordoned or NotReady node

WORKERS = 3
worker_names = st.integers(1, WORKERS).map(lambda i: f"worker-{i}")
scheduling_ops = st.lists(
    st.one_of(
        st.tuples(st.just("kubectl scale deployment web --replicas={}"), st.integers(0, 12).map(str)),
        st.tuples(st.just("kubectl cordon {}"), worker_names),
        st.tuples(st.just("kubectl uncordon {}"), worker_names),
        st.tuples(st.just("sim fail-node {}"), worker_names),
        st.tuples(st.just("sim recover-node {}"), worker_names),
        st.tuples(
            st.just("kubectl drain {} --ignore-daemonsets --delete-emptydir-data --force"), worker_names
        ),
        st.tuples(st.just("kubectl delete pod --all{}"), st.just("")),
        st.tuples(st.just("advance"), st.sampled_from(["1", "5", "20", "60", "120", "360"])),
    ),
    min_size=1,
    max_size=14,
)


# Three pods fill a 2-CPU worker, so larger scales leave pods Pending and the scheduler retries them later,
# inside advance(), as nodes come back or are uncordoned.
HUNGRY_YAML = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {{replicas}}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: {OLD_IMAGE}
        resources:
          requests:
            cpu: 600m
"""


def node_states(cluster: Cluster) -> dict[str, bool]:
    """Returns {node name: True when it must not receive new pods (cordoned or not Ready)}."""
    return {n["metadata"]["name"]: node_unschedulable(n) for n in items(cluster, "nodes")}


def bound_pods(cluster: Cluster) -> dict[str, str]:
    """Returns {pod uid: node} for every pod bound to a node."""
    return {
        p["metadata"]["uid"]: p["spec"]["nodeName"]
        for p in items(cluster, "pods")
        if p["spec"].get("nodeName")
    }


def scheduled_in(events: list[dict]) -> list[tuple[str, str]]:
    """Returns (pod, node) for every Scheduled event ("Successfully assigned ns/pod to node")."""
    out = []
    for ev in events:
        if ev.get("reason") == "Scheduled":
            words = ev["message"].split()
            # DaemonSet pods (kube-proxy) tolerate node.kubernetes.io/unschedulable and run on cordoned
            # nodes, as on a real cluster: the property is about everything else.
            if words[2].startswith("kube-system/kube-proxy-"):
                continue
            out.append((words[2], words[-1]))
    return out


@SETTINGS
@given(seed=st.integers(0, 2**16), replicas=st.integers(1, 8), ops=scheduling_ops)
def test_nothing_is_scheduled_on_a_cordoned_or_not_ready_node(seed, replicas, ops):
    """The scheduler never binds a pod to a node that is cordoned or NotReady."""
    cluster = Cluster(workers=WORKERS, seed=seed)
    run_ok(cluster, "kubectl apply -f -", stdin=HUNGRY_YAML.format(replicas=replicas))
    cluster.advance(seconds=5)
    before_nodes, before_pods = node_states(cluster), bound_pods(cluster)
    for template, arg in ops:
        if template == "advance":
            events = cluster.advance(seconds=float(arg))
            after_nodes = node_states(cluster)
            # Readiness only changes inside advance(): a node blocked at both ends was blocked throughout.
            blocked = {n for n, b in after_nodes.items() if b and before_nodes[n]}
        else:
            result = cluster.run(template.format(arg))
            events = result.events
            after_nodes = node_states(cluster)
            # A command's own change (a cordon) comes before anything it triggers.
            blocked = {n for n, b in after_nodes.items() if b}
        after_pods = bound_pods(cluster)
        newly = {uid: node for uid, node in after_pods.items() if uid not in before_pods}
        for uid, node in newly.items():
            assert node not in blocked, f"pod {uid} bound to blocked {node} during {template.format(arg)!r}"
        for pod, node in scheduled_in(events):
            assert node not in blocked, f"{pod} scheduled on blocked {node} during {template.format(arg)!r}"
        before_nodes, before_pods = after_nodes, after_pods


# ---------------------------------------------------------------------------------------------------------
# Endpoints hold ready pods only

SERVICE_YAML = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: {OLD_IMAGE}
        readinessProbe:
          httpGet:
            path: /
            port: 80
          periodSeconds: 2
          failureThreshold: 1
        livenessProbe:
          httpGet:
            path: /
            port: 80
          periodSeconds: 3
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
"""

pod_index = st.integers(0, 20)
endpoint_ops = st.lists(
    st.one_of(
        st.tuples(st.just("sim probe-fail {pod} readiness"), pod_index),
        st.tuples(st.just("sim probe-fail {pod} liveness"), pod_index),
        st.tuples(st.just("sim probe-ok {pod}"), pod_index),
        st.tuples(st.just("sim crash {pod}"), pod_index),
        st.tuples(st.just("kubectl delete pod {pod}"), pod_index),
        st.tuples(st.just("kubectl scale deployment web --replicas=" + "{n}"), st.integers(0, 6)),
        st.tuples(st.just(f"kubectl set image deployment/web nginx={NEW_IMAGE}"), st.just(0)),
        st.tuples(st.just("kubectl set image deployment/web nginx=nginx:9.9-typo"), st.just(0)),
        st.tuples(st.just("sim fail-node worker-{w}"), st.integers(1, WORKERS)),
        st.tuples(st.just("sim recover-node worker-{w}"), st.integers(1, WORKERS)),
        st.tuples(st.just("advance"), st.sampled_from([0.5, 1, 2, 5, 15, 60])),
    ),
    min_size=1,
    max_size=16,
)


def check_endpoints_are_ready_pods(cluster: Cluster) -> None:
    """Asserts every address in the Endpoints of `web` is a ready, non-terminating pod the Service selects."""
    pods = {p["metadata"]["name"]: p for p in items(cluster, "pods")}
    for ep in items(cluster, "endpoints"):
        if ep["metadata"]["name"] != "web":
            continue
        for subset in ep.get("subsets") or []:
            for address in subset.get("addresses") or []:
                name = address["targetRef"]["name"]
                pod = pods.get(name)
                assert pod is not None, f"endpoint {name} is not a pod"
                assert (pod["metadata"].get("labels") or {}).get("app") == "web"
                assert is_ready(pod), f"endpoint {name} is not ready at {cluster.now}"
                assert not is_terminating(pod), f"endpoint {name} is terminating at {cluster.now}"
                assert address["ip"] == pod["status"].get("podIP")


def check_ready_pods_are_endpoints(cluster: Cluster) -> None:
    """Asserts every ready, non-terminating pod of `web` is listed: controllers react within the same instant."""
    ready = {
        p["metadata"]["name"]
        for p in pods_of(cluster, "web")
        if is_ready(p) and not is_terminating(p) and p["status"].get("podIP")
    }
    listed = set()
    for ep in items(cluster, "endpoints"):
        if ep["metadata"]["name"] == "web":
            for subset in ep.get("subsets") or []:
                listed |= {a["targetRef"]["name"] for a in subset.get("addresses") or []}
    assert ready <= listed, (
        f"ready pods missing from the Endpoints at {cluster.now}: {sorted(ready - listed)}"
    )


@SETTINGS
@given(seed=st.integers(0, 2**16), ops=endpoint_ops)
def test_endpoints_only_ever_list_ready_pods(seed, ops):
    """Endpoints list exactly the ready pods, whatever crashes, probe failures, node failures and rollouts happen."""
    cluster = Cluster(workers=WORKERS, seed=seed)
    run_ok(cluster, "kubectl apply -f -", stdin=SERVICE_YAML)
    cluster.advance(seconds=10)
    check_endpoints_are_ready_pods(cluster)
    for template, arg in ops:
        if template == "advance":
            cluster.advance(seconds=float(arg))
        else:
            names = sorted(p["metadata"]["name"] for p in pods_of(cluster, "web"))
            pod = names[arg % len(names)] if names else "missing"
            cluster.run(template.format(pod=pod, n=arg, w=arg))
        check_endpoints_are_ready_pods(cluster)
        check_ready_pods_are_endpoints(cluster)


# ---------------------------------------------------------------------------------------------------------
# Persistence, determinism and diffs

ACTION_POOL = [
    f"kubectl create deployment web --image={OLD_IMAGE} --replicas=3",
    "kubectl create deployment cache --image=redis:7.2 --replicas=2",
    "kubectl expose deployment web --port=80",
    f"kubectl set image deployment/web nginx={NEW_IMAGE}",
    "kubectl set image deployment/web nginx=nginx:0.0-typo",
    "kubectl rollout undo deployment/web",
    "kubectl scale deployment web --replicas=5",
    "kubectl scale deployment web --replicas=1",
    "kubectl create secret generic db --from-literal=password=s3cr3t",
    "kubectl autoscale deployment web --min=1 --max=6 --cpu=50%",
    "sim load web 250",
    "sim traffic web 20",
    "kubectl cordon worker-2",
    "kubectl uncordon worker-2",
    "sim fail-node worker-1",
    "sim recover-node worker-1",
    "docker run -d nginx:1.20",
    "docker run -d --restart=always --name api httpd:2.4",
    "kubectl delete deployment cache",
    "sim encrypt-at-rest on",
]
actions = st.lists(
    st.one_of(
        st.sampled_from(ACTION_POOL),
        st.sampled_from([0.5, 1.0, 3.0, 10.0, 30.0, 90.0]),
    ),
    max_size=12,
)


def play(cluster: Cluster, script: list) -> list:
    """Runs a script of commands (str) and advances (float); returns everything observable it produced."""
    seen = []
    for step in script:
        if isinstance(step, str):
            result = cluster.run(step)
            seen.append((step, result.ok, result.output, result.events))
        else:
            seen.append((step, cluster.advance(seconds=step)))
    return seen


@SETTINGS
@given(seed=st.integers(0, 2**16), before=actions, after=actions)
@example(  # found in CI: an updated node moved to the end of the store's kind index, a restore did not
    seed=0,
    before=["kubectl cordon worker-2", "kubectl uncordon worker-2"],
    after=["kubectl create deployment web --image=nginx:1.20 --replicas=3"],
)
def test_to_dict_round_trip_is_exact_and_the_copy_continues_identically(seed, before, after):
    """from_dict(to_dict()) is exact (through JSON too) and the restored cluster behaves as the original."""
    original = Cluster(workers=3, seed=seed)
    play(original, before)
    data = original.to_dict()
    text = json.dumps(data)
    assert json.loads(text) == data, "to_dict() is not plain JSON data"
    restored = Cluster.from_dict(json.loads(text))
    assert restored.to_dict() == data
    assert json.dumps(restored.to_dict()) == text
    assert restored.now == original.now and restored.version == original.version
    assert play(restored, after) == play(original, after)
    assert canonical(restored) == canonical(original)
    # Neither cluster shares state with the saved data: it still describes the moment it was taken.
    assert json.dumps(data) == text


@SETTINGS
@given(seed=st.integers(0, 2**16), script=actions)
def test_same_seed_and_commands_give_the_same_cluster(seed, script):
    """Two clusters with the same seed and commands produce the same outputs, events and state."""
    a, b = Cluster(workers=3, seed=seed), Cluster(workers=3, seed=seed)
    assert play(a, script) == play(b, script)
    assert canonical(a) == canonical(b)
    assert a.snapshot() == b.snapshot()


@SETTINGS
@given(seed=st.integers(0, 2**16), first=actions, chunks=st.lists(actions, min_size=1, max_size=3))
def test_snapshot_plus_diffs_equals_the_later_snapshot(seed, first, chunks):
    """apply_diff(snapshot at v, diff_since(v)) equals the snapshot taken after the changes, diff after diff."""
    cluster = Cluster(workers=3, seed=seed)
    play(cluster, first)
    base = cluster.snapshot()
    version = cluster.version
    kept = json.loads(json.dumps(base))
    for chunk in chunks:
        play(cluster, chunk)
        diff = cluster.diff_since(version)
        assert diff is not None, "diff_since refused a version it should still reach"
        # Viewers receive the diff as JSON text.
        kept = apply_diff(kept, json.loads(json.dumps(diff)))
        assert kept == cluster.snapshot()
        # A single diff from the first snapshot gives the same result as the chain.
        assert apply_diff(base, cluster.diff_since(base["version"])) == cluster.snapshot()
        version = cluster.version


HASH_SEED_SCRIPT = """
import hashlib, json, sys
from visualizer.engine import Cluster
cluster = Cluster(workers=3, seed=5)
outputs = []
for step in json.loads(sys.argv[1]):
    if isinstance(step, str):
        result = cluster.run(step)
        outputs.append([step, result.ok, result.output, result.events])
    else:
        outputs.append([step, cluster.advance(seconds=step)])
state = json.dumps([outputs, cluster.to_dict(), cluster.snapshot()], sort_keys=True)
print(hashlib.sha256(state.encode()).hexdigest())
"""


def test_same_seed_and_commands_give_the_same_cluster_in_another_process():
    """Determinism holds across processes with different string-hash seeds (a restarted or second server)."""
    script = [step for command in ACTION_POOL for step in (command, 7.0)] + [60.0, 400.0]
    digests = set()
    for hash_seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        done = subprocess.run(
            [sys.executable, "-c", HASH_SEED_SCRIPT, json.dumps(script)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=Path(__file__).resolve().parents[2],
        )
        assert done.returncode == 0, done.stderr
        digests.add(done.stdout.strip())
    assert len(digests) == 1, "the same seed and commands gave different clusters under different hash seeds"


@st.composite
def chunked(draw, total: float) -> list[float]:
    """Draws a split of `total` seconds into chunks that are exact in binary floating point (quarters)."""
    quarters = int(total * 4)
    cuts = sorted(set(draw(st.lists(st.integers(1, max(1, quarters - 1)), max_size=8))))
    bounds = [0, *[c for c in cuts if 0 < c < quarters], quarters]
    return [(b - a) / 4 for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


@SETTINGS
@given(seed=st.integers(0, 2**16), script=actions, data=st.data())
def test_how_time_is_sliced_does_not_change_the_cluster(seed, script, data):
    """advance(t) once or in several slices summing to t (exact in binary) gives the same cluster."""
    whole, sliced = Cluster(workers=3, seed=seed), Cluster(workers=3, seed=seed)
    for step in script:
        if isinstance(step, str):
            assert whole.run(step).to_dict() == sliced.run(step).to_dict()
        else:
            total = float(int(step * 4)) / 4 or 0.25
            expected = whole.advance(seconds=total)
            events = []
            for piece in data.draw(chunked(total)):
                events += sliced.advance(seconds=piece)
            assert whole.now == sliced.now
            assert events == expected
    assert canonical(whole) == canonical(sliced)


def check_snapshot_agrees_with_kubectl(cluster: Cluster) -> None:
    """Asserts the visualizer's snapshot shows what `kubectl get -o json` shows: pods, nodes, Deployments."""
    snap = cluster.snapshot()
    pods = {f"{p['metadata']['namespace']}/{p['metadata']['name']}": p for p in items(cluster, "pods")}
    shown = {k: v for k, v in snap["pods"].items() if not v.get("bare")}
    assert set(shown) == set(pods), "snapshot pods differ from kubectl get pods"
    for key, pod in pods.items():
        item = shown[key]
        assert item["node"] == pod["spec"].get("nodeName"), key
        assert item["ready"] == is_ready(pod), key
        assert item["images"] == images(pod), key
        assert item["deleting"] == is_terminating(pod), key
    for node in items(cluster, "nodes"):
        item = snap["nodes"][node["metadata"]["name"]]
        assert item["ready"] == (condition(node, "Ready") == "True"), node["metadata"]["name"]
        assert item["cordoned"] == bool(node["spec"].get("unschedulable")), node["metadata"]["name"]
    deployments = {
        f"{d['metadata']['namespace']}/{d['metadata']['name']}": d for d in items(cluster, "deployments")
    }
    assert set(snap["deployments"]) == set(deployments)
    for key, d in deployments.items():
        item = snap["deployments"][key]
        assert item["replicas"] == d["spec"].get("replicas", 1), key
        assert item["available"] == d.get("status", {}).get("availableReplicas", 0), key


@SETTINGS
@given(seed=st.integers(0, 2**16), script=actions)
def test_the_snapshot_shows_what_kubectl_shows(seed, script):
    """After every command and advance, snapshot() agrees with kubectl on pods, nodes and Deployments."""
    cluster = Cluster(workers=3, seed=seed)
    for step in script:
        play(cluster, [step])
        check_snapshot_agrees_with_kubectl(cluster)

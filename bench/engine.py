"""Engine benchmark: how fast the simulated cluster runs, and how its cost grows with the number of pods.

Three tables (see bench/README.md for how to read them):
1. Rolling update throughput: simulated seconds per wall second while a classroom cluster (5 workers, 30 pods)
   and a large one (20 workers, 1,000 pods) go through a full rolling update (`kubectl set image`), from the
   command until every Deployment is complete and no pod of the old version is left, Terminating ones included.
2. Cost per simulated second at 100, 300 and 1,000 pods on the same 20 workers, in steady state and during a
   rollout, with the ratio cost(1,000)/cost(100) printed next to the 10x that linear growth would give.
3. Around the simulation: the JSON size and CPU cost of `to_dict` + `json.dumps` (a whole base), `from_dict`,
   `snapshot`, one tick plus `diff_since`, of a read-only and a mutating command, and the bytes and CPU of the
   incremental save that follows a `kubectl scale` (saving.py: a delta), because the visualizer persists the
   cluster, streams diffs and runs students' commands.

The workload is what a class applies: Deployments of nginx with CPU/memory requests and HTTP readiness and
liveness probes (so the kubelets have periodic work, as on a real cluster), each behind a ClusterIP Service
(so the endpoints controller and kube-proxy follow every readiness change). Deployments hold at most 100
replicas each (the engine's per-request limit), so the large cluster runs ten Deployments of 100; the growth
tables use ten Deployments at every size (10, 30 or 100 replicas each) so that only the pod count changes.

Only `Cluster.advance()` is inside the timed blocks: the `kubectl get -o json` calls that decide whether the
rollout has finished are made between ticks and left out, so the figures are the cost of simulating, not of
observing. The clock moves in ticks of `--tick` simulated seconds (default 0.1 s: a viewer at 1x receiving
10 frames per second, the rate of issue 4).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
from dataclasses import dataclass

from bench.common import (
    Stopwatch,
    fmt_bytes,
    fmt_int,
    fmt_ms,
    fmt_sig,
    load_average,
    median,
    reference_loop_ms,
    table,
    timed,
)

TITLE = "Engine: simulated time per wall time, and cost growth with pods"

OLD_IMAGE = "nginx:1.20"
NEW_IMAGE = "nginx:1.21"
PODS_PER_DEPLOYMENT = 100
# Generous bounds so that a stuck rollout ends the benchmark with a clear message instead of hanging.
SETTLE_LIMIT_S = 1800.0
ROLLOUT_LIMIT_S = 3600.0
CLASSROOM_AIM = 1000.0  # issue 3: the classroom cluster runs at least 1,000x real time.
SCALING_WORKERS = 20
SCALING_PODS = (100, 300, 1000)
# The growth tables keep the same ten Deployments and Services at every size, so only the pod count grows.
SCALING_DEPLOYMENTS = 10


def available() -> str | None:
    """Returns None when the engine can be imported, otherwise why the benchmark cannot run."""
    try:
        from visualizer.engine import Cluster  # noqa: F401
    except ImportError as exc:
        return f"visualizer.engine.Cluster cannot be imported ({exc})"
    return None


class BenchError(RuntimeError):
    """The cluster did not reach the state the benchmark waits for (a failed command or a stuck rollout)."""


def _run(cluster, command: str) -> str:
    result = cluster.run(command)
    if not result.ok:
        raise BenchError(f"`{command}` failed: {result.output}")
    return result.output


def _get(cluster, kind: str) -> list[dict]:
    return json.loads(_run(cluster, f"kubectl get {kind} -o json"))["items"]


def manifest(name: str, replicas: int, image: str = OLD_IMAGE) -> str:
    """Returns the YAML of one benchmark Deployment and its Service."""
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
      - name: nginx
        image: {image}
        ports:
        - containerPort: 80
        resources:
          requests:
            cpu: 20m
            memory: 32Mi
        readinessProbe:
          httpGet:
            path: /
            port: 80
        livenessProbe:
          httpGet:
            path: /
            port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector:
    app: {name}
  ports:
  - port: 80
    targetPort: 80
"""


def layout(pods: int, deployments: int | None = None) -> list[tuple[str, int]]:
    """Returns (name, replicas) pairs summing to `pods` over `deployments` Deployments (default: as few as the
    100-replica limit allows)."""
    count = deployments or math.ceil(pods / PODS_PER_DEPLOYMENT)
    base, extra = divmod(pods, count)
    return [(f"web{i}", base + (1 if i < extra else 0)) for i in range(count)]


def _rollout_done(cluster, image: str) -> bool:
    """Returns True when every Deployment is complete and every pod left (Terminating included) runs `image`."""
    # Deployments first: a handful of objects, so the 1,000-pod list is only fetched near the end.
    for d in _get(cluster, "deployments"):
        spec, status = d["spec"], d.get("status", {})
        replicas = spec.get("replicas", 1)
        if status.get("observedGeneration", 0) < d["metadata"].get("generation", 0):
            return False
        if not (
            status.get("updatedReplicas", 0) == replicas
            and status.get("replicas", 0) == replicas
            and status.get("availableReplicas", 0) == replicas
        ):
            return False
    for pod in _get(cluster, "pods"):
        if any(c["image"] != image for c in pod["spec"]["containers"]):
            return False
    return True


@dataclass
class Run:
    """What one timed stretch of simulation cost."""

    sim_seconds: float
    wall: float
    cpu: float
    ticks: int

    @property
    def speed(self) -> float:
        """Returns simulated seconds per wall second."""
        return self.sim_seconds / self.wall if self.wall else math.inf

    @property
    def cpu_speed(self) -> float:
        """Returns simulated seconds per CPU second of this process (insensitive to other load)."""
        return self.sim_seconds / self.cpu if self.cpu else math.inf

    @property
    def cost(self) -> float:
        """Returns CPU seconds per simulated second."""
        return self.cpu / self.sim_seconds if self.sim_seconds else 0.0


def _advance_until(cluster, done, limit: float, tick: float, what: str) -> Run:
    """Advances `tick` at a time until `done()` holds; returns the time spent inside `advance()` only."""
    sim = wall = cpu = 0.0
    ticks = 0
    while not done():
        if sim >= limit:
            raise BenchError(f"{what} not finished after {limit:.0f} simulated seconds")
        with Stopwatch() as watch:
            cluster.advance(seconds=tick)
        wall += watch.result.wall
        cpu += watch.result.cpu
        sim += tick
        ticks += 1
    return Run(sim, wall, cpu, ticks)


def _advance_for(cluster, seconds: float, tick: float) -> Run:
    """Advances `seconds` of simulated time in ticks; returns the wall and CPU time it took."""
    ticks = max(1, round(seconds / tick))
    with Stopwatch() as watch:
        for _ in range(ticks):
            cluster.advance(seconds=tick)
    return Run(ticks * tick, watch.result.wall, watch.result.cpu, ticks)


def build_cluster(workers: int, plan: list[tuple[str, int]], seed: int, tick: float):
    """Returns a cluster running `plan` (Deployment name, replicas) with every pod ready, and the settle run."""
    from visualizer.engine import Cluster

    cluster = Cluster(workers=workers, seed=seed)
    for name, replicas in plan:
        result = cluster.run("kubectl apply -f -", stdin=manifest(name, replicas))
        if not result.ok:
            raise BenchError(f"`kubectl apply` of {name} failed: {result.output}")
    settle = _advance_until(
        cluster, lambda: _rollout_done(cluster, OLD_IMAGE), SETTLE_LIMIT_S, tick, "start-up"
    )
    return cluster, settle


def rollout(cluster, plan: list[tuple[str, int]], tick: float) -> Run:
    """Starts `kubectl set image` on every Deployment and returns the run until the rollout has finished."""
    for name, _ in plan:
        _run(cluster, f"kubectl set image deployment/{name} nginx={NEW_IMAGE}")
    return _advance_until(
        cluster, lambda: _rollout_done(cluster, NEW_IMAGE), ROLLOUT_LIMIT_S, tick, "rollout"
    )


def _verdict(speed: float) -> str:
    return "met" if speed >= CLASSROOM_AIM else "missed"


def throughput_table(args) -> str:
    """Returns table 1: simulated seconds per wall (and CPU) second through a full rolling update."""
    rows = []
    for label, workers, pods, repeat in (
        # The classroom run is short (tens of milliseconds), so it gets more repeats.
        ("classroom", 5, 30, max(3 * args.repeat, 9)),
        ("large", 20, 1000, args.repeat),
    ):
        runs = []
        for r in range(repeat):
            gc.collect()
            plan = layout(pods)
            cluster, _ = build_cluster(workers, plan, args.seed + r, args.tick)
            runs.append(rollout(cluster, plan, args.tick))
        mid = sorted(runs, key=lambda run: run.speed)[len(runs) // 2]
        cpu_mid = sorted(runs, key=lambda run: run.cpu_speed)[len(runs) // 2]
        classroom = label == "classroom"
        rows.append(
            (
                f"{label} ({workers} workers, {fmt_int(pods)} pods)",
                fmt_sig(median(run.sim_seconds for run in runs)),
                fmt_ms(mid.wall),
                fmt_ms(mid.wall / mid.ticks),
                f"{fmt_sig(mid.speed)}×",
                f"{fmt_sig(cpu_mid.cpu_speed)}×",
                f"{fmt_sig(min(r.cpu_speed for r in runs))}–{fmt_sig(max(r.cpu_speed for r in runs))}×",
                f"≥ {fmt_int(CLASSROOM_AIM)}×" if classroom else "–",
                f"{_verdict(mid.speed)} (wall), {_verdict(cpu_mid.cpu_speed)} (CPU)" if classroom else "–",
            )
        )
    return table(
        [
            "cluster",
            "rollout (sim s)",
            "wall (ms)",
            "wall per tick (ms)",
            "sim s per wall s",
            "sim s per CPU s",
            "range over runs",
            "aim",
            "aim met?",
        ],
        rows,
        align="lrrrrrrll",
    )


def scaling_tables(args) -> str:
    """Returns table 2: CPU milliseconds per simulated second at 100/300/1,000 pods, and the growth ratio."""
    costs: dict[int, tuple[float, float]] = {}
    rows = []
    for pods in SCALING_PODS:
        steady, during = [], []
        for r in range(args.repeat):
            gc.collect()
            plan = layout(pods, SCALING_DEPLOYMENTS)
            cluster, _ = build_cluster(SCALING_WORKERS, plan, args.seed + r, args.tick)
            steady.append(_advance_for(cluster, args.steady_seconds, args.tick).cost)
            during.append(rollout(cluster, plan, args.tick).cost)
        costs[pods] = (median(steady), median(during))
        rows.append(
            (
                fmt_int(pods),
                SCALING_WORKERS,
                fmt_ms(costs[pods][0]),
                fmt_ms(costs[pods][1]),
                f"{fmt_sig(costs[pods][0] / costs[SCALING_PODS[0]][0], 2)}×",
                f"{fmt_sig(costs[pods][1] / costs[SCALING_PODS[0]][1], 2)}×",
                f"{pods / SCALING_PODS[0]:g}×",
            )
        )
    lo, hi = SCALING_PODS[0], SCALING_PODS[-1]
    growth = table(
        ["phase", f"cost({fmt_int(hi)}) / cost({lo})", "linear growth would give", "reading"],
        [
            (
                phase,
                f"{fmt_sig(costs[hi][i] / costs[lo][i], 3)}×",
                f"{hi / lo:g}×",
                _reading(costs[hi][i] / costs[lo][i], hi / lo),
            )
            for i, phase in enumerate(("steady state", "during a rollout"))
        ],
        align="lrrl",
    )
    cost = table(
        [
            "pods",
            "workers",
            "steady (CPU ms per sim s)",
            "rollout (CPU ms per sim s)",
            "steady vs 100",
            "rollout vs 100",
            "pods vs 100",
        ],
        rows,
    )
    return cost + "\n\n" + growth


def _reading(ratio: float, linear: float) -> str:
    """Returns a plain-words reading of a growth ratio against the linear one."""
    exponent = math.log(ratio) / math.log(linear) if ratio > 0 else 0.0
    if exponent < 0.85:
        shape = "sub-linear"
    elif exponent <= 1.15:
        shape = "about linear"
    elif exponent <= 1.5:
        shape = "worse than linear"
    else:
        shape = "close to quadratic or worse"
    return f"{shape} (cost ∝ pods^{exponent:.2f})"


def _saves_after_scale(cluster, scale, repeat: int) -> list[tuple[int, float]]:
    """Returns (bytes, CPU ms) of the incremental save (saving.py: a delta) after each of `repeat` scales."""
    cluster.saving.invalidate()
    cluster.saving.save_text(cluster)  # the base the deltas follow
    out = []
    for _ in range(repeat):
        scale()
        gc.collect()
        saved: list = []
        watch = timed(lambda saved=saved: saved.append(cluster.saving.save_text(cluster)))
        text, is_base = saved[0]
        if is_base:
            raise BenchError("the save after `kubectl scale` wrote a whole base instead of a delta")
        out.append((len(text.encode()), watch.cpu))
    return out


def around_table(args) -> str:
    """Returns table 3: CPU cost of what the app does around the simulation, for a settled cluster."""
    from visualizer.engine import Cluster

    repeat = max(args.repeat, 3)
    rows = []
    for pods in SCALING_PODS:
        plan = layout(pods, SCALING_DEPLOYMENTS)
        cluster, _ = build_cluster(SCALING_WORKERS, plan, args.seed, args.tick)
        text = json.dumps(cluster.to_dict())
        data = json.loads(text)

        def cpu(fn) -> float:
            gc.collect()
            return median(timed(fn).cpu for _ in range(repeat))

        def one_tick_diff(cluster=cluster) -> None:
            version = cluster.version
            cluster.advance(seconds=args.tick)
            cluster.diff_since(version)

        name, replicas = plan[0]
        flip = iter(range(1_000_000))

        def scale(cluster=cluster, name=name, replicas=replicas, flip=flip) -> None:
            # Alternate -1/+1 so every call really deletes or creates a pod.
            _run(cluster, f"kubectl scale deployment {name} --replicas={replicas - 1 + next(flip) % 2}")

        saves = _saves_after_scale(cluster, scale, repeat)
        rows.append(
            (
                fmt_int(pods),
                fmt_bytes(len(text.encode())),
                fmt_ms(cpu(lambda cluster=cluster: json.dumps(cluster.to_dict()))),
                fmt_ms(cpu(lambda data=data: Cluster.from_dict(data))),
                fmt_ms(cpu(cluster.snapshot)),
                fmt_ms(cpu(one_tick_diff)),
                fmt_ms(cpu(lambda cluster=cluster: _run(cluster, "kubectl get pods"))),
                fmt_ms(cpu(scale)),
                fmt_bytes(median(b for b, _ in saves)),
                fmt_ms(median(t for _, t in saves)),
            )
        )
    return table(
        [
            "pods",
            "to_dict as JSON",
            "to_dict + json.dumps",
            "from_dict",
            "snapshot()",
            "advance 1 tick + diff_since",
            "kubectl get pods",
            "kubectl scale −1/+1",
            "save after scale: bytes",
            "save after scale: CPU ms",
        ],
        rows,
    )


def main(argv: list[str]) -> int:
    """Prints the three tables; returns 1 if the cluster never reached a state the benchmark waits for."""
    parser = argparse.ArgumentParser(prog="python -m bench engine -- ", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per row; the median is reported (default 3)"
    )
    parser.add_argument("--tick", type=float, default=0.1, help="simulated seconds per advance() call (0.1)")
    parser.add_argument("--steady-seconds", type=float, default=300.0, help="steady-state stretch (300)")
    parser.add_argument("--seed", type=int, default=7, help="cluster seed of the first run (7)")
    parser.add_argument("--quick", action="store_true", help="one run per row (same as --repeat 1)")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat = 1
    print(
        f"Ticks of {args.tick:g} simulated s; medians of {args.repeat} run(s) (classroom: "
        f"{max(3 * args.repeat, 9)}) with seeds from {args.seed}; only `advance()` is timed. "
        f"Load average at start: {load_average()}; reference loop {reference_loop_ms():.0f} ms "
        "(bench.common.reference_loop_ms: divide by it to compare machines and days).\n"
    )
    try:
        print("### Rolling update throughput\n")
        print(throughput_table(args))
        print(
            f"\n### Cost per simulated second ({SCALING_WORKERS} workers, {SCALING_DEPLOYMENTS} Deployments)\n"
        )
        print(scaling_tables(args))
        print(
            f"\n### Around the simulation: CPU ms per call ({SCALING_WORKERS} workers, "
            f"{SCALING_DEPLOYMENTS} Deployments, settled)\n"
        )
        print(around_table(args))
        print(f"\nLoad average at the end: {load_average()}.\n")
    except BenchError as exc:
        print(f"\n**Benchmark stopped:** {exc}\n")
        return 1
    return 0

"""`kubectl top`: the simulated resource usage metrics-server would report, and kubectl's way of printing it.

One model feeds both the console's `kubectl top` and the REST face's `metrics.k8s.io` (visualizer.kubeapi
.metrics), so the real kubectl prints what the console prints:

- a Running pod uses `Cluster.pod_cpu_usage` millicores (the `sim load` demand, split evenly over its
  containers) and 12 MiB of memory per container; pods that are not Running have no metrics (metrics-server
  reports pods whose containers run);
- a node uses 80m and 600 MiB for the system (kubelet, runtime) plus what its Running pods use; a node whose
  machine is down has no metrics (metrics-server cannot scrape its kubelet), which kubectl prints `<unknown>`.

Printing follows kubectl pkg/cmd/top (top_pod.go, top_node.go) and pkg/metricsutil/metrics_printer.go: CPU as
`Quantity.MilliValue()` (rounded **up**) + `m`, memory as `Value()/(1024*1024)` (rounded down) + `Mi`, the
percentages of the node's *allocatable* as `int64(usage/allocatable*100)`; rows sorted by name (namespace
first with `-A`); `--containers` adds a `POD` column and a row per container.
"""

from __future__ import annotations

from ..objects import parse_bytes, parse_cpu

MIB = 1024 * 1024
CONTAINER_MEMORY_BYTES = 12 * MIB  # working set of one idle container (nginx-like)
SYSTEM_CPU_MILLI = 80  # kubelet + container runtime + OS on each node
SYSTEM_MEMORY_BYTES = 600 * MIB
POD_WINDOW = "15s"  # metrics-server's scrape window as kubectl saw it (reference §A3d)
NODE_WINDOW = "20s"


def pod_usage(c, pod: dict) -> list[tuple[str, int, int]] | None:
    """Returns [(container, CPU nanocores, memory bytes)] for a Running pod, None when it has no metrics."""
    if (pod.get("status") or {}).get("phase") != "Running":
        return None
    names = [ct["name"] for ct in pod["spec"].get("containers") or ()]
    if not names:
        return None
    milli = c.pod_cpu_usage(pod)
    share = round(milli * 1_000_000 / len(names))
    return [(name, share, CONTAINER_MEMORY_BYTES) for name in names]


def node_usage(c, node: dict) -> tuple[int, int] | None:
    """Returns (CPU nanocores, memory bytes) of a node whose machine is up, None otherwise."""
    name = node["metadata"]["name"]
    if not c.runtime.is_up(name):
        return None
    cpu = SYSTEM_CPU_MILLI * 1_000_000
    mem = SYSTEM_MEMORY_BYTES
    for p in c.store.pods_on(name):
        usage = pod_usage(c, p)
        if usage:
            cpu += sum(u[1] for u in usage)
            mem += sum(u[2] for u in usage)
    return cpu, mem


def _milli(nanocores: int) -> int:
    return -(-nanocores // 1_000_000)


def cpu_cell(nanocores: int) -> str:
    """`Quantity.MilliValue()` rounds up: 1234567n prints `2m`."""
    return f"{_milli(nanocores)}m"


def memory_cell(nbytes: int) -> str:
    """`Value()/(1024*1024)`: whole MiB, rounded down."""
    return f"{nbytes // MIB}Mi"


def pods_text(
    c,
    namespace: str | None,
    containers: bool = False,
    pods: list[dict] | None = None,
    sort_by: str = "",
    total: bool = False,
) -> str:
    """Returns `kubectl top pods` output (namespace None: `-A`), or the kubectl error text.

    `pods` may narrow the pods (a name, `-l`); errors follow top_pod.go: pods without metrics but existing →
    `error: metrics not available yet`, none → `No resources found in <ns> namespace.`
    """
    if pods is None:
        pods = c.store.list("Pod", namespace)
    measured = []
    for p in pods:
        usage = pod_usage(c, p)
        if usage is not None:
            measured.append((p, usage))
    if not measured:
        if pods:
            return "error: metrics not available yet"
        return "No resources found" if namespace is None else f"No resources found in {namespace} namespace."
    measured.sort(
        key=lambda pu: (
            pu[0]["metadata"]["namespace"] if namespace is None else "",
            pu[0]["metadata"]["name"],
        )
    )
    if (
        sort_by == "cpu"
    ):  # metricsutil PodMetricsSorter: the pod's total, largest first (stable on name order)
        measured.sort(key=lambda pu: -_milli(sum(u[1] for u in pu[1])))
    elif sort_by == "memory":
        measured.sort(key=lambda pu: -sum(u[2] for u in pu[1]))
    headers = (["NAMESPACE"] if namespace is None else []) + (["POD", "NAME"] if containers else ["NAME"])
    headers += ["CPU(cores)", "MEMORY(bytes)"]
    rows = []
    for p, usage in measured:
        lead = [p["metadata"]["namespace"]] if namespace is None else []
        if containers:
            for name, cpu, mem in usage:
                rows.append([*lead, p["metadata"]["name"], name, cpu_cell(cpu), memory_cell(mem)])
        else:
            cpu = sum(u[1] for u in usage)
            mem = sum(u[2] for u in usage)
            rows.append([*lead, p["metadata"]["name"], cpu_cell(cpu), memory_cell(mem)])
    if total:
        # metrics_printer.go printPodResourcesSum: blank cells, then `________` rules and the sums
        blanks = [""] * (len(headers) - 2)
        cpu = sum(u[1] for _, usage in measured for u in usage)
        mem = sum(u[2] for _, usage in measured for u in usage)
        rows += [[*blanks, "________", "________"], [*blanks, cpu_cell(cpu), memory_cell(mem)]]
    return table(headers, rows)


def nodes_text(c, nodes: list[dict] | None = None, capacity: bool = False, sort_by: str = "") -> str:
    """Returns `kubectl top nodes` output: percentages of allocatable (capacity with --show-capacity); nodes
    without metrics come last with `<unknown>` cells (metrics_printer.go `printMissingMetricsNodeLine`)."""
    if nodes is None:
        nodes = c.store.list("Node")
    nodes = sorted(nodes, key=lambda n: n["metadata"]["name"])
    rows, missing = [], []
    for n in nodes:
        usage = node_usage(c, n)
        if usage is None:
            missing.append([n["metadata"]["name"], "<unknown>", "<unknown>", "<unknown>", "<unknown>"])
            continue
        cpu, mem = usage
        avail = (n.get("status") or {}).get("capacity" if capacity else "allocatable") or {}
        cpu_avail = parse_cpu(avail.get("cpu", "0"))  # millicores
        mem_avail = parse_bytes(avail.get("memory", "0"))
        # float64(usage.MilliValue()) / float64(available.MilliValue()) * 100, truncated
        cpu_pct = f"{int(float(_milli(cpu)) / float(cpu_avail) * 100)}%" if cpu_avail else ""
        mem_pct = f"{int(float(mem * 1000) / float(mem_avail * 1000) * 100)}%" if mem_avail else ""
        rows.append([n["metadata"]["name"], cpu_cell(cpu), cpu_pct, memory_cell(mem), mem_pct])
    if not rows and not missing:
        return "error: metrics not available yet"
    if sort_by in ("cpu", "memory"):  # NodeMetricsSorter: largest first
        usage = {n["metadata"]["name"]: node_usage(c, n) for n in nodes}
        i = 0 if sort_by == "cpu" else 1
        rows.sort(key=lambda r: -usage[r[0]][i])
    return table(["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"], rows + missing)


def table(headers: list[str], rows: list[list[str]]) -> str:
    """Returns rows as kubectl top's tabwriter writes them: every cell, the last one too, is followed by a
    tab (metrics_printer.go `printValue`), so each is padded to its column's width plus three spaces and
    lines end in spaces."""
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    return "\n".join(
        "".join(cell.ljust(widths[i]) + "   " for i, cell in enumerate(r)) for r in [headers, *rows]
    )

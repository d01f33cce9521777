"""`kubectl describe` of the workload kinds, in the order kubectl's describers print them
(kubectl `pkg/describe/describe.go`: describeDaemonSet, describeStatefulSet, describeJob, describeCronJob,
describeReplicationController). `describe.describe` hands these kinds over with one registration line.

Each describer returns the full text; the `Pod Template:` block and the Events table are the shared ones of
`describe.py`.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from ..clock import EPOCH, human_duration, parse_stamp
from ..objects import selector_string
from ..store import pod_ready


def _time(text: str | None) -> str:
    """Returns kubectl's describe time format (RFC 1123Z): `Mon, 03 Mar 2025 09:00:00 +0000`."""
    t = parse_stamp(text)
    if t is None:
        return "<unset>"
    return (EPOCH + timedelta(seconds=t)).astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")


def _kv(d: dict | None, width: int) -> str:
    if not d:
        return "<none>"
    return "\n".join(f"{' ' * width if i else ''}{k}={v}" for i, (k, v) in enumerate(sorted(d.items())))


def _annotations(meta: dict) -> dict:
    return {
        k: v
        for k, v in (meta.get("annotations") or {}).items()
        if k != "kubectl.kubernetes.io/last-applied-configuration"
    }


class _Out:
    """Collects `Label:  value` lines aligned to one column, as kubectl's tabwriter does per block."""

    def __init__(self, width: int):
        self.width = width
        self.lines: list[str] = []

    def field(self, label: str, value) -> None:
        self.lines.append(f"{label + ':':<{self.width}}{value}")

    def map(self, label: str, d: dict | None) -> None:
        self.field(label, _kv(d, self.width))

    def raw(self, *lines: str) -> None:
        self.lines.extend(lines)


def _pods_status(c, obj: dict) -> str:
    running = waiting = succeeded = failed = 0
    for p in c.store.owned(obj["metadata"]["uid"], "Pod"):
        phase = (p.get("status") or {}).get("phase", "Pending")
        if phase == "Running":
            running += 1
        elif phase == "Pending":
            waiting += 1
        elif phase == "Succeeded":
            succeeded += 1
        elif phase == "Failed":
            failed += 1
    return f"{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed"


def _tail(c, obj: dict, out: _Out, template: dict) -> str:
    from .describe import _events, template_lines

    out.raw("Pod Template:", *template_lines(template))
    return "\n".join(out.lines + [_events(c, obj)])


def describe_daemonset(c, ds: dict) -> str:
    """Returns `kubectl describe daemonset` text."""
    meta, spec, st = ds["metadata"], ds["spec"], ds.get("status") or {}
    out = _Out(16)
    out.field("Name", meta["name"])
    out.field("Namespace", meta["namespace"])
    out.field("Selector", selector_string(spec.get("selector")))
    out.field("Node-Selector", _kv(spec["template"]["spec"].get("nodeSelector"), 16))
    out.map("Labels", meta.get("labels"))
    out.map(
        "Annotations",
        _annotations(meta) | {"deprecated.daemonset.template.generation": str(meta.get("generation", 1))},
    )
    out.raw(
        f"Desired Number of Nodes Scheduled: {st.get('desiredNumberScheduled', 0)}",
        f"Current Number of Nodes Scheduled: {st.get('currentNumberScheduled', 0)}",
        f"Number of Nodes Scheduled with Up-to-date Pods: {st.get('updatedNumberScheduled', 0)}",
        f"Number of Nodes Scheduled with Available Pods: {st.get('numberAvailable', 0)}",
        f"Number of Nodes Misscheduled: {st.get('numberMisscheduled', 0)}",
        f"Pods Status:  {_pods_status(c, ds)}",
    )
    return _tail(c, ds, out, spec["template"])


def describe_statefulset(c, sts: dict) -> str:
    """Returns `kubectl describe statefulset` text (Volume Claims after the pod template)."""
    from .describe import _events, template_lines

    meta, spec, st = sts["metadata"], sts["spec"], sts.get("status") or {}
    out = _Out(20)
    out.field("Name", meta["name"])
    out.field("Namespace", meta["namespace"])
    out.field("CreationTimestamp", _time(meta.get("creationTimestamp")))
    out.field("Selector", selector_string(spec.get("selector")))
    out.map("Labels", meta.get("labels"))
    out.map("Annotations", _annotations(meta))
    out.field("Replicas", f"{spec.get('replicas', 1)} desired | {st.get('replicas', 0)} total")
    strategy = spec.get("updateStrategy") or {}
    out.field("Update Strategy", strategy.get("type", "RollingUpdate"))
    if strategy.get("type", "RollingUpdate") == "RollingUpdate":
        out.raw(f"  {'Partition:':<18}{(strategy.get('rollingUpdate') or {}).get('partition', 0)}")
    out.field("Pods Status", _pods_status(c, sts))
    out.raw("Pod Template:", *template_lines(spec["template"]))
    claims = spec.get("volumeClaimTemplates") or []
    out.raw("Volume Claims:" + ("  <none>" if not claims else ""))
    for tpl in claims:
        tspec = tpl.get("spec") or {}
        out.raw(
            f"  Name:          {tpl['metadata']['name']}",
            f"  StorageClass:  {tspec.get('storageClassName', '')}",
            f"  Labels:        {_kv(tpl['metadata'].get('labels'), 17)}",
            f"  Annotations:   {_kv(tpl['metadata'].get('annotations'), 17)}",
            f"  Capacity:      {((tspec.get('resources') or {}).get('requests') or {}).get('storage', '')}",
            f"  Access Modes:  [{' '.join(tspec.get('accessModes') or [])}]",
        )
    return "\n".join(out.lines + [_events(c, sts)])


def describe_job(c, job: dict) -> str:
    """Returns `kubectl describe job` text (Pods Statuses: A Active (R Ready) / S Succeeded / F Failed)."""
    meta, spec, st = job["metadata"], job["spec"], job.get("status") or {}
    out = _Out(18)
    out.field("Name", meta["name"])
    out.field("Namespace", meta["namespace"])
    out.field("Selector", selector_string(spec.get("selector")))
    out.map("Labels", meta.get("labels"))
    out.map("Annotations", _annotations(meta))
    owner = next((o for o in meta.get("ownerReferences") or [] if o.get("controller")), None)
    if owner:
        out.field("Controlled By", f"{owner['kind']}/{owner['name']}")
    out.field("Parallelism", spec.get("parallelism", 1))
    out.field("Completions", spec.get("completions") if spec.get("completions") is not None else "<unset>")
    out.field("Completion Mode", spec.get("completionMode", "NonIndexed"))
    out.field("Suspend", str(bool(spec.get("suspend"))).lower())
    out.field("Backoff Limit", spec.get("backoffLimit", 6))
    if spec.get("ttlSecondsAfterFinished") is not None:
        out.field("TTL Seconds After Finished", spec["ttlSecondsAfterFinished"])
    if st.get("startTime"):
        out.field("Start Time", _time(st["startTime"]))
    if st.get("completionTime"):
        out.field("Completed At", _time(st["completionTime"]))
        out.field(
            "Duration", human_duration(parse_stamp(st["completionTime"]) - parse_stamp(st["startTime"]))
        )
    if spec.get("activeDeadlineSeconds") is not None:
        out.field("Active Deadline Seconds", f"{spec['activeDeadlineSeconds']}s")
    ready = sum(
        1
        for p in c.store.owned(meta["uid"], "Pod")
        if pod_ready(p) and not p["metadata"].get("deletionTimestamp")
    )
    out.field(
        "Pods Statuses",
        f"{st.get('active', 0)} Active ({ready} Ready) / {st.get('succeeded', 0)} Succeeded / "
        f"{st.get('failed', 0)} Failed",
    )
    return _tail(c, job, out, spec["template"])


def describe_cronjob(c, cj: dict) -> str:
    """Returns `kubectl describe cronjob` text."""
    from .describe import _events, template_lines

    meta, spec, st = cj["metadata"], cj["spec"], cj.get("status") or {}
    jspec = spec["jobTemplate"]["spec"]
    out = _Out(31)
    out.field("Name", meta["name"])
    out.field("Namespace", meta["namespace"])
    out.map("Labels", meta.get("labels"))
    out.map("Annotations", _annotations(meta))
    out.field("Schedule", spec.get("schedule", ""))
    if spec.get("timeZone"):
        out.field("Time Zone", spec["timeZone"])
    out.field("Concurrency Policy", spec.get("concurrencyPolicy", "Allow"))
    out.field("Suspend", str(bool(spec.get("suspend"))))
    out.field("Successful Job History Limit", spec.get("successfulJobsHistoryLimit", 3))
    out.field("Failed Job History Limit", spec.get("failedJobsHistoryLimit", 1))
    sds = spec.get("startingDeadlineSeconds")
    out.field("Starting Deadline Seconds", f"{sds}s" if sds is not None else "<unset>")
    out.field("Selector", selector_string(jspec.get("selector")) if jspec.get("selector") else "<unset>")
    out.field("Parallelism", jspec.get("parallelism", "<unset>"))
    out.field("Completions", jspec.get("completions", "<unset>"))
    out.raw("Pod Template:", *template_lines(jspec["template"]))
    out.field("Last Schedule Time", _time(st.get("lastScheduleTime")))
    active = ", ".join(a["name"] for a in st.get("active") or []) or "<none>"
    out.field("Active Jobs", active)
    return "\n".join(out.lines + [_events(c, cj)])


def describe_replicationcontroller(c, rc: dict) -> str:
    """Returns `kubectl describe rc` text."""
    meta, spec, st = rc["metadata"], rc["spec"], rc.get("status") or {}
    out = _Out(14)
    out.field("Name", meta["name"])
    out.field("Namespace", meta["namespace"])
    out.field("Selector", _kv(spec.get("selector"), 14).replace("\n" + " " * 14, ","))
    out.map("Labels", meta.get("labels"))
    out.map("Annotations", _annotations(meta))
    out.field("Replicas", f"{st.get('replicas', 0)} current / {spec.get('replicas', 1)} desired")
    out.field("Pods Status", _pods_status(c, rc))
    return _tail(c, rc, out, spec["template"])


DESCRIBERS = {
    "DaemonSet": describe_daemonset,
    "StatefulSet": describe_statefulset,
    "Job": describe_job,
    "CronJob": describe_cronjob,
    "ReplicationController": describe_replicationcontroller,
}

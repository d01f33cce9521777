"""`kubectl get` columns of the workload kinds: DaemonSet, StatefulSet, Job, CronJob, ReplicationController and
ControllerRevision, as kubernetes `pkg/printers/internalversion/printers.go` prints them (printDaemonSet,
printStatefulSet, printJob, printCronJob, printReplicationController, printControllerRevision).

`ROWS[kind](objs, now, wide)` returns (headers, rows); `printers.rows_for` calls it with one branch.
"""

from __future__ import annotations

from ..clock import human_duration, parse_stamp
from ..objects import selector_string
from .printers import age


def _images(template_spec: dict) -> list[str]:
    ctrs = template_spec.get("containers") or []
    return [",".join(c.get("name", "") for c in ctrs), ",".join(c.get("image", "") for c in ctrs)]


def _labels(selector: dict | None) -> str:
    """Returns labels.FormatLabels of a map: `k=v,k2=v2`, or `<none>`."""
    return ",".join(f"{k}={v}" for k, v in sorted((selector or {}).items())) or "<none>"


def _daemonsets(objs, now, wide):
    headers = ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"]
    if wide:
        headers += ["CONTAINERS", "IMAGES", "SELECTOR"]
    rows = []
    for d in objs:
        st = d.get("status") or {}
        tspec = d["spec"]["template"]["spec"]
        row = [
            d["metadata"]["name"],
            str(st.get("desiredNumberScheduled", 0)),
            str(st.get("currentNumberScheduled", 0)),
            str(st.get("numberReady", 0)),
            str(st.get("updatedNumberScheduled", 0)),
            str(st.get("numberAvailable", 0)),
            _labels(tspec.get("nodeSelector")),
            age(d, now),
        ]
        if wide:
            row += [*_images(tspec), selector_string(d["spec"].get("selector"))]
        rows.append(row)
    return headers, rows


def _statefulsets(objs, now, wide):
    headers = ["NAME", "READY", "AGE"]
    if wide:
        headers += ["CONTAINERS", "IMAGES"]
    rows = []
    for s in objs:
        st = s.get("status") or {}
        row = [
            s["metadata"]["name"],
            f"{st.get('readyReplicas', 0)}/{s['spec'].get('replicas', 1)}",
            age(s, now),
        ]
        if wide:
            row += _images(s["spec"]["template"]["spec"])
        rows.append(row)
    return headers, rows


def job_status_word(job: dict) -> str:
    """Returns the STATUS column of a Job: Complete, Failed, Terminating, Suspended, FailureTarget, Running."""
    conds = {c["type"]: c.get("status") for c in (job.get("status") or {}).get("conditions") or []}
    if conds.get("Complete") == "True":
        return "Complete"
    if conds.get("Failed") == "True":
        return "Failed"
    if job["metadata"].get("deletionTimestamp"):
        return "Terminating"
    if conds.get("Suspended") == "True":
        return "Suspended"
    if conds.get("FailureTarget") == "True":
        return "FailureTarget"
    return "Running"


def job_completions(job: dict) -> str:
    """Returns COMPLETIONS: `1/1`, or `0/1 of 3` for a work-queue Job with parallelism 3."""
    succeeded = (job.get("status") or {}).get("succeeded", 0)
    completions = job["spec"].get("completions")
    if completions is not None:
        return f"{succeeded}/{completions}"
    parallelism = job["spec"].get("parallelism", 1)
    return f"{succeeded}/1 of {parallelism}" if parallelism > 1 else f"{succeeded}/1"


def job_duration(job: dict, now: float) -> str:
    """Returns DURATION: empty before startTime, running time, or completionTime − startTime."""
    st = job.get("status") or {}
    start = parse_stamp(st.get("startTime"))
    if start is None:
        return ""
    end = parse_stamp(st.get("completionTime"))
    return human_duration((end if end is not None else now) - start)


def _jobs(objs, now, wide):
    headers = ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
    if wide:
        headers += ["CONTAINERS", "IMAGES", "SELECTOR"]
    rows = []
    for j in objs:
        row = [
            j["metadata"]["name"],
            job_status_word(j),
            job_completions(j),
            job_duration(j, now),
            age(j, now),
        ]
        if wide:
            row += [*_images(j["spec"]["template"]["spec"]), selector_string(j["spec"].get("selector"))]
        rows.append(row)
    return headers, rows


def _cronjobs(objs, now, wide):
    headers = ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"]
    if wide:
        headers += ["CONTAINERS", "IMAGES", "SELECTOR"]
    rows = []
    for cj in objs:
        st = cj.get("status") or {}
        spec = cj["spec"]
        last = parse_stamp(st.get("lastScheduleTime"))
        suspend = spec.get("suspend")
        row = [
            cj["metadata"]["name"],
            spec.get("schedule", ""),
            spec.get("timeZone") or "<none>",
            "<unset>" if suspend is None else str(bool(suspend)),
            str(len(st.get("active") or [])),
            "<none>" if last is None else human_duration(now - last),
            age(cj, now),
        ]
        if wide:
            jspec = spec["jobTemplate"]["spec"]
            row += [*_images(jspec["template"]["spec"]), selector_string(jspec.get("selector"))]
        rows.append(row)
    return headers, rows


def _replicationcontrollers(objs, now, wide):
    headers = ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    if wide:
        headers += ["CONTAINERS", "IMAGES", "SELECTOR"]
    rows = []
    for r in objs:
        st = r.get("status") or {}
        row = [
            r["metadata"]["name"],
            str(r["spec"].get("replicas", 1)),
            str(st.get("replicas", 0)),
            str(st.get("readyReplicas", 0)),
            age(r, now),
        ]
        if wide:
            row += [*_images(r["spec"]["template"]["spec"]), _labels(r["spec"].get("selector"))]
        rows.append(row)
    return headers, rows


def _controllerrevisions(objs, now, wide):
    headers = ["NAME", "CONTROLLER", "REVISION", "AGE"]
    rows = []
    for cr in objs:
        owner = next((o for o in cr["metadata"].get("ownerReferences") or [] if o.get("controller")), None)
        controller = "<none>"
        if owner:
            group = owner.get("apiVersion", "").split("/")[0] if "/" in owner.get("apiVersion", "") else ""
            controller = f"{owner['kind'].lower()}{'.' + group if group else ''}/{owner['name']}"
        rows.append([cr["metadata"]["name"], controller, str(cr.get("revision", 0)), age(cr, now)])
    return headers, rows


ROWS = {
    "DaemonSet": _daemonsets,
    "StatefulSet": _statefulsets,
    "Job": _jobs,
    "CronJob": _cronjobs,
    "ReplicationController": _replicationcontrollers,
    "ControllerRevision": _controllerrevisions,
}

"""CronJob controller (batch/v1): creates a Job at every scheduled minute, keeps a short history.

Follows kubernetes `pkg/controller/cronjob/cronjob_controllerv2.go` and `utils.go`, and docs
concepts/workloads/controllers/cron-jobs.md:
- `schedule` is standard 5-field cron or a macro (`@hourly`, `@daily`, …), evaluated with `croniter` in
  `timeZone` (default: the controller manager's zone, UTC here). The controller wakes at each scheduled time.
- Job names are `<cronjob>-<scheduled time in Unix minutes>` (`getTimeHashInMinutes`), e.g. `hello-29012345`;
  the Job gets the template's labels and annotations plus `batch.kubernetes.io/cronjob-scheduled-timestamp`.
- `concurrencyPolicy`: `Allow` (default) runs Jobs side by side, `Forbid` skips a run while one is active
  (event `JobAlreadyActive`), `Replace` deletes the active Job first.
- `suspend` stops new runs; `startingDeadlineSeconds` skips a run that could not start in time (Warning
  `MissSchedule`); more than 100 missed runs give Warning `TooManyMissedTimes`.
- History: finished Jobs beyond `successfulJobsHistoryLimit` (3) / `failedJobsHistoryLimit` (1) are deleted,
  oldest first. Events: `SuccessfulCreate` "Created job <name>", `SawCompletedJob` "Saw completed job: <name>,
  status: Complete", `SuccessfulDelete` "Deleted job <name>".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ..clock import EPOCH, parse_stamp, stamp
from ..objects import BY_KIND, clone, etcd_key, with_status
from ..validation import apply_defaults
from .job import finish_time, finished
from .ownership import controller_ref
from .workload_narration import narrate_workload

COMPONENT = "controller-manager/cronjob-controller"
SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp"
MAX_MISSED = 100


def _zone(cj: dict):
    tz = cj["spec"].get("timeZone")
    if not tz:
        return UTC
    from zoneinfo import ZoneInfo

    return ZoneInfo(tz)


def to_datetime(t: float, tz=UTC) -> datetime:
    """Returns the aware datetime of simulated time t (seconds since the cluster's epoch)."""
    return (EPOCH + timedelta(seconds=t)).astimezone(tz)


def to_sim(dt: datetime) -> float:
    """Returns simulated seconds for an aware datetime."""
    return (dt - EPOCH).total_seconds()


def job_name(cronjob: str, scheduled: float) -> str:
    """Returns `<cronjob>-<Unix minutes of the scheduled time>` (getJobName / getTimeHashInMinutes)."""
    unix = int(EPOCH.timestamp() + scheduled)
    return f"{cronjob}-{unix // 60}"


def schedule_times(cj: dict, after: float, until: float) -> tuple[int, float | None]:
    """Returns (how many scheduled times t have after < t ≤ until, the most recent of them or None)."""
    from croniter import croniter

    it = croniter(cj["spec"]["schedule"], to_datetime(after, _zone(cj)))
    count, latest = 0, None
    while count < 100_000:
        t = to_sim(it.get_next(datetime))
        if t > until:
            break
        count, latest = count + 1, t
    return count, latest


def next_time(cj: dict, after: float) -> float:
    """Returns the first scheduled time strictly after `after`."""
    from croniter import croniter

    return to_sim(croniter(cj["spec"]["schedule"], to_datetime(after, _zone(cj))).get_next(datetime))


def job_from_template(cj: dict, name: str, scheduled: float | None, *, manual: bool = False) -> dict:
    """Returns the Job a CronJob makes (`getJobFromTemplate2`), or the one `kubectl create job --from=cronjob/x`
    makes when `manual` (annotation `cronjob.kubernetes.io/instantiate: manual`, no blockOwnerDeletion)."""
    jt = cj["spec"]["jobTemplate"]
    meta = clone(jt.get("metadata") or {})
    annotations = dict(meta.get("annotations") or {})
    if manual:
        annotations["cronjob.kubernetes.io/instantiate"] = "manual"
        ref = {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "name": cj["metadata"]["name"],
            "uid": cj["metadata"]["uid"],
            "controller": True,
        }
    else:
        annotations[SCHEDULED_TIMESTAMP] = stamp(scheduled or 0)
        ref = controller_ref(cj)
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": name,
            "namespace": cj["metadata"]["namespace"],
            "labels": dict(meta.get("labels") or {}),
            "annotations": annotations,
            "ownerReferences": [ref],
        },
        "spec": clone(jt["spec"]),
    }
    if not job["metadata"]["labels"]:
        job["metadata"].pop("labels")
    apply_defaults(job)
    return job


def create_job_from_cronjob(c, cj: dict, name: str) -> dict:
    """Creates the Job of `kubectl create job NAME --from=cronjob/CJ` and returns it (for the create verb)."""
    return c.api.create(job_from_template(cj, name, None, manual=True), "kubectl", user=True)


class CronJobController:
    """Reconciles CronJobs."""

    def __init__(self, cluster):
        self.c = cluster

    def sync(self, key: str) -> None:
        """Tracks active Jobs, starts the Job due now (if any), trims history, sleeps until the next time."""
        c = self.c
        cj = c.store.get(key)
        if cj is None or cj["metadata"].get("deletionTimestamp"):
            return
        now = c.clock.now
        _name, ns = cj["metadata"]["name"], cj["metadata"]["namespace"]
        st = dict(cj.get("status") or {})
        jobs = c.store.owned(cj["metadata"]["uid"], "Job")
        active_uids = {a.get("uid") for a in st.get("active") or []}
        active = []
        for j in jobs:
            if j["metadata"].get("deletionTimestamp"):
                continue
            done = finished(j)
            if done is None:
                if (
                    j["metadata"]["uid"] not in active_uids
                    and parse_stamp(j["metadata"]["creationTimestamp"]) == now
                ):
                    manual = (j["metadata"].get("annotations") or {}).get("cronjob.kubernetes.io/instantiate")
                    if not manual:
                        self._event(
                            cj,
                            "Warning",
                            "UnexpectedJob",
                            f"Saw a job that the controller did not create or forgot: {j['metadata']['name']}",
                        )
                if j["metadata"]["uid"] in active_uids:
                    active.append(j)
            elif j["metadata"]["uid"] in active_uids:
                self._event(
                    cj,
                    "Normal",
                    "SawCompletedJob",
                    f"Saw completed job: {j['metadata']['name']}, status: {done}",
                )
                if done == "Complete":
                    at = finish_time(j)
                    if at is not None:
                        st["lastSuccessfulTime"] = stamp(at)
        for a in st.get("active") or []:
            if c.store.get(etcd_key(BY_KIND["Job"], ns, a["name"])) is None:
                self._event(cj, "Normal", "MissingJob", f"Active job went missing: {a['name']}")
        last = parse_stamp(st.get("lastScheduleTime")) or parse_stamp(cj["metadata"]["creationTimestamp"])
        deadline = cj["spec"].get("startingDeadlineSeconds")
        if deadline is not None:
            last = max(last, now - deadline)
        if not cj["spec"].get("suspend"):
            count, scheduled = schedule_times(cj, last, now)
            if scheduled is not None:
                if count > MAX_MISSED:
                    self._event(
                        cj,
                        "Warning",
                        "TooManyMissedTimes",
                        f"too many missed start times: {count}. Set or decrease .spec.startingDeadlineSeconds "
                        "or check clock skew",
                    )
                active = self._run(cj, st, scheduled, active)
        st["active"] = [
            {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "name": j["metadata"]["name"],
                "namespace": ns,
                "resourceVersion": j["metadata"]["resourceVersion"],
                "uid": j["metadata"]["uid"],
            }
            for j in sorted(active, key=lambda j: j["metadata"]["name"])
        ]
        if not st["active"]:
            st.pop("active")
        self._history(cj)
        cur = c.store.get(key)
        if (cur.get("status") or {}) != st:
            c.api.update_status(with_status(cur, st), COMPONENT)
        if not cj["spec"].get("suspend"):
            c.clock.wake("cronjob", key, next_time(cj, now))

    def _run(self, cj: dict, st: dict, scheduled: float, active: list[dict]) -> list[dict]:
        """Starts the Job for `scheduled` unless the deadline or the concurrency policy forbid it."""
        c = self.c
        now = c.clock.now
        name, ns = cj["metadata"]["name"], cj["metadata"]["namespace"]
        deadline = cj["spec"].get("startingDeadlineSeconds")
        if deadline is not None and scheduled + deadline < now:
            when = to_datetime(scheduled).strftime("%a, %d %b %Y %H:%M:%S +0000")
            self._event(cj, "Warning", "MissSchedule", f"Missed scheduled time to start a job: {when}")
            return active
        jname = job_name(name, scheduled)
        if c.store.get(etcd_key(BY_KIND["Job"], ns, jname)) is not None:
            return active  # already started for this time
        policy = cj["spec"].get("concurrencyPolicy", "Allow")
        if policy == "Forbid" and active:
            self._event(
                cj,
                "Normal",
                "JobAlreadyActive",
                "Not starting job because prior execution is running and concurrency policy is Forbid",
            )
            st["lastScheduleTime"] = stamp(scheduled)
            return active
        if policy == "Replace":
            for j in active:
                c.api.delete(j, COMPONENT)
                self._event(cj, "Normal", "SuccessfulDelete", f"Deleted job {j['metadata']['name']}")
            active = []
        try:
            job = c.api.create(job_from_template(cj, jname, scheduled), COMPONENT)
        except Exception as exc:  # noqa: BLE001 - reported as FailedCreate, retried at the next time
            self._event(cj, "Warning", "FailedCreate", f"Error creating job: {exc}")
            return active
        self._event(cj, "Normal", "SuccessfulCreate", f"Created job {jname}")
        st["lastScheduleTime"] = stamp(scheduled)
        return active + [job]

    def _history(self, cj: dict) -> None:
        """Deletes the oldest finished Jobs beyond the successful (3) and failed (1) history limits."""
        c = self.c
        jobs = [
            j
            for j in c.store.owned(cj["metadata"]["uid"], "Job")
            if not j["metadata"].get("deletionTimestamp")
        ]
        for kind, limit in (
            ("Complete", cj["spec"].get("successfulJobsHistoryLimit", 3)),
            ("Failed", cj["spec"].get("failedJobsHistoryLimit", 1)),
        ):
            done = [j for j in jobs if finished(j) == kind]
            done.sort(
                key=lambda j: (
                    parse_stamp((j.get("status") or {}).get("startTime")) or 0,
                    j["metadata"]["name"],
                )
            )
            for j in done[: max(0, len(done) - limit)]:
                c.api.delete(j, COMPONENT)
                self._event(cj, "Normal", "SuccessfulDelete", f"Deleted job {j['metadata']['name']}")

    def _event(self, cj: dict, etype: str, reason: str, message: str) -> None:
        name = cj["metadata"]["name"]
        template = {
            "SuccessfulCreate": "created",
            "SuccessfulDelete": "deleted",
            "SawCompletedJob": "completed",
        }.get(reason, "skipped")
        step, ko, en = narrate_workload(template, "CronJob", f"cronjob/{name}", why=reason)
        self.c.emit(
            etype,
            reason,
            f"cronjob/{name}",
            COMPONENT,
            message,
            ko,
            en,
            step,
            namespace=cj["metadata"]["namespace"],
        )

"""Job controller (batch/v1): run pods until `completions` of them succeed, within `backoffLimit` failures.

Follows kubernetes `pkg/controller/job/job_controller.go` and docs concepts/workloads/controllers/job.md:
- The API server gives each Job the selector `batch.kubernetes.io/controller-uid=<uid>` and its pod template
  the labels `batch.kubernetes.io/controller-uid`, `batch.kubernetes.io/job-name`, `controller-uid` and
  `job-name` (here written by the controller's first sync, in the same instant).
- Up to `parallelism` pods run at once, never more than the completions still missing; with `completions`
  unset (a work queue) the Job is complete once one pod succeeded and none is running.
- Failed pods are kept (for `kubectl logs`) and replaced after an exponential back-off of 10 s, 20 s, 40 s …
  capped at 6 min. With `restartPolicy: OnFailure` the kubelet restarts the container in place and the
  restarts count as failures. More failures than `backoffLimit` (default 6) fail the Job:
  conditions `FailureTarget` then `Failed` with reason `BackoffLimitExceeded` ("Job has reached the specified
  backoff limit"), running pods are deleted. `activeDeadlineSeconds` fails it with `DeadlineExceeded` ("Job
  was active longer than specified deadline").
- Success: conditions `SuccessCriteriaMet` then `Complete`, reason `CompletionsReached` ("Reached expected
  number of succeeded pods"), `completionTime` set, event `Completed` "Job completed".
- `suspend: true` deletes the running pods and sets the `Suspended` condition; `ttlSecondsAfterFinished`
  deletes the finished Job (its pods go with it through the garbage collector).
"""

from __future__ import annotations

from ..clock import parse_stamp, stamp
from ..objects import clone, with_status
from ..store import pod_ready
from .ownership import pod_from_template
from .workload_narration import narrate_workload

COMPONENT = "controller-manager/job-controller"
UID_LABELS = ("batch.kubernetes.io/controller-uid", "controller-uid")
NAME_LABELS = ("batch.kubernetes.io/job-name", "job-name")
BACKOFF_BASE = 10.0  # seconds; doubled per failure (DefaultJobPodFailureBackOff)
BACKOFF_MAX = 360.0  # 6 minutes (MaxJobPodFailureBackOff)


def finished(job: dict) -> str | None:
    """Returns "Complete" or "Failed" for a finished Job, else None."""
    for cd in (job.get("status") or {}).get("conditions") or []:
        if cd["type"] in ("Complete", "Failed") and cd.get("status") == "True":
            return cd["type"]
    return None


def finish_time(job: dict) -> float | None:
    """Returns when a finished Job finished (completionTime, or the Failed condition's transition)."""
    st = job.get("status") or {}
    if st.get("completionTime"):
        return parse_stamp(st["completionTime"])
    for cd in st.get("conditions") or []:
        if cd["type"] == "Failed" and cd.get("status") == "True":
            return parse_stamp(cd.get("lastTransitionTime"))
    return None


def backoff_delay(failures: int) -> float:
    """Returns the delay before replacing a pod after `failures` failures: 10 s × 2^(failures−1), ≤ 6 min."""
    if failures <= 0:
        return 0.0
    return min(BACKOFF_BASE * (2 ** (failures - 1)), BACKOFF_MAX)


def _condition(ctype: str, reason: str, message: str, now: float) -> dict:
    ts = stamp(now)
    return {
        "type": ctype,
        "status": "True",
        "lastProbeTime": ts,
        "lastTransitionTime": ts,
        "reason": reason,
        "message": message,
    }


def _finished_at(pod: dict) -> float | None:
    latest = None
    for cs in (pod.get("status") or {}).get("containerStatuses") or []:
        t = parse_stamp(((cs.get("state") or {}).get("terminated") or {}).get("finishedAt"))
        if t is not None:
            latest = t if latest is None else max(latest, t)
    return latest


class JobController:
    """Reconciles Jobs."""

    def __init__(self, cluster):
        self.c = cluster

    def sync(self, key: str) -> None:
        """Creates pods, counts successes and failures, and finishes the Job when its criteria are met."""
        c = self.c
        job = c.store.get(key)
        if job is None or job["metadata"].get("deletionTimestamp"):
            return
        job = self._ensure_selector(job)
        now = c.clock.now
        done = finished(job)
        if done:
            self._ttl(key, job)
            return
        spec = job["spec"]
        pods = c.store.owned(job["metadata"]["uid"], "Pod")
        active = [
            p for p in pods if not p["metadata"].get("deletionTimestamp") and _phase(p) not in _TERMINAL
        ]
        succeeded = sum(1 for p in pods if _phase(p) == "Succeeded")
        failed_pods = [p for p in pods if _phase(p) == "Failed"]
        failed = len(failed_pods)
        if spec["template"]["spec"].get("restartPolicy") == "OnFailure":
            failed += sum(
                cs.get("restartCount", 0)
                for p in pods
                for cs in (p.get("status") or {}).get("containerStatuses") or []
            )
        terminating = sum(
            1 for p in pods if p["metadata"].get("deletionTimestamp") and _phase(p) not in _TERMINAL
        )
        st = dict(job.get("status") or {})
        conditions = list(st.get("conditions") or [])
        if spec.get("suspend"):
            for p in active:
                c.api.delete(p, COMPONENT)
            if not any(cd["type"] == "Suspended" and cd["status"] == "True" for cd in conditions):
                conditions = [cd for cd in conditions if cd["type"] != "Suspended"]
                conditions.append(_condition("Suspended", "JobSuspended", "Job suspended", now))
                self._event(job, "Normal", "Suspended", "Job suspended", "skipped", "suspend")
            self._write(
                key, st | {"conditions": conditions}, 0, 0, succeeded, failed, len(active) + terminating
            )
            return
        if any(cd["type"] == "Suspended" and cd["status"] == "True" for cd in conditions):
            conditions = [
                cd | {"status": "False", "reason": "JobResumed", "message": "Job resumed"}
                if cd["type"] == "Suspended"
                else cd
                for cd in conditions
            ]
            self._event(job, "Normal", "Resumed", "Job resumed", "created", "")
        if not st.get("startTime"):
            st["startTime"] = stamp(now)
        start = parse_stamp(st["startTime"])
        completions = spec.get("completions")
        parallelism = spec.get("parallelism", 1)
        failure = None
        deadline = spec.get("activeDeadlineSeconds")
        if failed > spec.get("backoffLimit", 6):
            failure = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
        elif deadline is not None and now >= start + deadline:
            failure = ("DeadlineExceeded", "Job was active longer than specified deadline")
        if failure:
            for p in active:
                c.api.delete(p, COMPONENT)
                self._event(
                    job,
                    "Normal",
                    "SuccessfulDelete",
                    f"Deleted pod: {p['metadata']['name']}",
                    "deleted",
                    f"pod/{p['metadata']['name']}",
                )
            conditions += [_condition("FailureTarget", *failure, now), _condition("Failed", *failure, now)]
            self._event(job, "Warning", failure[0], failure[1], "failed", failure[0])
            self._write(
                key, st | {"conditions": conditions}, 0, 0, succeeded, failed, len(active) + terminating
            )
            self._ttl(key, c.store.get(key))
            return
        complete = (completions is not None and succeeded >= completions) or (
            completions is None and succeeded > 0 and not active
        )
        if complete:
            msg = "Reached expected number of succeeded pods"
            conditions += [
                _condition("SuccessCriteriaMet", "CompletionsReached", msg, now),
                _condition("Complete", "CompletionsReached", msg, now),
            ]
            st["completionTime"] = stamp(now)
            for p in active:  # a work queue's extra pods are not needed any more
                c.api.delete(p, COMPONENT)
            self._event(job, "Normal", "Completed", "Job completed", "completed", "")
            self._write(key, st | {"conditions": conditions}, 0, 0, succeeded, failed, terminating)
            self._ttl(key, c.store.get(key))
            return
        if completions is not None:
            want = min(parallelism, completions - succeeded)
        else:
            want = parallelism if succeeded == 0 else 0
        # Replacement pods wait out the failure back-off (counted from the newest failure).
        missing = want - len(active)
        if missing > 0 and failed:
            last = max((t for t in (_finished_at(p) for p in failed_pods) if t is not None), default=None)
            due = (last if last is not None else now) + backoff_delay(failed)
            if due > now and last is not None:
                c.clock.wake("job", key, due)
                missing = 0
        created = 0
        for _ in range(max(0, missing)):
            pod = pod_from_template(job, job["spec"]["template"])
            try:
                made = c.api.create(pod, COMPONENT)
            except Exception:  # noqa: BLE001 - the namespace is going away; the next sync retries
                break
            created += 1
            self._event(
                job,
                "Normal",
                "SuccessfulCreate",
                f"Created pod: {made['metadata']['name']}",
                "replaced" if failed else "created",
                f"pod/{made['metadata']['name']}",
            )
        if deadline is not None:
            c.clock.wake("job", key, start + deadline)
        ready = sum(1 for p in active if pod_ready(p))
        self._write(
            key, st | {"conditions": conditions}, len(active) + created, ready, succeeded, failed, terminating
        )

    def _ensure_selector(self, job: dict) -> dict:
        """Writes the generated selector and the four job labels (the API server's PrepareForCreate)."""
        uid, name = job["metadata"]["uid"], job["metadata"]["name"]
        labels = (job["spec"]["template"].get("metadata") or {}).get("labels") or {}
        if (
            job["spec"].get("selector")
            and all(labels.get(k) == uid for k in UID_LABELS)
            and job["metadata"].get("labels")
        ):
            return job
        upd = clone(job)
        upd["spec"]["selector"] = {"matchLabels": {UID_LABELS[0]: uid}}
        tmeta = upd["spec"]["template"].setdefault("metadata", {})
        tmeta["labels"] = dict(tmeta.get("labels") or {}) | {
            UID_LABELS[0]: uid,
            NAME_LABELS[0]: name,
            UID_LABELS[1]: uid,
            NAME_LABELS[1]: name,
        }
        if not upd["metadata"].get("labels"):
            # SetDefaults_Job: a Job without labels takes its pod template's.
            upd["metadata"]["labels"] = dict(tmeta["labels"])
        return self.c.api.update_status(upd, COMPONENT)

    def _ttl(self, key: str, job: dict | None) -> None:
        c = self.c
        if job is None:
            return
        ttl = job["spec"].get("ttlSecondsAfterFinished")
        at = finish_time(job)
        if ttl is None or at is None:
            return
        if c.clock.now >= at + ttl:
            c.api.delete(job, "controller-manager/ttl-after-finished-controller")
        else:
            c.clock.wake("job", key, at + ttl)

    def _write(self, key, st, active, ready, succeeded, failed, terminating) -> None:
        c = self.c
        job = c.store.get(key)
        status = {
            k: v for k, v in st.items() if k not in ("active", "succeeded", "failed", "ready", "terminating")
        }
        if active:
            status["active"] = active
        if succeeded:
            status["succeeded"] = succeeded
        if failed:
            status["failed"] = failed
        status["ready"] = ready
        status["terminating"] = terminating
        status.setdefault("uncountedTerminatedPods", {})
        if not status.get("conditions"):
            status.pop("conditions", None)
        if (job.get("status") or {}) != status:
            c.api.update_status(with_status(job, status), COMPONENT)

    def _event(self, job: dict, etype: str, reason: str, message: str, template: str, obj: str) -> None:
        name = job["metadata"]["name"]
        step, ko, en = narrate_workload(template, "Job", obj or f"job/{name}", why=obj)
        self.c.emit(
            etype,
            reason,
            f"job/{name}",
            COMPONENT,
            message,
            ko,
            en,
            step,
            namespace=job["metadata"]["namespace"],
        )


_TERMINAL = ("Succeeded", "Failed")


def _phase(pod: dict) -> str | None:
    return (pod.get("status") or {}).get("phase")

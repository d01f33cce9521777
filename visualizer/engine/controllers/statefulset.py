"""StatefulSet controller: stable pod names, ordered start and stop, one PersistentVolumeClaim per template.

Follows kubernetes `pkg/controller/statefulset` (stateful_set_control.go `updateStatefulSet`,
stateful_pod_control.go) and docs concepts/workloads/controllers/statefulset.md and
tutorials/stateful-application/basic-stateful-set.md:
- Pods are named `<sts>-<ordinal>` (ordinals from `spec.ordinals.start`, default 0), with hostname = pod name
  and subdomain = `serviceName`, and labels `statefulset.kubernetes.io/pod-name`, `apps.kubernetes.io/pod-index`
  and `controller-revision-hash` (= the ControllerRevision name `<sts>-<hash>`).
- Each `volumeClaimTemplates` entry gives a claim `<template>-<sts>-<ordinal>`, created before the pod and
  never deleted by the controller (`persistentVolumeClaimRetentionPolicy` Retain/Retain, the default); a pod
  created again for that ordinal mounts the same claim.
- `OrderedReady` (default): a pod is created only when every lower ordinal is Running and Ready; scale down
  removes the highest ordinal first, one at a time, and only while the others are healthy. `Parallel`
  creates and deletes without waiting.
- `RollingUpdate` replaces pods from the highest ordinal down to `partition`, one at a time, each waiting for
  the replaced pod to be Running and Ready; pods below the partition keep (and are recreated from) the
  current revision. `OnDelete` replaces only pods that are deleted.
- Events: `SuccessfulCreate` `create Pod web-0 in StatefulSet web successful`, `create Claim www-web-0 Pod
  web-0 in StatefulSet web success`, `SuccessfulDelete` `delete Pod web-1 in StatefulSet web successful`.
"""

from __future__ import annotations

import re

from ..objects import BY_KIND, clone, etcd_key, omit_zero, with_status
from ..store import pod_ready
from .ownership import REVISION_HASH, pod_from_template, sync_revisions
from .replicaset import is_available, ready_since
from .workload_narration import narrate_workload

COMPONENT = "controller-manager/statefulset-controller"
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"


def ordinal_of(sts_name: str, pod_name: str) -> int | None:
    """Returns the ordinal of `<sts>-<ordinal>`, or None when the name is not of that form."""
    prefix = sts_name + "-"
    if not pod_name.startswith(prefix):
        return None
    rest = pod_name[len(prefix) :]
    return int(rest) if rest.isdigit() else None


def claim_name(template_name: str, sts_name: str, ordinal: int) -> str:
    """Returns the PersistentVolumeClaim name of one claim template for one ordinal: `www-web-0`."""
    return f"{template_name}-{sts_name}-{ordinal}"


def _running_ready(pod: dict, min_ready: int = 0, now: float = 0.0) -> bool:
    """Returns True for a Running and Ready pod that has been Ready for minReadySeconds (isRunningAndAvailable)."""
    if pod.get("status", {}).get("phase") != "Running" or not pod_ready(pod):
        return False
    return not min_ready or is_available(pod, min_ready, now)


class StatefulSetController:
    """Reconciles StatefulSets."""

    def __init__(self, cluster):
        self.c = cluster

    def sync(self, key: str) -> None:
        """Runs one pass of the ordered create/update/delete algorithm, then writes status."""
        c = self.c
        sts = c.store.get(key)
        if sts is None or sts["metadata"].get("deletionTimestamp"):
            return
        name = sts["metadata"]["name"]
        h, _ = sync_revisions(c, sts, sts["spec"]["template"], COMPONENT)
        update_rev = f"{name}-{h}"
        st = sts.get("status") or {}
        current_rev = st.get("currentRevision") or update_rev
        spec = sts["spec"]
        start = (spec.get("ordinals") or {}).get("start", 0)
        replicas = spec.get("replicas", 1)
        parallel = spec.get("podManagementPolicy", "OrderedReady") == "Parallel"
        pods: dict[int, dict] = {}
        for p in c.store.owned(sts["metadata"]["uid"], "Pod"):
            i = ordinal_of(name, p["metadata"]["name"])
            if i is not None:
                pods[i] = p
        wanted = range(start, start + replicas)
        self._pass(sts, pods, wanted, parallel, update_rev, current_rev)
        self._status(key, update_rev, current_rev)

    def _pass(self, sts, pods, wanted, parallel, update_rev, current_rev) -> None:
        min_ready = sts["spec"].get("minReadySeconds", 0)
        now = self.c.clock.now
        # 1. replicas in order: replace failed pods, create missing ones, wait on unhealthy ones (OrderedReady).
        for i in wanted:
            pod = pods.get(i)
            if (
                pod is not None
                and pod.get("status", {}).get("phase") == "Failed"
                and not pod["metadata"].get("deletionTimestamp")
            ):
                self._delete(sts, pod)
                if not parallel:
                    return
                continue
            if pod is None:
                self._create(sts, i, update_rev, current_rev)
                if not parallel:
                    return
                continue
            if not parallel and (
                pod["metadata"].get("deletionTimestamp") or not _running_ready(pod, min_ready, now)
            ):
                return
        # 2. condemned pods (ordinals beyond replicas): highest first, one at a time unless Parallel.
        condemned = sorted((i for i in pods if i not in wanted), reverse=True)
        for i in condemned:
            pod = pods[i]
            if pod["metadata"].get("deletionTimestamp"):
                if not parallel:
                    return
                continue
            self._delete(sts, pod)
            if not parallel:
                return
        # 3. rolling update from the highest ordinal down to the partition.
        strategy = sts["spec"].get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            return
        partition = (strategy.get("rollingUpdate") or {}).get("partition", 0)
        for i in sorted(wanted, reverse=True):
            if i < partition:
                break
            pod = pods.get(i)
            if pod is None or pod["metadata"].get("deletionTimestamp"):
                return
            if (pod["metadata"].get("labels") or {}).get(REVISION_HASH) != update_rev:
                self._delete(sts, pod)
                return
            if not _running_ready(pod, min_ready, now):
                return

    def _template_for(self, sts: dict, ordinal: int, update_rev: str, current_rev: str) -> tuple[dict, str]:
        """Returns (pod template, revision name) for an ordinal: below the partition, the current revision."""
        strategy = sts["spec"].get("updateStrategy") or {}
        partition = (strategy.get("rollingUpdate") or {}).get("partition", 0)
        rolling = strategy.get("type", "RollingUpdate") == "RollingUpdate"
        if current_rev != update_rev and (not rolling or ordinal < partition):
            cr = self.c.store.get(
                etcd_key(BY_KIND["ControllerRevision"], sts["metadata"]["namespace"], current_rev)
            )
            if cr is not None:
                return cr["data"]["spec"]["template"], current_rev
        return sts["spec"]["template"], update_rev

    def _create(self, sts: dict, ordinal: int, update_rev: str, current_rev: str) -> None:
        c = self.c
        name, ns = sts["metadata"]["name"], sts["metadata"]["namespace"]
        pod_name = f"{name}-{ordinal}"
        template, rev = self._template_for(sts, ordinal, update_rev, current_rev)
        claims = []
        for tpl in sts["spec"].get("volumeClaimTemplates") or []:
            cname = claim_name(tpl["metadata"]["name"], name, ordinal)
            claims.append((tpl["metadata"]["name"], cname))
            if c.api.get("PersistentVolumeClaim", ns, cname) is None:
                labels = dict(tpl["metadata"].get("labels") or {}) | dict(
                    (sts["spec"].get("selector") or {}).get("matchLabels") or {}
                )
                pvc = {
                    "apiVersion": "v1",
                    "kind": "PersistentVolumeClaim",
                    "metadata": {"name": cname, "namespace": ns, "labels": labels},
                    "spec": clone(tpl.get("spec") or {}),
                }
                if tpl["metadata"].get("annotations"):
                    pvc["metadata"]["annotations"] = dict(tpl["metadata"]["annotations"])
                try:
                    c.api.create(pvc, COMPONENT)
                except Exception as exc:  # noqa: BLE001 - reported as the real controller does
                    _event(
                        c,
                        sts,
                        "Warning",
                        "FailedCreate",
                        f"create Claim {cname} for Pod {pod_name} in StatefulSet {name} failed error: {_reason(exc)}",
                    )
                    return
                _event(
                    c,
                    sts,
                    "Normal",
                    "SuccessfulCreate",
                    f"create Claim {cname} Pod {pod_name} in StatefulSet {name} success",
                )
        labels = {POD_NAME_LABEL: pod_name, POD_INDEX_LABEL: str(ordinal), REVISION_HASH: rev}
        pod = pod_from_template(sts, template, name=pod_name, labels=labels)
        pspec = pod["spec"]
        pspec["hostname"] = pod_name
        if sts["spec"].get("serviceName"):
            pspec["subdomain"] = sts["spec"]["serviceName"]
        if claims:
            volumes = [v for v in pspec.get("volumes") or [] if v.get("name") not in {t for t, _ in claims}]
            volumes += [{"name": t, "persistentVolumeClaim": {"claimName": cn}} for t, cn in claims]
            pspec["volumes"] = volumes
        try:
            c.api.create(pod, COMPONENT)
        except Exception as exc:  # noqa: BLE001 - a pod of that name still exists (terminating): retry later
            _event(
                c,
                sts,
                "Warning",
                "FailedCreate",
                f"create Pod {pod_name} in StatefulSet {name} failed error: {_reason(exc)}",
            )
            return
        _event(
            c,
            sts,
            "Normal",
            "SuccessfulCreate",
            f"create Pod {pod_name} in StatefulSet {name} successful",
            pod=pod_name,
        )

    def _delete(self, sts: dict, pod: dict) -> None:
        c = self.c
        c.api.delete(pod, COMPONENT)
        _event(
            c,
            sts,
            "Normal",
            "SuccessfulDelete",
            f"delete Pod {pod['metadata']['name']} in StatefulSet {sts['metadata']['name']} successful",
            pod=pod["metadata"]["name"],
            deleted=True,
        )

    def _status(self, key: str, update_rev: str, current_rev: str) -> None:
        c = self.c
        sts = c.store.get(key)
        now = c.clock.now
        min_ready = sts["spec"].get("minReadySeconds", 0)
        replicas = ready = available = current = updated = 0
        for p in c.store.owned(sts["metadata"]["uid"], "Pod"):
            if p["metadata"].get("deletionTimestamp"):
                continue
            replicas += 1
            rev = (p["metadata"].get("labels") or {}).get(REVISION_HASH)
            if pod_ready(p) and p.get("status", {}).get("phase") == "Running":
                ready += 1
                if is_available(p, min_ready, now):
                    available += 1
                else:
                    # Wake when the pod becomes available (minReadySeconds after it became Ready).
                    c.clock.wake("statefulset", key, (ready_since(p) or now) + min_ready)
            if rev == current_rev:
                current += 1
            if rev == update_rev:
                updated += 1
        want = sts["spec"].get("replicas", 1)
        # Once every pod runs the update revision, it becomes the current revision.
        if updated == want and replicas == want:
            current_rev, current = update_rev, updated
        status = {
            "availableReplicas": available,
            "collisionCount": 0,
            "currentReplicas": current,
            "currentRevision": current_rev,
            "observedGeneration": sts["metadata"].get("generation", 1),
            "readyReplicas": ready,
            "replicas": replicas,
            "updateRevision": update_rev,
            "updatedReplicas": updated,
        }
        # StatefulSetStatus: `replicas`, `availableReplicas` always; these counts are `omitempty`
        omit_zero(status, "observedGeneration", "readyReplicas", "currentReplicas", "updatedReplicas")
        if (sts.get("status") or {}) != status:
            c.api.update_status(with_status(sts, status), COMPONENT)


def _reason(exc: Exception) -> str:
    """Returns the API error without kubectl's `Error from server (Reason): ` prefix (the controller's words)."""
    return re.sub(r"^Error from server \(\w+\): ", "", str(exc))


def _event(c, sts: dict, etype: str, reason: str, message: str, pod: str = "", deleted: bool = False) -> None:
    obj = f"pod/{pod}" if pod else message.split()[2]
    step, ko, en = narrate_workload("deleted" if deleted else "created", "StatefulSet", obj)
    args = (etype, reason, f"statefulset/{sts['metadata']['name']}", COMPONENT, message, ko, en, step)
    if reason == "FailedCreate":
        # Retried on every sync: recorded once a minute, as the event recorder aggregates repeats.
        c.emit_once(
            f"sts-failed:{sts['metadata']['uid']}:{message}", *args, namespace=sts["metadata"]["namespace"]
        )
    else:
        c.emit(*args, namespace=sts["metadata"]["namespace"])

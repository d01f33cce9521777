"""`kubectl rollout status|history|undo|restart` for DaemonSets and StatefulSets.

Their revisions are ControllerRevisions owned by the workload (kubectl `pkg/polymorphichelpers/history.go`
`DaemonSetHistoryViewer`/`StatefulSetHistoryViewer`, `rollback.go`, `rollout_status.go`
`DaemonSetStatusViewer`/`StatefulSetStatusViewer`). `pause` and `resume` are refused as kubectl refuses
them for these kinds.
"""

from __future__ import annotations

from ..clock import stamp
from ..objects import clone
from .args import CommandError

CHANGE_CAUSE = "kubernetes.io/change-cause"


def _revisions(c, obj: dict) -> dict[int, dict]:
    return {cr.get("revision", 0): cr for cr in c.store.owned(obj["metadata"]["uid"], "ControllerRevision")}


def status(obj: dict) -> str:
    """Returns the `rollout status` line of a DaemonSet or StatefulSet (raises for OnDelete)."""
    name = obj["metadata"]["name"]
    st = obj.get("status") or {}
    strategy = (obj["spec"].get("updateStrategy") or {}).get("type", "RollingUpdate")
    if strategy != "RollingUpdate":
        raise CommandError("error: rollout status is only available for RollingUpdate strategy type")
    if obj["kind"] == "DaemonSet":
        if obj["metadata"].get("generation", 1) > st.get("observedGeneration", 0):
            return "Waiting for daemon set spec update to be observed..."
        desired = st.get("desiredNumberScheduled", 0)
        if st.get("updatedNumberScheduled", 0) < desired:
            return (
                f'Waiting for daemon set "{name}" rollout to finish: {st.get("updatedNumberScheduled", 0)} out of '
                f"{desired} new pods have been updated..."
            )
        if st.get("numberAvailable", 0) < desired:
            return (
                f'Waiting for daemon set "{name}" rollout to finish: {st.get("numberAvailable", 0)} of {desired} '
                "updated pods are available..."
            )
        return f'daemon set "{name}" successfully rolled out'
    if obj["metadata"].get("generation", 1) > st.get("observedGeneration", 0):
        return "Waiting for statefulset spec update to be observed..."
    replicas = obj["spec"].get("replicas", 1)
    if st.get("readyReplicas", 0) < replicas:
        return f"Waiting for {replicas - st.get('readyReplicas', 0)} pods to be ready..."
    rolling = (obj["spec"].get("updateStrategy") or {}).get("rollingUpdate")
    if rolling is not None:
        # rollout_status.go StatefulSetStatusViewer: any rollingUpdate (the API server defaults
        # `partition: 0`) reports a partitioned roll out.
        partition = rolling.get("partition")
        if partition is not None and st.get("updatedReplicas", 0) < replicas - partition:
            return (
                f"Waiting for partitioned roll out to finish: {st.get('updatedReplicas', 0)} out of "
                f"{replicas - partition} new pods have been updated..."
            )
        return f"partitioned roll out complete: {st.get('updatedReplicas', 0)} new pods have been updated..."
    if st.get("updateRevision") != st.get("currentRevision"):
        return (
            f"waiting for statefulset rolling update to complete {st.get('updatedReplicas', 0)} pods at revision "
            f"{st.get('updateRevision')}..."
        )
    return f"statefulset rolling update complete {st.get('currentReplicas', 0)} pods at revision {st.get('currentRevision')}..."


def history(c, obj: dict, prefix: str, revision: int, template_lines) -> str:
    """Returns `rollout history` (a REVISION/CHANGE-CAUSE table, or one revision's pod template)."""
    from .printers import tabbed

    revs = _revisions(c, obj)
    name = obj["metadata"]["name"]
    if revision:
        cr = revs.get(revision)
        if cr is None:
            raise CommandError("error: unable to find the specified revision")
        return f"{prefix}/{name} with revision #{revision}\n" + "\n".join(
            template_lines(cr["data"]["spec"]["template"])
        )
    if not revs:
        return "No rollout history found."
    rows = [
        [str(r), (revs[r]["metadata"].get("annotations") or {}).get(CHANGE_CAUSE, "<none>")]
        for r in sorted(revs)
    ]
    return f"{prefix}/{name} \n" + tabbed(["REVISION", "CHANGE-CAUSE"], rows)


def undo(c, obj: dict, prefix: str, to_revision: int) -> str:
    """Rolls the template back to a ControllerRevision (the previous one by default)."""
    revs = _revisions(c, obj)
    name = obj["metadata"]["name"]
    if to_revision:
        cr = revs.get(to_revision)
        if cr is None:
            raise CommandError(f"error: unable to find specified revision {to_revision} in history")
    else:
        ordered = sorted(revs)
        if len(ordered) < 2:
            raise CommandError(f'error: no rollout history found for {obj["kind"].lower()} "{name}"')
        to_revision = ordered[-2]
        cr = revs[to_revision]
    template = clone(cr["data"]["spec"]["template"])
    if template == _without_hash(obj["spec"]["template"]):
        return f"{prefix}/{name} skipped rollback (current template already matches revision {to_revision})"
    upd = clone(obj)
    upd["spec"]["template"] = template
    c.api.update(upd, "kubectl", user=True, verb="rollout undo")
    return f"{prefix}/{name} rolled back"


def restart(c, obj: dict, prefix: str) -> str:
    """Sets `kubectl.kubernetes.io/restartedAt` on the pod template, which rolls every pod."""
    if (obj["spec"].get("updateStrategy") or {}).get("type", "RollingUpdate") == "OnDelete":
        raise CommandError(f"error: failed to restart {prefix}/{obj['metadata']['name']}: OnDelete strategy")
    upd = clone(obj)
    upd["spec"]["template"].setdefault("metadata", {}).setdefault("annotations", {})[
        "kubectl.kubernetes.io/restartedAt"
    ] = stamp(c.clock.now).replace("Z", "+00:00")
    c.api.update(upd, "kubectl", user=True, verb="rollout restart")
    return f"{prefix}/{obj['metadata']['name']} restarted"


def _without_hash(template: dict) -> dict:
    from ..controllers.ownership import strip_revision_label

    return strip_revision_label(template)

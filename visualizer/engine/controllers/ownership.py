"""Owner references shared by the workload controllers: controller refs, pods from templates, selectors,
ControllerRevisions, and the adoption/release of pods by label (the controllers' ClaimPods).

A controller manages only the objects whose `ownerReferences[].controller` points at it. It **adopts** an
orphan pod whose labels match its selector (adding its controller reference) and **releases** a pod it owns
whose labels stop matching (removing the reference): `kubectl label pod web-x app=debug --overwrite` takes
the pod out of its ReplicaSet, which then creates a replacement; labelling it back lets the ReplicaSet adopt
it again and delete the surplus. Source: kubernetes `pkg/controller/controller_ref_manager.go`
(`PodControllerRefManager.ClaimPods`); docs concepts/workloads/controllers/replicaset.md §"Isolating Pods
from a ReplicaSet" and §"Non-Template Pod acquisitions".

Adoption runs on the `adoption` work queue keyed by pod key, fed only by the writes that can change a claim
(an ownerless pod created, a pod's labels changed, a selector-owning controller created), so the hot path of
pod status writes does not pay for it.
"""

from __future__ import annotations

import json

from ..objects import BY_KIND, clone, etcd_key, fnv32a, matches, safe_encode, selector_requirements
from ..store import controller_uid

# Kinds whose controller adopts pods by selector (Jobs use a generated controller-uid selector: never adopt).
ADOPTING_KINDS = ("ReplicaSet", "ReplicationController", "DaemonSet", "StatefulSet")
REVISION_HASH = "controller-revision-hash"


def controller_ref(owner: dict) -> dict:
    """Returns the controller ownerReference pointing at `owner` (blockOwnerDeletion true, as NewControllerRef)."""
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def pod_from_template(
    owner: dict, template: dict, *, name: str | None = None, labels: dict | None = None
) -> dict:
    """Returns a new Pod object from a pod template, owned by `owner` (generateName `<owner>-` unless named)."""
    meta = clone(template.get("metadata") or {})
    meta.pop("name", None)
    if name:
        meta["name"] = name
    else:
        meta["generateName"] = owner["metadata"]["name"] + "-"
    meta["namespace"] = owner["metadata"]["namespace"]
    if labels:
        meta["labels"] = dict(meta.get("labels") or {}) | labels
    meta["ownerReferences"] = [controller_ref(owner)]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": clone(template["spec"])}


def selector_of(owner: dict) -> list | None:
    """Returns the label requirements of a controller's selector (RC selectors are plain maps), or None."""
    sel = owner["spec"].get("selector")
    if not sel:
        return None
    if owner["kind"] == "ReplicationController":
        return [(k, "In", [v]) for k, v in sel.items()]
    reqs = selector_requirements(sel)
    return reqs or None


def selects(owner: dict, labels: dict | None) -> bool:
    """Returns True when the controller's selector matches the labels (an empty selector matches nothing)."""
    reqs = selector_of(owner)
    return bool(reqs) and matches(reqs, labels)


def template_revision_hash(template: dict) -> str:
    """Returns the controller-revision-hash of a pod template (a stable FNV-32a hash, SafeEncodeString'd)."""
    data = json.dumps(template, sort_keys=True, separators=(",", ":"))
    return safe_encode(str(fnv32a(data.encode())))[:10]


def sync_revisions(c, owner: dict, template: dict, component: str) -> tuple[str, int]:
    """Ensures a ControllerRevision `<owner>-<hash>` holds the current template; returns (hash, revision).

    A template equal to an older revision's becomes the newest revision again (as a rollback does); revisions
    beyond `revisionHistoryLimit` (default 10) that no pod uses are deleted, oldest first.
    Source: kubernetes pkg/controller/history, daemon/update.go `constructHistory`, statefulset `truncateHistory`.
    """
    h = template_revision_hash(strip_revision_label(template))
    ns, uid = owner["metadata"]["namespace"], owner["metadata"]["uid"]
    revs = c.store.owned(uid, "ControllerRevision")
    top = max((r.get("revision", 0) for r in revs), default=0)
    name = f"{owner['metadata']['name']}-{h}"
    mine = next((r for r in revs if r["metadata"]["name"] == name), None)
    if mine is None:
        cr = {
            "apiVersion": "apps/v1",
            "kind": "ControllerRevision",
            "metadata": {
                "name": name,
                "namespace": ns,
                "labels": dict((template.get("metadata") or {}).get("labels") or {}) | {REVISION_HASH: h},
                "ownerReferences": [controller_ref(owner)],
            },
            "data": {"spec": {"template": clone(strip_revision_label(template))}},
            "revision": top + 1,
        }
        if c.store.get(etcd_key(BY_KIND["ControllerRevision"], ns, name)) is None:
            c.api.create(cr, component)
        return h, top + 1
    if mine.get("revision", 0) < top:
        upd = clone(mine)
        upd["revision"] = top + 1
        c.api.update(upd, component)
        return h, top + 1
    limit = owner["spec"].get("revisionHistoryLimit", 10)
    old = sorted((r for r in revs if r is not mine), key=lambda r: r.get("revision", 0))
    if len(old) > limit:
        used = {(p["metadata"].get("labels") or {}).get(REVISION_HASH) for p in c.store.owned(uid, "Pod")}
        for r in old[: len(old) - limit]:
            if (r["metadata"].get("labels") or {}).get(REVISION_HASH) not in used and r["metadata"][
                "name"
            ] not in used:
                c.api.delete(r, component)
    return h, mine.get("revision", 0)


def strip_revision_label(template: dict) -> dict:
    """Returns the template without the controller-revision-hash label (templates compare without it)."""
    labels = (template.get("metadata") or {}).get("labels") or {}
    if REVISION_HASH not in labels:
        return template
    t = clone(template)
    t["metadata"]["labels"].pop(REVISION_HASH, None)
    return t


def pinned_nodes(pod: dict) -> list[str] | None:
    """Returns the node names a pod's required node affinity pins it to (`matchFields metadata.name In`).

    None when the pod has no such term. Terms are ORed; this reads the `metadata.name` field requirement of
    each term, the only field node affinity may select on [D concepts/scheduling-eviction/assign-pod-node.md].
    """
    aff = ((pod["spec"].get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    )
    if not isinstance(aff, dict):
        return None
    names: list[str] = []
    found = False
    for term in aff.get("nodeSelectorTerms") or []:
        for req in (term or {}).get("matchFields") or []:
            if req.get("key") == "metadata.name" and req.get("operator") == "In":
                found = True
                names += list(req.get("values") or [])
    return names if found else None


def _is_member(sts: dict, pod: dict) -> bool:
    prefix = sts["metadata"]["name"] + "-"
    name = pod["metadata"]["name"]
    return name.startswith(prefix) and name[len(prefix) :].isdigit()


class AdoptionController:
    """Adopts orphan pods that match a controller's selector and releases owned pods that no longer match."""

    def __init__(self, cluster):
        self.c = cluster

    def sync(self, pod_key: str) -> None:
        """Reconciles the controller reference of one pod (ClaimPods for the controllers of its namespace)."""
        c = self.c
        pod = c.store.get(pod_key)
        if pod is None or pod["metadata"].get("deletionTimestamp"):
            return
        if pod.get("status", {}).get("phase") in ("Succeeded", "Failed"):
            return  # controllers never adopt terminal pods
        labels = pod["metadata"].get("labels") or {}
        owner_uid = controller_uid(pod)
        if owner_uid:
            okey = c.store.by_uid_key(owner_uid)
            owner = c.store.get(okey) if okey else None
            if (
                owner is None
                or owner["kind"] not in ADOPTING_KINDS
                or owner["metadata"].get("deletionTimestamp")
            ):
                return
            if not selects(owner, labels):
                self._release(pod, owner)
            return
        ns = pod["metadata"]["namespace"]
        for kind in ADOPTING_KINDS:
            for owner in c.store.list(kind, ns):
                if owner["metadata"].get("deletionTimestamp") or not selects(owner, labels):
                    continue
                if kind == "StatefulSet" and not _is_member(owner, pod):
                    continue  # a StatefulSet adopts only `<sts>-<ordinal>` pods (isMemberOf)
                self._adopt(pod, owner)
                return

    def _adopt(self, pod: dict, owner: dict) -> None:
        c = self.c
        upd = clone(pod)
        refs = [
            o
            for o in upd["metadata"].get("ownerReferences") or []
            if o.get("uid") != owner["metadata"]["uid"]
        ]
        upd["metadata"]["ownerReferences"] = refs + [controller_ref(owner)]
        c.api.update(upd, _component(owner))
        c.enqueue(*_queue_of(c, owner))

    def _release(self, pod: dict, owner: dict) -> None:
        c = self.c
        upd = clone(pod)
        refs = [
            o
            for o in upd["metadata"].get("ownerReferences") or []
            if o.get("uid") != owner["metadata"]["uid"]
        ]
        if refs:
            upd["metadata"]["ownerReferences"] = refs
        else:
            upd["metadata"].pop("ownerReferences", None)
        c.api.update(upd, _component(owner))
        c.enqueue(*_queue_of(c, owner))

    def enqueue_orphans_for(self, owner: dict) -> None:
        """Queues the orphan pods a newly created controller may adopt (those carrying its matchLabels)."""
        c = self.c
        ns = owner["metadata"]["namespace"]
        sel = owner["spec"].get("selector") or {}
        match = sel if owner["kind"] == "ReplicationController" else (sel.get("matchLabels") or {})
        pods = c.store.pods_matching(ns, match) if match else c.store.list("Pod", ns)
        for p in pods:
            if not controller_uid(p):
                c.enqueue("adoption", etcd_key(BY_KIND["Pod"], ns, p["metadata"]["name"]))


_QUEUE_OF_KIND = {
    "ReplicaSet": "replicaset",
    "ReplicationController": "replicaset",
    "DaemonSet": "daemonset",
    "StatefulSet": "statefulset",
    "Job": "job",
    "CronJob": "cronjob",
    "Deployment": "deployment",
}


def queue_for_kind(kind: str) -> str | None:
    """Returns the work queue of the controller that reconciles objects of this kind, or None."""
    return _QUEUE_OF_KIND.get(kind)


def _queue_of(c, owner: dict) -> tuple[str, str]:
    from ..objects import key_of

    return _QUEUE_OF_KIND[owner["kind"]], key_of(owner)


def _component(owner: dict) -> str:
    return {
        "ReplicaSet": "controller-manager/replicaset-controller",
        "ReplicationController": "controller-manager/replicationcontroller-controller",
        "DaemonSet": "controller-manager/daemonset-controller",
        "StatefulSet": "controller-manager/statefulset-controller",
    }[owner["kind"]]

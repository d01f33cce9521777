"""PersistentVolume controller: binds claims to volumes and provisions volumes from StorageClasses.

A Pending claim binds to the smallest Available volume of its class whose capacity and access modes cover
the request; failing that, a class with a provisioner creates a volume named `pvc-<claim uid>` with the
class's reclaim policy (Delete by default). Binding is one-to-one. When a claim is deleted its volume becomes
Released (Retain) or is deleted together with its data (Delete). Files on a bound volume live in the runtime
and outlive every pod that mounts it.

Events, as kubernetes pkg/controller/volume/persistentvolume/pv_controller.go `syncUnboundClaim` records them
on a claim that finds no volume (component persistentvolume-controller, all type Normal unless noted):
- no storage class (`storageClassName: ""`): `FailedBinding` — `no persistent volumes available for this claim
  and no storage class is set`;
- a class that does not exist (the PV tutorial's `manual`): Warning `ProvisioningFailed` —
  `storageclass.storage.k8s.io "manual" not found` (`provisionClaim` → `findProvisionablePlugin`);
- a `WaitForFirstConsumer` class and no pod using the claim yet: `WaitForFirstConsumer` — `waiting for first
  consumer to be created before binding`;
- a class with an (external) provisioner: `ExternalProvisioning` — `Waiting for a volume to be created either
  by the external provisioner '<name>' or manually by the system administrator. If volume creation is
  delayed, please verify that the provisioner is running and correctly registered.`, then the provisioner
  itself (sig-storage-lib-external-provisioner, source `<provisioner>_<host>_<id>`, as minikube's
  `k8s.io/minikube-hostpath` does): `Provisioning` — `External provisioner is provisioning volume for claim
  "<ns>/<name>"` and `ProvisioningSucceeded` — `Successfully provisioned volume pvc-<claim uid>`.
Binding itself records no event. The real controller repeats the pending-claim event every resync (15 s);
here it is recorded each time the claim is synced (claim, volume or class changes), and `kubectl get
events` shows it once with its count.
"""

from __future__ import annotations

import hashlib

from ..narration import narrate
from ..objects import clone, parse_bytes

COMPONENT = "controller-manager/persistentvolume-binder-controller"


def provisioner_identity(provisioner: str) -> str:
    """Returns the event source an external provisioner signs with: `<provisioner>_<host>_<id>` (stable)."""
    h = hashlib.sha256(provisioner.encode()).hexdigest()
    return f"{provisioner}_control-plane_{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _modes_ok(pv: dict, wanted: list) -> bool:
    return set(wanted) <= set(pv["spec"].get("accessModes") or [])


class PersistentVolumeController:
    """Reconciles PersistentVolumeClaims and PersistentVolumes."""

    def __init__(self, cluster):
        self.c = cluster

    def sync(self, key: str) -> None:
        """`claim:<etcd key>` binds one claim; `volumes` refreshes phases and claims that lost their volume."""
        if key.startswith("claim:"):
            self._sync_claim(key[6:])
        else:
            self._sync_volumes()

    def _used(self, pvc: dict) -> bool:
        """Returns True when a pod in the claim's namespace mounts it (its first consumer exists)."""
        name = pvc["metadata"]["name"]
        for pod in self.c.store.list("Pod", pvc["metadata"]["namespace"]):
            for v in pod["spec"].get("volumes") or []:
                if (v.get("persistentVolumeClaim") or {}).get("claimName") == name:
                    return True
        return False

    def _pending(
        self, pvc: dict, reason: str, message: str, story: str, etype: str = "Normal", **fields
    ) -> None:
        """Records the event of a claim that stays Pending (persistentvolume-controller's syncUnboundClaim)."""
        name = pvc["metadata"]["name"]
        step, ko, en = narrate(story, pvc=name, **fields)
        self.c.emit(
            etype,
            reason,
            f"persistentvolumeclaim/{name}",
            COMPONENT,
            message,
            ko,
            en,
            step,
            namespace=pvc["metadata"]["namespace"],
        )

    def _sync_volumes(self) -> None:
        c = self.c
        claims = {p["metadata"]["uid"]: p for p in c.store.list("PersistentVolumeClaim")}
        for pv in c.store.list("PersistentVolume"):
            phase = (pv.get("status") or {}).get("phase")
            claim_ref = pv["spec"].get("claimRef")
            want = phase
            if claim_ref is None:
                want = "Available"
            elif claim_ref.get("uid") and claim_ref["uid"] not in claims:
                if pv["spec"].get("persistentVolumeReclaimPolicy") == "Delete":
                    c.api.delete(pv, COMPONENT)
                    c.runtime.drop_volume(pv["metadata"]["name"])
                    continue
                want = "Released"
            elif claim_ref.get("uid") in claims:
                want = "Bound"
            if want != phase:
                upd = clone(pv)
                upd["status"] = {"phase": want}
                c.api.update_status(upd, COMPONENT)
        for pvc in c.store.list("PersistentVolumeClaim"):
            if (pvc.get("status") or {}).get("phase") != "Bound":
                c.enqueue("pv", "claim:" + _pvc_key(pvc))

    def _sync_claim(self, key: str) -> None:
        c = self.c
        pvc = c.store.get(key)
        if pvc is None or (pvc.get("status") or {}).get("phase") == "Bound":
            return
        spec = pvc["spec"]
        try:
            size = parse_bytes(spec["resources"]["requests"]["storage"])
        except (KeyError, ValueError, TypeError):
            return
        modes = spec.get("accessModes") or []
        cls = spec.get("storageClassName") or ""
        candidates = []
        for pv in c.store.list("PersistentVolume"):
            if pv["spec"].get("claimRef") or (pv.get("status") or {}).get("phase") not in (None, "Available"):
                continue
            if (pv["spec"].get("storageClassName") or "") != cls:
                continue
            if spec.get("volumeName") and pv["metadata"]["name"] != spec["volumeName"]:
                continue
            try:
                cap = parse_bytes(pv["spec"]["capacity"]["storage"])
            except (KeyError, ValueError, TypeError):
                continue
            if cap >= size and _modes_ok(pv, modes):
                candidates.append((cap, pv["metadata"]["name"], pv))
        pv = min(candidates)[2] if candidates else None
        name = pvc["metadata"]["name"]
        ns = pvc["metadata"]["namespace"]
        if pv is None:
            sc = c.api.get("StorageClass", None, cls) if cls else None
            if (
                sc is not None
                and sc.get("volumeBindingMode") == "WaitForFirstConsumer"
                and not self._used(pvc)
            ):
                self._pending(
                    pvc,
                    "WaitForFirstConsumer",
                    "waiting for first consumer to be created before binding",
                    "wait-first-consumer",
                    sc=cls,
                )
                return
            if not cls:
                self._pending(
                    pvc,
                    "FailedBinding",
                    "no persistent volumes available for this claim and no storage class is set",
                    "failed-binding",
                )
                return
            if sc is None:
                self._pending(
                    pvc,
                    "ProvisioningFailed",
                    f'storageclass.storage.k8s.io "{cls}" not found',
                    "provisioning-failed",
                    etype="Warning",
                    sc=cls,
                )
                return
            if not sc.get("provisioner") or sc["provisioner"] == "kubernetes.io/no-provisioner":
                # A class for pre-created volumes only: the claim waits for a PV.
                return
            provisioner = sc["provisioner"]
            self._pending(
                pvc,
                "ExternalProvisioning",
                f"Waiting for a volume to be created either by the external provisioner '{provisioner}' or "
                "manually by the system administrator. If volume creation is delayed, please verify that the "
                "provisioner is running and correctly registered.",
                "external-provisioning",
                provisioner=provisioner,
            )
            source = provisioner_identity(provisioner)
            step, ko, en = narrate("provisioning", provisioner=provisioner, pvc=name)
            c.emit(
                "Normal",
                "Provisioning",
                f"persistentvolumeclaim/{name}",
                source,
                f'External provisioner is provisioning volume for claim "{ns}/{name}"',
                ko,
                en,
                step,
                namespace=ns,
            )
            pv_name = f"pvc-{pvc['metadata']['uid']}"
            pv = {
                "apiVersion": "v1",
                "kind": "PersistentVolume",
                "metadata": {
                    "name": pv_name,
                    "annotations": {"pv.kubernetes.io/provisioned-by": sc["provisioner"]},
                },
                "spec": {
                    "capacity": {"storage": spec["resources"]["requests"]["storage"]},
                    "accessModes": modes,
                    "persistentVolumeReclaimPolicy": sc.get("reclaimPolicy", "Delete"),
                    "storageClassName": cls,
                    "volumeMode": "Filesystem",
                    "hostPath": {"path": f"/tmp/hostpath-provisioner/{ns}/{name}", "type": ""},
                },
                "status": {"phase": "Available"},
            }
            pv = c.api.create(pv, COMPONENT)
            step, ko, en = narrate("provisioned", sc=cls, pvc=name, pv=pv_name)
            c.emit(
                "Normal",
                "ProvisioningSucceeded",
                f"persistentvolumeclaim/{name}",
                source,
                f"Successfully provisioned volume {pv_name}",
                ko,
                en,
                step,
                namespace=ns,
            )
        upd = clone(pv)
        upd["spec"]["claimRef"] = {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "name": name,
            "namespace": ns,
            "uid": pvc["metadata"]["uid"],
        }
        upd["status"] = {"phase": "Bound"}
        c.api.update(upd, COMPONENT)
        claim = clone(pvc)
        claim["spec"]["volumeName"] = pv["metadata"]["name"]
        claim.setdefault("metadata", {}).setdefault("annotations", {})["pv.kubernetes.io/bind-completed"] = (
            "yes"
        )
        claim["status"] = {
            "phase": "Bound",
            "accessModes": list(pv["spec"]["accessModes"]),
            "capacity": dict(pv["spec"]["capacity"]),
        }
        c.api.update_status(claim, COMPONENT)
        step, ko, en = narrate("bound", pvc=name, pv=pv["metadata"]["name"])
        c.emit(
            "Normal",
            "Bound",
            f"persistentvolumeclaim/{name}",
            COMPONENT,
            f"Bound to volume {pv['metadata']['name']}",
            ko,
            en,
            step,
            namespace=ns,
            quiet=True,
        )


def _pvc_key(pvc: dict) -> str:
    return f"/registry/persistentvolumeclaims/{pvc['metadata']['namespace']}/{pvc['metadata']['name']}"

"""ResourceQuota controller: keeps each quota's `status.hard` and `status.used` up to date.

`status.hard` is `spec.hard` in canonical form; `status.used` counts the namespace's objects and the requests
and limits of its non-terminal pods (the same counting the ResourceQuota admission plugin uses). When usage
goes down or a limit is raised, ReplicaSets of the namespace are resynced so that pods refused earlier are
created now. Source: kubernetes pkg/controller/resourcequota/resource_quota_controller.go;
kubernetes.io concepts/policy/resource-quotas.md.
"""

from __future__ import annotations

from ..admission import format_amount, namespace_usage, parse_amount, quota_hard
from ..objects import clone

COMPONENT = "controller-manager/resourcequota-controller"


class ResourceQuotaController:
    """Recomputes the quotas of one namespace per sync."""

    def __init__(self, cluster):
        self.c = cluster

    def sync(self, namespace: str) -> None:
        """Writes `status` of every ResourceQuota in the namespace when it changed."""
        c = self.c
        freed = False
        for quota in c.store.list("ResourceQuota", namespace):
            try:
                hard = quota_hard(quota)
            except (ValueError, TypeError):
                continue
            counts = namespace_usage(c, namespace, set(hard))
            used = {r: format_amount(r, counts[r], hard[r]) for r in sorted(hard)}
            status = {"hard": hard, "used": used}
            old = quota.get("status") or {}
            if old == status:
                continue
            old_used = old.get("used") or {}
            for r, value in used.items():
                before = old_used.get(r)
                if before is not None and parse_amount(r, before) > parse_amount(r, value):
                    freed = True
            if old.get("hard") and old["hard"] != hard:
                freed = True
            upd = clone(quota)
            upd["status"] = status
            c.api.update_status(upd, COMPONENT)
        if freed:
            # Controllers whose creates were refused retry now (the real ones retry with back-off).
            for rs in c.store.list("ReplicaSet", namespace):
                c.enqueue("replicaset", f"/registry/replicasets/{namespace}/{rs['metadata']['name']}")

"""Endpoints controller: each Service's Endpoints object lists the IPs of the pods its selector matches.

Ready pods go to `addresses`, the rest to `notReadyAddresses`; terminating pods are left out (unless the
Service sets `publishNotReadyAddresses`), so only ready pods ever receive traffic (kube-proxy reads only
`addresses`). Named target ports are resolved against the pods' container ports.
"""

from __future__ import annotations

from ..narration import narrate
from ..objects import BY_KIND, etcd_key
from ..store import pod_ready

COMPONENT = "controller-manager/endpoints-controller"


def _target_port(port: dict, pods: list[dict]):
    tp = port.get("targetPort", port.get("port"))
    if isinstance(tp, str):
        for pod in pods:
            for ctr in pod["spec"]["containers"]:
                for p in ctr.get("ports") or []:
                    if p.get("name") == tp:
                        return p.get("containerPort")
        return None
    return tp


class EndpointsController:
    """Reconciles the Endpoints of every Service that has a selector."""

    def __init__(self, cluster):
        self.c = cluster
        # pod uid -> (pod object, address or None, ready, terminating, spec hostname, spec subdomain), a pure
        # cache: stored pods are never mutated, so an entry holds while the store hands out the same object, and
        # most syncs see only a few changed pods among many. Address dicts are shared between Endpoints versions
        # for the same reason.
        self._addresses: dict[str, tuple] = {}
        # Service key -> (the Service, the Endpoints key, the Endpoints) as the last pass over that Service read
        # or wrote them, kept only for a Service whose lists depend on the listed pods alone (numeric target
        # ports, ready-only publishing). A pure cache: a stale entry fails the identity checks of `settled`.
        self._settled: dict[str, tuple[dict, str, dict]] = {}

    def settled(self, svc_key: str) -> bool:
        """Returns True when a pass over this Service, triggered by a pod that is in no Endpoints list before
        nor after its write, would write nothing: the last pass saw this very Service object and left this
        very Endpoints object, whose lists then held exactly the listed pods; a pod that is listed neither
        before nor after a write leaves those lists as they were, and every write of a listed pod queues the
        Service itself. The identity checks cover every other writer (a user's edit of the Endpoints, a
        rollback, a restored cluster)."""
        hit = self._settled.get(svc_key)
        if hit is None:
            return False
        objects = self.c.store.objects
        return objects.get(svc_key) is hit[0] and objects.get(hit[1]) is hit[2]

    def forget_settled(self) -> None:
        """Drops every `settled` record (a rollback: see undo.py)."""
        self._settled.clear()

    def _settle(self, svc_key: str, svc: dict, ep_key: str, ep: dict | None, static: bool) -> None:
        if static and ep is not None:
            settled = self._settled
            if len(settled) > 20_000:
                settled.clear()
            settled[svc_key] = (svc, ep_key, ep)
        else:
            self._settled.pop(svc_key, None)

    def _entry(self, pod: dict, ns: str, previous: tuple | None) -> tuple:
        """Returns (pod, address or None when the pod has no IP or has finished, ready, terminating,
        spec.hostname, spec.subdomain)."""
        meta = pod["metadata"]
        status = pod.get("status") or {}
        ip = status.get("podIP")
        addr = None
        if ip and status.get("phase") not in ("Succeeded", "Failed"):
            node = pod["spec"].get("nodeName")
            prev = previous[1] if previous is not None else None
            if prev is not None and prev["ip"] == ip and prev["nodeName"] == node:
                addr = prev
            else:
                addr = {
                    "ip": ip,
                    "nodeName": node,
                    "targetRef": {"kind": "Pod", "name": meta["name"], "namespace": ns, "uid": meta["uid"]},
                }
        spec = pod["spec"]
        entry = (
            pod,
            addr,
            pod_ready(pod),
            bool(meta.get("deletionTimestamp")),
            spec.get("hostname"),
            spec.get("subdomain"),
        )
        self._addresses[meta["uid"]] = entry
        return entry

    def sync(self, svc_key: str) -> None:
        """Rewrites the Endpoints object of one Service when its set of addresses changed."""
        c = self.c
        svc = c.store.get(svc_key)
        ns_name = svc_key.rsplit("/", 2)[-2:]
        ep_key = etcd_key(BY_KIND["Endpoints"], ns_name[0], ns_name[1])
        existing = c.store.get(ep_key)
        if svc is None:
            if existing is not None:
                c.api.delete(existing, COMPONENT)
            return
        selector = svc["spec"].get("selector")
        if not selector:
            return
        ns, svc_name = svc["metadata"]["namespace"], svc["metadata"]["name"]
        publish = bool(svc["spec"].get("publishNotReadyAddresses"))
        pods = c.store.pods_matching(ns, selector)
        ready, not_ready = [], []
        cache = self._addresses
        if len(cache) > 20_000:
            cache.clear()
        for pod in pods:
            hit = cache.get(pod["metadata"]["uid"])
            if hit is None or hit[0] is not pod:
                hit = self._entry(pod, ns, hit)
            # One unpacking of the cached entry rather than a subscript per field: this loop visits every pod
            # of the Service on every pass.
            _, addr, is_ready, terminating, hostname, subdomain = hit
            if addr is None:  # no IP yet, or finished
                continue
            if terminating and not publish:
                continue
            if hostname and subdomain == svc_name:
                # the pod's DNS name `<hostname>.<service>` (endpoints_controller.go podToEndpointAddressForService)
                addr = {**addr, "hostname": hostname}
            (ready if is_ready or publish else not_ready).append(addr)
        ports = []
        for p in svc["spec"].get("ports") or []:
            entry = {"port": _target_port(p, pods) or p.get("port"), "protocol": p.get("protocol", "TCP")}
            if p.get("name"):
                entry["name"] = p["name"]
            ports.append(entry)
        subsets = []
        if ready or not_ready:
            subset = {}
            if ready:
                subset["addresses"] = ready
            if not_ready:
                subset["notReadyAddresses"] = not_ready
            subset["ports"] = ports
            subsets.append(subset)
        # Numeric target ports and ready-only publishing: the lists depend on the listed pods alone (`settled`).
        static = not publish
        if static:
            for p in svc["spec"].get("ports") or ():
                if isinstance(p.get("targetPort", p.get("port")), str):
                    static = False
                    break
        if existing is not None and existing.get("subsets", []) == subsets:
            self._settle(svc_key, svc, ep_key, existing, static)
            return
        obj = {
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": {
                "name": svc["metadata"]["name"],
                "namespace": ns,
                "labels": dict(svc["metadata"].get("labels") or {}),
            },
            "subsets": subsets,
        }
        before = (
            len((existing or {}).get("subsets", [{}])[0].get("addresses", []))
            if existing and existing.get("subsets")
            else 0
        )
        if existing is None:
            c.api.create(obj, COMPONENT)
        else:
            obj["metadata"]["uid"] = existing["metadata"]["uid"]
            obj["metadata"]["creationTimestamp"] = existing["metadata"]["creationTimestamp"]
            c.api.update_status(obj, COMPONENT)
        self._settle(svc_key, svc, ep_key, c.store.get(ep_key), static)
        if before != len(ready):
            step, ko, en = narrate("endpoints", svc=svc["metadata"]["name"], ready=len(ready))
            c.emit(
                "Normal",
                "EndpointsUpdated",
                f"endpoints/{svc['metadata']['name']}",
                COMPONENT,
                f"Endpoints of service {svc['metadata']['name']} now list {len(ready)} ready address(es)",
                ko,
                en,
                step,
                namespace=ns,
                quiet=True,
            )

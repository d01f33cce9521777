"""kube-proxy: turns Services and their Endpoints into forwarding rules on every node, and routes requests.

Like the iptables and nftables modes, each new connection picks one of the Service's *ready* endpoints at
random with equal probability (the cluster's seeded RNG); a Service with no ready endpoint rejects the
connection. Per-pod request counts are kept per Service so the visualizer can show the spread.
"""

from __future__ import annotations

from .narration import narrate
from .objects import BY_KIND, etcd_key

COMPONENT = "kube-proxy"


class KubeProxy:
    """Service rules and request routing; `counts` is part of the cluster state."""

    def __init__(self, cluster):
        self.c = cluster
        self.counts: dict[str, dict[str, int]] = {}  # service key -> pod name -> requests served
        self.rules: dict[str, int] = {}  # service key -> number of backends last programmed

    def backends(self, namespace: str, service: str) -> list[dict]:
        """Returns the ready endpoint addresses of a Service (what the rules forward to)."""
        ep = self.c.api.get("Endpoints", namespace, service)
        out = []
        for subset in (ep or {}).get("subsets", []):
            out.extend(subset.get("addresses", []))
        return out

    def sync(self, svc_key: str) -> None:
        """Reprograms the rules of one Service after its Endpoints changed."""
        ns, name = svc_key.rsplit("/", 2)[-2:]
        svc = self.c.store.get(svc_key)
        if svc is None:
            self.rules.pop(svc_key, None)
            if self.counts.pop(svc_key, None) is not None:
                self.c.touch("services", f"{ns}/{name}")
            return
        n = len(self.backends(ns, name))
        if self.rules.get(svc_key) == n:
            return
        self.rules[svc_key] = n
        step, ko, en = narrate("proxy-rules", svc=name, ready=n)
        self.c.emit(
            "Normal",
            "RulesSynced",
            f"service/{name}",
            COMPONENT,
            f"Programmed {n} endpoint(s) for service {ns}/{name} on every node",
            ko,
            en,
            step,
            namespace=ns,
            quiet=True,
        )

    def alive(self, namespace: str, address: dict) -> bool:
        """Returns True when the endpoint's pod has a running container on a machine that is up."""
        node = address.get("nodeName")
        if node and not self.c.runtime.is_up(node):
            return False
        name = address.get("targetRef", {}).get("name")
        rn = self.c.runtime.node(node) if node else None
        sb = rn["sandboxes"].get(etcd_key(BY_KIND["Pod"], namespace, name)) if rn and name else None
        return sb is None or any(ctr["state"] == "running" for ctr in sb["containers"].values())

    def route(self, namespace: str, service: str) -> dict | None:
        """Returns the endpoint address one request to the Service goes to (None: connection refused)."""
        backends = self.backends(namespace, service)
        if not backends:
            return None
        choice = backends[self.c.rng.randrange(len(backends))]
        if not self.alive(namespace, choice):
            # iptables has no health checks: until the node controller notices, requests to a pod on a dead
            # machine simply time out.
            return {"timeout": True, **choice}
        key = etcd_key(BY_KIND["Service"], namespace, service)
        pod = choice.get("targetRef", {}).get("name", choice["ip"])
        per = self.counts.setdefault(key, {})
        per[pod] = per.get(pod, 0) + 1
        self.c.touch("services", f"{namespace}/{service}")
        return choice

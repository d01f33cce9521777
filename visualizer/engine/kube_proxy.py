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
        if svc["spec"].get("clusterIP") == "None" or svc["spec"].get("type") == "ExternalName":
            # no virtual IP to program: kube-proxy skips headless and ExternalName Services (proxier.go
            # `ShouldSkipService`); clients reach the pods through DNS
            self.rules.pop(svc_key, None)
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


# ---------------------------------------------------------------------------------------------- Ingress
def _prefix_match(rule_path: str, request_path: str) -> bool:
    """`Prefix` matching by path elements: `/foo` matches `/foo`, `/foo/` and `/foo/bar`, not `/foobar`;
    a trailing slash in the rule is ignored; `/` matches everything [D ingress.md "Examples" table]."""
    rule = [p for p in rule_path.split("/") if p]
    req = [p for p in request_path.split("/") if p]
    return req[: len(rule)] == rule


def _host_matches(rule_host: str, host: str) -> bool:
    """Exact host, or a wildcard `*.foo.com` matching exactly one extra DNS label (`bar.foo.com`)."""
    if rule_host.startswith("*."):
        head, _, tail = host.partition(".")
        return bool(head) and tail == rule_host[2:]
    return rule_host == host


def route_ingress(cluster, host: str, path: str) -> tuple[str, str, int | str] | None:
    """Returns (namespace, service name, service port number or name) that the installed Ingress controller
    sends `http://<host><path>` to, or None when nothing matches (ingress-nginx answers 404) or no controller
    is installed (`sim addons enable ingress`).

    Rules of served Ingresses are searched by host first (exact, then wildcard, then rules without a host);
    among their paths the longest match wins, `Exact` before `Prefix` on equal length; `ImplementationSpecific`
    is matched as a prefix, as ingress-nginx does. An Ingress `defaultBackend` catches what no path matched
    [D concepts/services-networking/ingress.md §Path types, §Hostname wildcards, §Default backend].
    Called by the exec shell's curl/wget for host names that are not Services."""
    from .controllers.ingress import served_classes

    classes = served_classes(cluster)
    if not classes:
        return None
    host = host.split(":", 1)[0].lower()
    path = path or "/"
    ingresses = sorted(
        (
            i
            for i in cluster.store.list("Ingress")
            if (i.get("spec") or {}).get("ingressClassName") in classes
        ),
        key=lambda i: (
            i["metadata"].get("creationTimestamp", ""),
            i["metadata"]["namespace"],
            i["metadata"]["name"],
        ),
    )
    rules = [(i, r) for i in ingresses for r in (i["spec"].get("rules") or ())]
    for test in (
        lambda r: r.get("host") and not r["host"].startswith("*.") and _host_matches(r["host"], host),
        lambda r: r.get("host", "").startswith("*.") and _host_matches(r["host"], host),
        lambda r: not r.get("host"),
    ):
        chosen = [(i, r) for i, r in rules if test(r)]
        if chosen:
            break
    best = None  # (length, exact, backend, namespace)
    for ing, rule in chosen:
        for p in (rule.get("http") or {}).get("paths") or ():
            rule_path = p.get("path") or "/"
            ptype = p.get("pathType")
            ok = rule_path == path if ptype == "Exact" else _prefix_match(rule_path, path)
            if not ok:
                continue
            rank = (len(rule_path.rstrip("/")), ptype == "Exact")
            if best is None or rank > best[0]:
                best = (rank, p.get("backend") or {}, ing["metadata"]["namespace"])
    if best is None:
        for ing in ingresses:
            backend = ing["spec"].get("defaultBackend")
            if backend:
                best = ((0, False), backend, ing["metadata"]["namespace"])
                break
    if best is None:
        return None
    service = best[1].get("service")
    if not service:
        return None  # a `resource` backend: ingress-nginx does not route to it
    port = service.get("port") or {}
    return (
        best[2],
        service["name"],
        port.get("number") if port.get("number") is not None else port.get("name"),
    )

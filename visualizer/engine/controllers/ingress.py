"""The ingress-nginx controller, installed on demand with `sim addons enable ingress`.

A bare cluster has no Ingress controller, so an Ingress is stored and nothing routes: `kubectl get ingress`
shows an empty ADDRESS [D concepts/services-networking/ingress.md "You must have an Ingress controller to
satisfy an Ingress. Only creating an Ingress resource has no effect."]. `sim addons enable ingress` does what
`minikube addons enable ingress` does from a user's point of view: it creates the `ingress-nginx` namespace
and the IngressClass `nginx` (controller `k8s.io/ingress-nginx`, marked default), and the controller then
serves every Ingress of that class: it writes `status.loadBalancer.ingress[0].ip` (the control-plane node's
address, 192.168.49.2, as minikube shows) and routes requests (`kube_proxy.route_ingress`). The controller
runs as part of the simulator (no controller pod), like kube-proxy and DNS here.
Source: kubernetes.io docs/tasks/access-application-cluster/ingress-minikube.md.
"""

from __future__ import annotations

from ..kubectl.args import CommandError
from ..objects import BY_KIND, clone, etcd_key

CONTROLLER = "k8s.io/ingress-nginx"
ADDON_LABEL = "addonmanager.kubernetes.io/mode"
NAMESPACE = "ingress-nginx"
COMPONENT = "nginx-ingress-controller"


def served_classes(c) -> set[str]:
    """Returns the names of the IngressClasses the installed controller serves (empty: no controller)."""
    return {
        k["metadata"]["name"]
        for k in c.store.list("IngressClass")
        if (k.get("spec") or {}).get("controller") == CONTROLLER
        and ADDON_LABEL in (k["metadata"].get("labels") or {})
    }


def served(c, ing: dict, classes: set[str] | None = None) -> bool:
    """Returns True when the installed controller serves this Ingress (its class is one it owns)."""
    classes = served_classes(c) if classes is None else classes
    return (ing.get("spec") or {}).get("ingressClassName") in classes


class IngressController:
    """Fills `status.loadBalancer` of the Ingresses the installed controller serves (and clears the others)."""

    def __init__(self, cluster):
        self.c = cluster

    def sync(self, key: str) -> None:
        """Reconciles one Ingress (key = its etcd key)."""
        c = self.c
        ing = c.store.get(key)
        if ing is None:
            return
        want = {"loadBalancer": {}}
        if served(c, ing):
            want = {"loadBalancer": {"ingress": [{"ip": c.node_ip("control-plane")}]}}
        if (ing.get("status") or {}) == want:
            return
        upd = clone(ing)
        upd["status"] = want
        c.api.update_status(upd, COMPONENT)
        if want["loadBalancer"]:
            name, ns = ing["metadata"]["name"], ing["metadata"]["namespace"]
            c.emit(
                "Normal",
                "Sync",
                f"ingress/{name}",
                COMPONENT,
                "Scheduled for sync",
                f"인그레스 컨트롤러(ingress-nginx)가 {name} 의 규칙을 읽어 라우팅에 반영합니다",
                f"The ingress controller (ingress-nginx) picked up {name} and routes by its rules",
                5,
                namespace=ns,
            )


def sim_addons(c, args: list[str], ns: str) -> str:
    """`sim addons enable|disable ingress` (as `minikube addons enable ingress`), `sim addons list`."""
    if args == ["list"]:
        state = "enabled ✅" if served_classes(c) else "disabled"
        return f"| ingress | {state} |"
    if len(args) != 2 or args[0] not in ("enable", "disable") or args[1] != "ingress":
        raise CommandError("error: usage: sim addons enable|disable ingress  (or: sim addons list)")
    api = c.api
    cls_key = etcd_key(BY_KIND["IngressClass"], None, "nginx")
    if args[0] == "enable":
        if served_classes(c):
            return "The 'ingress' addon is already enabled"
        if c.store.get(etcd_key(BY_KIND["Namespace"], None, NAMESPACE)) is None:
            api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}, "sim")
        if c.store.get(cls_key) is not None:
            raise CommandError('error: an IngressClass named "nginx" already exists; delete it first')
        labels = {
            "app.kubernetes.io/component": "controller",
            "app.kubernetes.io/instance": "ingress-nginx",
            "app.kubernetes.io/name": "ingress-nginx",
            ADDON_LABEL: "Reconcile",
        }
        api.create(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "IngressClass",
                "metadata": {
                    "name": "nginx",
                    "labels": labels,
                    "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"},
                },
                "spec": {"controller": CONTROLLER},
            },
            "sim",
        )
        return "🔎  Verifying ingress addon...\n🌟  The 'ingress' addon is enabled"
    if not served_classes(c):
        return "The 'ingress' addon is already disabled"
    for name in sorted(served_classes(c)):
        obj = c.store.get(etcd_key(BY_KIND["IngressClass"], None, name))
        api.delete(obj, "sim")
    ns = c.store.get(etcd_key(BY_KIND["Namespace"], None, NAMESPACE))
    if ns is not None:
        api.delete(ns, "sim")
    return "🌑  \"The 'ingress' addon is disabled"


NOT_FOUND = (
    "<html>\n<head><title>404 Not Found</title></head>\n<body>\n<center><h1>404 Not Found</h1></center>\n"
    "<hr><center>nginx</center>\n</body>\n</html>"
)
UNAVAILABLE = (
    "<html>\n<head><title>503 Service Temporarily Unavailable</title></head>\n<body>\n<center><h1>503 Service "
    "Temporarily Unavailable</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>"
)


def sim_curl(c, args: list[str], ns: str) -> str:
    """`sim curl http://HOST/PATH`: a request from outside the cluster to the ingress controller (what the
    minikube tutorial's `curl --resolve "hello-world.example:80:$(minikube ip)" http://hello-world.example`
    does). Answers as ingress-nginx would: 404 page when no rule matches, 503 page when the Service has no
    ready endpoint, else the serving pod's reply (the same text as `curl` inside a pod)."""
    from ..kube_proxy import route_ingress

    if len(args) != 1:
        raise CommandError("error: usage: sim curl http://HOST/PATH")
    target = args[0].split("://", 1)[-1]
    hostport, _, path = target.partition("/")
    host = hostport.partition(":")[0]
    if not served_classes(c):
        raise CommandError(
            f"curl: (7) Failed to connect to {host} port 80 after 0 ms: Couldn't connect to server "
            "(no Ingress controller: sim addons enable ingress)"
        )
    path = "/" + path
    routed = route_ingress(c, host, path)
    if routed is None:
        return NOT_FOUND
    namespace, service, _port = routed
    if c.api.get("Service", namespace, service) is None:
        return UNAVAILABLE
    chosen = c.kube_proxy.route(namespace, service)
    if chosen is None or chosen.get("timeout"):
        return UNAVAILABLE
    pod = c.api.get("Pod", namespace, chosen.get("targetRef", {}).get("name", ""))
    image = pod["spec"]["containers"][0]["image"] if pod else "?"
    return f"Hostname: {chosen['targetRef']['name']}\nIP: {chosen['ip']}\nImage: {image}\nPath: {path}"

"""The `proxy` subresources: the API server forwards an HTTP request to a pod, a Service's endpoint or a node.

    /api/v1/namespaces/{ns}/pods/{id}/proxy[/{path...}]       (kube-apiserver pod/rest/subresources.go ProxyREST)
    /api/v1/namespaces/{ns}/services/{id}/proxy[/{path...}]   (service/proxy.go ProxyREST)
    /api/v1/nodes/{id}/proxy[/{path...}]                      (node/rest/proxy.go ProxyREST)

`{id}` is `name`, `name:port` or `scheme:name:port` (apimachinery pkg/util/net/port_split.go
`SplitSchemeNamePort`: scheme "", `http` or `https`; anything else is `invalid … request`). This is how the
Kubernetes Basics tutorial reaches the app through `kubectl proxy`
(https://kubernetes.io/docs/tutorials/kubernetes-basics/explore/explore-intro/:
`curl http://localhost:8001/api/v1/namespaces/default/pods/$POD_NAME:8080/proxy/`).

The answer is what the container's program answers over HTTP in the engine — the same simulation `curl` and
`wget` inside containers use (`visualizer/engine/programs/images.py` `pod_response`/`pod_listens`) — with its
status code and body. The real server's refusals:
- pod without an IP (not scheduled/started): 400 `address not allowed` (pod/strategy.go `ResourceLocation`);
- nothing listening on the port, or the pod's container not running: 503 `error trying to reach service: dial
  tcp IP:PORT: connect: connection refused` (apimachinery pkg/util/proxy/upgradeaware.go error responder);
  a pod on a machine that is down: `… i/o timeout`;
- a Service port number the Service does not have: 503 `no service port N found for service "x"`; no ready
  endpoint serving the port: 503 `no endpoints available for service "<id>"` (service/proxy.go
  `ResourceLocation`, which picks a random ready address of the Endpoints, not through kube-proxy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from visualizer.engine.programs import images

from . import status
from .http import ApiRequest, ApiResponse

if TYPE_CHECKING:
    from .catalog import Served
    from .context import ApiContext
    from .router import Target

_SCHEMES = ("", "http", "https")
KUBELET_PORT = 10250


def split_scheme_name_port(ident: str) -> tuple[str, str, str] | None:
    """Returns (scheme, name, port) of `name`, `name:port` or `scheme:name:port`, or None when invalid
    (more than three parts, an empty name, or a scheme other than http/https) — port_split.go."""
    parts = ident.split(":")
    if len(parts) == 1:
        scheme, name, port = "", parts[0], ""
    elif len(parts) == 2:
        scheme, name, port = "", parts[0], parts[1]
    elif len(parts) == 3:
        scheme, name, port = parts
    else:
        return None
    if not name or scheme not in _SCHEMES:
        return None
    return scheme, name, port


def handle(ctx: ApiContext, req: ApiRequest, served: Served, target: Target) -> ApiResponse:
    """Answers `{pods,services,nodes}/{id}/proxy/{path}` with the backend's HTTP answer or the refusal."""
    path = target.rest or "/"
    if not path.startswith("/"):
        path = "/" + path
    query = urlencode([(k, v) for k, values in req.query.items() for v in values])
    if query:
        path += "?" + query
    if served.plural == "pods":
        answer = _pod(ctx, target, path)
    elif served.plural == "services":
        answer = _service(ctx, target, path)
    else:
        answer = _node(ctx, target, path)
    if isinstance(answer, ApiResponse):
        return answer
    code, body, ctype = answer
    return ApiResponse(code, b"" if req.method.upper() == "HEAD" else body.encode(), ctype)


def unreachable(ip: str, port: int | str, why: str = "connect: connection refused") -> ApiResponse:
    """503 ServiceUnavailable `error trying to reach service: dial tcp IP:PORT: <why>`."""
    return status.failure(
        503, "ServiceUnavailable", f"error trying to reach service: dial tcp {ip}:{port}: {why}"
    )


def _pod(ctx: ApiContext, target: Target, path: str):
    parsed = split_scheme_name_port(target.name or "")
    if parsed is None:
        return status.bad_request(f'invalid pod request "{target.name}"')
    _, name, port = parsed
    c = ctx.cluster
    pod = c.api.get("Pod", target.namespace, name)
    if pod is None:
        return status.not_found("pods", name)
    if not port:
        # "If port is not specified, try to use the first defined port on the pod."
        port = next(
            (
                str(p[0]["containerPort"])
                for p in ((k.get("ports") or []) for k in pod["spec"]["containers"])
                if p
            ),
            "80",
        )
    ip = (pod.get("status") or {}).get("podIP")
    if not ip:
        return status.bad_request("address not allowed")
    return _dial(c, pod, ip, port, path)


def _dial(c, pod: dict, ip: str, port: str, path: str):
    """Sends the request to `ip:port` of `pod`: (code, body, content type) or the refusal."""
    if not port.isdigit():
        return unreachable(ip, port, f"address tcp/{port}: unknown port")
    node = pod["spec"].get("nodeName")
    if node and not c.runtime.is_up(node):
        return unreachable(ip, port, "i/o timeout")
    if not images.pod_listens(c, pod, int(port)):
        return unreachable(ip, port)
    chosen = {"ip": ip, "targetRef": {"kind": "Pod", "name": pod["metadata"]["name"]}}
    code, body = images.pod_response(c, pod, chosen, path, int(port))
    return code, body, _content_type(pod, body)


def _content_type(pod: dict, body: str) -> str:
    """The backend's Content-Type: the bootcamp's `text/plain` (server.js sets it), else as Go's
    http.DetectContentType would sniff the body."""
    from visualizer.engine.registry import parse_image

    ref = parse_image(pod["spec"]["containers"][0]["image"])
    if not isinstance(ref, str) and ref.repository in images.BOOTCAMP_REPOS:
        return "text/plain"
    if body.lstrip().lower().startswith(("<html", "<!doctype html", "<h1", "<head", "<body")):
        return "text/html; charset=utf-8"
    return "text/plain; charset=utf-8"


def _service(ctx: ApiContext, target: Target, path: str):
    parsed = split_scheme_name_port(target.name or "")
    if parsed is None:
        return status.bad_request(f'invalid service request "{target.name}"')
    _, name, port = parsed
    c = ctx.cluster
    svc = c.api.get("Service", target.namespace, name)
    if svc is None:
        return status.not_found("services", name)
    if port.isdigit():
        # A port *number* names the Service port whose name the Endpoints carry.
        match = next((p for p in svc["spec"].get("ports") or [] if p.get("port") == int(port)), None)
        if match is None:
            return status.failure(
                503, "ServiceUnavailable", f'no service port {int(port)} found for service "{name}"'
            )
        port = match.get("name") or ""
    ep = c.api.get("Endpoints", target.namespace, name)
    if ep is None:
        return status.not_found("endpoints", name)
    subsets = [s for s in ep.get("subsets") or [] if s.get("addresses")]
    if not ep.get("subsets"):
        return status.failure(503, "ServiceUnavailable", f'no endpoints available for service "{name}"')
    for subset in subsets:
        for ep_port in subset.get("ports") or []:
            if (ep_port.get("name") or "") != port:
                continue
            addresses = subset["addresses"]
            start = c.rng.randrange(len(addresses))
            for i in range(len(addresses)):
                addr = addresses[(start + i) % len(addresses)]
                ref = addr.get("targetRef") or {}
                pod = c.api.get("Pod", ref.get("namespace") or target.namespace, ref.get("name", ""))
                if pod is None:
                    continue
                return _dial(c, pod, addr["ip"], str(ep_port["port"]), path)
    return status.failure(503, "ServiceUnavailable", f'no endpoints available for service "{target.name}"')


def _node(ctx: ApiContext, target: Target, path: str):
    """The kubelet's own HTTP server (:10250): `/healthz` answers `ok`, other paths 404 here."""
    parsed = split_scheme_name_port(target.name or "")
    if parsed is None:
        return status.bad_request(f'invalid node request "{target.name}"')
    _, name, port = parsed
    c = ctx.cluster
    node = c.api.get("Node", None, name)
    if node is None:
        return status.not_found("nodes", name)
    addresses = (node.get("status") or {}).get("addresses") or []
    ip = next((a["address"] for a in addresses if a.get("type") == "InternalIP"), name)
    port = port or str(KUBELET_PORT)
    if not c.runtime.is_up(name):
        return unreachable(ip, port, "i/o timeout")
    if port != str(KUBELET_PORT):
        return unreachable(ip, port)
    if path.split("?")[0] == "/healthz":
        return 200, "ok", "text/plain; charset=utf-8"
    return 404, "404 page not found\n", "text/plain; charset=utf-8"

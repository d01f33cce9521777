"""EndpointSlices (`discovery.k8s.io/v1`), derived on read from the engine's Endpoints.

kubectl v1.37 reads Service backends from EndpointSlices, not Endpoints: `kubectl describe svc` lists
`…/endpointslices?labelSelector=kubernetes.io/service-name=<svc>` for its `Endpoints:` line and `describe
ingress` for its backends (kubectl pkg/describe/describe.go `ServiceDescriber`, `IngressDescriber`). The
engine keeps Endpoints only, so each Endpoints object is shown as the one slice the EndpointSlice controller
would have made of it (kubernetes pkg/controller/endpointslice; the API server's own `kubernetes` slice for
the default Service): `addressType: IPv4`, the ready addresses then the not-ready ones with their
conditions, nodeName and targetRef, the ports, the service-name and managed-by labels and the Service as
controller owner. The slice's name is `<service>-<5 characters>` derived from the Endpoints' uid (stable).
Read-only: get and list (a watch answers 405).
"""

from __future__ import annotations

import hashlib

from visualizer.engine.kubectl.printers import age
from visualizer.engine.objects import BY_KIND, NAME_ALPHABET, etcd_key

from . import selectors, status, tables
from .http import ApiResponse, json_response

MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
SERVICE_NAME = "kubernetes.io/service-name"
_COLUMNS = [
    ("AddressType", "string", 0, "addressType specifies the type of address carried by this EndpointSlice."),
    (
        "Ports",
        "string",
        0,
        "ports specifies the list of network ports exposed by each endpoint in this slice.",
    ),
    ("Endpoints", "string", 0, "endpoints is a list of unique endpoints in this slice."),
    ("Age", "string", 0, tables.CREATED_DOC),
]


def _suffix(uid: str) -> str:
    digest = hashlib.sha256(uid.encode()).digest()
    return "".join(NAME_ALPHABET[b % len(NAME_ALPHABET)] for b in digest[:5])


def _endpoint(addr: dict, ready: bool) -> dict:
    out: dict = {
        "addresses": [addr.get("ip", "")],
        "conditions": {"ready": ready, "serving": ready, "terminating": False},
    }
    if addr.get("nodeName"):
        out["nodeName"] = addr["nodeName"]
    if addr.get("targetRef"):
        out["targetRef"] = dict(addr["targetRef"])
    return out


def slice_of(cluster, ep: dict) -> dict:
    """Returns the EndpointSlice the controller would keep for one Endpoints object."""
    meta = ep["metadata"]
    name, ns = meta["name"], meta.get("namespace", "default")
    default_service = name == "kubernetes" and ns == "default"
    labels = {} if default_service else {k: v for k, v in (meta.get("labels") or {}).items()}
    labels[SERVICE_NAME] = name
    if not default_service:
        labels[MANAGED_BY] = "endpointslice-controller.k8s.io"
    endpoints, ports = [], []
    for subset in ep.get("subsets") or ():
        endpoints += [_endpoint(a, True) for a in subset.get("addresses") or ()]
        endpoints += [_endpoint(a, False) for a in subset.get("notReadyAddresses") or ()]
        for p in subset.get("ports") or ():
            port = {"name": p.get("name", ""), "port": p.get("port"), "protocol": p.get("protocol", "TCP")}
            if port not in ports:
                ports.append(port)
    out_meta = {
        "name": name if default_service else f"{name}-{_suffix(meta.get('uid', name))}",
        "namespace": ns,
        "labels": labels,
        "uid": meta.get("uid", ""),
        "resourceVersion": meta.get("resourceVersion", ""),
        "creationTimestamp": meta.get("creationTimestamp"),
    }
    if not default_service:
        out_meta["generateName"] = f"{name}-"
    svc = cluster.store.get(etcd_key(BY_KIND["Service"], ns, name))
    if svc is not None and not default_service:
        out_meta["ownerReferences"] = [
            {
                "apiVersion": "v1",
                "kind": "Service",
                "name": name,
                "uid": svc["metadata"].get("uid", ""),
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": out_meta,
        "addressType": "IPv4",
        "endpoints": endpoints or None,
        "ports": ports or None,
    }


def _slices(cluster, namespace: str | None) -> list[dict]:
    eps = sorted(
        cluster.store.list("Endpoints", namespace),
        key=lambda e: (e["metadata"].get("namespace", ""), e["metadata"]["name"]),
    )
    slices = [slice_of(cluster, e) for e in eps]
    return sorted(slices, key=lambda s: (s["metadata"]["namespace"], s["metadata"]["name"]))


def cells(es: dict, now: float) -> list[str]:
    """printers.go `printEndpointSlice`: NAME, ADDRESSTYPE, PORTS (`80,443`, `<unset>`), ENDPOINTS (three
    addresses then `+ N more...`, `<none>`), AGE."""
    ports = ",".join(
        str(p["port"]) if p.get("port") is not None else "<unset>" for p in es.get("ports") or ()
    )
    addrs = [a for e in es.get("endpoints") or () for a in e.get("addresses") or ()]
    shown = ",".join(addrs[:3]) + (f" + {len(addrs) - 3} more..." if len(addrs) > 3 else "")
    return [es["metadata"]["name"], es["addressType"], ports or "<unset>", shown or "<none>", age(es, now)]


def _columns() -> list[dict]:
    cols = [
        {"name": "Name", "type": "string", "format": "name", "description": tables.NAME_DOC, "priority": 0}
    ]
    cols += [{"name": n, "type": t, "format": "", "description": d, "priority": p} for n, t, p, d in _COLUMNS]
    return cols


def list_(ctx, req, served, target) -> ApiResponse:
    """Answers a list of EndpointSlices (EndpointSliceList or Table), filtered by the selectors."""
    wanted = tables.negotiate(req)
    if wanted is None:
        return tables.not_acceptable()
    match = selectors.matcher(req, served)
    c = ctx.cluster
    items = [s for s in _slices(c, target.namespace) if match(s)]
    rv = str(c.store.revision)
    if wanted.as_ == "Table":
        rows = [(s, cells(s, c.clock.now)) for s in items]
        return json_response(tables.table(_columns(), rows, rv, req, wanted.version))
    from .reads import typed_list

    return json_response(typed_list(served, items, rv))


def get(ctx, req, served, target) -> ApiResponse:
    """Answers GET of one EndpointSlice; 404 `endpointslices.discovery.k8s.io "x" not found` otherwise."""
    wanted = tables.negotiate(req)
    if wanted is None:
        return tables.not_acceptable()
    if target.namespace is None:
        return status.page_not_found()
    c = ctx.cluster
    found = next((s for s in _slices(c, target.namespace) if s["metadata"]["name"] == target.name), None)
    if found is None:
        return status.not_found(served.qualified, target.name, served.plural, served.group)
    if wanted.as_ == "Table":
        rv = found["metadata"]["resourceVersion"]
        return json_response(
            tables.table(_columns(), [(found, cells(found, c.clock.now))], rv, req, wanted.version)
        )
    return json_response(found)

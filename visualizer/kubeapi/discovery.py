"""Discovery: /version, /api, /apis (aggregated v2 and legacy), /apis/<group>, /api/v1 and /apis/<g>/<v>.

Everything is built from `catalog.SERVED` and `catalog.GROUPS`, so discovery lists exactly what the server
routes. Shapes follow the real kube-apiserver (reference §A1):

- `/version`: `version.Info` (apimachinery pkg/version/types.go), the engine's `K8S_VERSION` (v1.37.1).
- `/api`, `/apis`: the client asks `application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,
  application/json` (client-go discovery/discovery_client.go `acceptDiscoveryFormats`). When the Accept names
  the aggregated type, the answer is an `APIGroupDiscoveryList` (k8s.io/api apidiscovery/v2/types.go) under
  that exact Content-Type, with an `ETag` and `Vary: Accept` and a 304 for a matching `If-None-Match`
  (apiserver pkg/endpoints/discovery/aggregated/etag.go, handler.go); otherwise the legacy `APIVersions` /
  `APIGroupList` (apimachinery pkg/apis/meta/v1/types.go; apiserver pkg/endpoints/discovery/legacy.go,
  root.go).
- `/apis/<group>`: `APIGroup`; `/api/v1`, `/apis/<g>/<v>`: `APIResourceList` with subresources as
  `parent/sub` entries (kubernetes api/discovery/api__v1.json, apis__apps__v1.json).
"""

from __future__ import annotations

import hashlib

from . import catalog, status
from .http import ApiRequest, ApiResponse, dumps, json_response

AGGREGATED_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

# `serverAddressByClientCIDRs` of the legacy /api answer: every client is told the simulated control plane's
# advertised address (kube-apiserver --advertise-address, secure port 6443).
_CLIENT_CIDR = "0.0.0.0/0"
_ADVERTISED = "10.0.0.1:6443"


def version(ctx, req: ApiRequest) -> ApiResponse:
    """`GET /version`: the server's `version.Info` (all values strings; emulation and compatibility versions
    as kube-apiserver 1.33+ reports them). The same data the console's `kubectl version` prints."""
    from visualizer.engine.cluster import K8S_VERSION
    from visualizer.engine.kubectl.commands import _version_info

    return json_response(_version_info(K8S_VERSION, server=True))


def root(req: ApiRequest) -> ApiResponse:
    """`GET /`: the `RootPaths` listing every served path (apiserver pkg/server/routes/index.go)."""
    paths = ["/api", "/api/v1", "/apis", "/apis/"]
    for group, versions in catalog.GROUPS:
        if group:
            paths.append(f"/apis/{group}")
            paths.extend(f"/apis/{group}/{v}" for v in versions)
    paths += ["/healthz", "/livez", "/openapi/v2", "/openapi/v3", "/openapi/v3/", "/readyz", "/version"]
    return json_response({"paths": sorted(paths)})


def wants_aggregated(req: ApiRequest) -> bool:
    """True when the Accept header lists the aggregated discovery v2 media type (parameters in any order)."""
    for part in req.accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        if fields[0].lower() not in ("application/json", "application/*", "*/*") or len(fields) < 2:
            continue
        params = dict(f.split("=", 1) for f in fields[1:] if "=" in f)
        params = {k.strip().lower(): v.strip() for k, v in params.items()}
        if (
            params.get("g") == "apidiscovery.k8s.io"
            and params.get("v") == "v2"
            and params.get("as") == "APIGroupDiscoveryList"
        ):
            return True
    return False


def api(req: ApiRequest) -> ApiResponse:
    """`GET /api`: aggregated (one item, the core group) or `APIVersions`."""
    if wants_aggregated(req):
        return _aggregated(req, core=True)
    return json_response(
        {
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": _CLIENT_CIDR, "serverAddress": _ADVERTISED}],
        }
    )


def apis(req: ApiRequest) -> ApiResponse:
    """`GET /apis`: aggregated (every named group) or `APIGroupList`."""
    if wants_aggregated(req):
        return _aggregated(req, core=False)
    return json_response(
        {"kind": "APIGroupList", "apiVersion": "v1", "groups": [_api_group(g, vs) for g, vs in _named()]}
    )


def group(req: ApiRequest, group: str) -> ApiResponse:
    """`GET /apis/<group>`: the `APIGroup`, or 404 for a group the server does not serve."""
    versions = dict(catalog.GROUPS).get(group)
    if not group or versions is None:
        return status.page_not_found()
    return json_response({"kind": "APIGroup", "apiVersion": "v1", **_api_group(group, versions)})


def group_version(req: ApiRequest, group: str, version: str) -> ApiResponse:
    """`GET /api/v1` or `/apis/<g>/<v>`: the `APIResourceList`, or 404 for a group-version not served."""
    if version not in dict(catalog.GROUPS).get(group, []):
        return status.page_not_found()
    return json_response(resource_list(group, version))


def resource_list(group: str, version: str) -> dict:
    """Returns the `APIResourceList` of one group-version: resources and `parent/sub` subresource entries
    sorted by name (as the real dumps are), `singularName: ""` on subresources, `group`/`version` only on a
    subresource answering another group's kind (`deployments/scale` → autoscaling/v1 Scale). The core list
    carries no `apiVersion` (api/discovery/api__v1.json)."""
    entries = []
    for s in catalog.resources_of(group, version):
        entry = {"name": s.plural, "singularName": s.singular, "namespaced": s.namespaced, "kind": s.kind}
        entry["verbs"] = list(s.verbs)
        if s.short:
            entry["shortNames"] = list(s.short)
        if s.categories:
            entry["categories"] = list(s.categories)
        if s.storage_hash:
            entry["storageVersionHash"] = s.storage_hash
        entries.append(entry)
        for sub in s.subresources:
            sub_entry = {"name": f"{s.plural}/{sub.name}", "singularName": "", "namespaced": s.namespaced}
            if (sub.group, sub.version) != (group, version):
                sub_entry |= {"group": sub.group, "version": sub.version}
            sub_entry |= {"kind": sub.kind, "verbs": list(sub.verbs)}
            entries.append(sub_entry)
    entries.sort(key=lambda e: e["name"])
    body = {"kind": "APIResourceList"}
    if group:
        body["apiVersion"] = "v1"
    body |= {"groupVersion": f"{group}/{version}" if group else version, "resources": entries}
    return body


def aggregated_document(core: bool) -> dict:
    """Returns the `APIGroupDiscoveryList` for `/api` (`core`) or `/apis`.

    Every resource and subresource carries `responseKind` (client-go discovery/aggregated_discovery.go drops
    entries without one); `group`/`version` are "" when they are the containing group-version's, as the real
    server writes them."""
    groups = [(g, vs) for g, vs in catalog.GROUPS if (g == "") == core]
    items = []
    for name, versions in groups:
        item = {"metadata": {"name": name} if name else {}, "versions": []}
        for v in versions:
            resources = sorted(catalog.resources_of(name, v), key=lambda s: s.plural)
            item["versions"].append(
                {
                    "version": v,
                    "resources": [_aggregated_resource(s) for s in resources],
                    "freshness": "Current",
                }
            )
        items.append(item)
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": items,
    }


def _aggregated_resource(s: catalog.Served) -> dict:
    entry: dict = {
        "resource": s.plural,
        "responseKind": {"group": "", "version": "", "kind": s.kind},
        "scope": s.scope,
        "singularResource": s.singular,
        "verbs": list(s.verbs),
    }
    if s.short:
        entry["shortNames"] = list(s.short)
    if s.categories:
        entry["categories"] = list(s.categories)
    subs = []
    for sub in s.subresources:
        same = (sub.group, sub.version) == (s.group, s.version)
        subs.append(
            {
                "subresource": sub.name,
                "responseKind": {
                    "group": "" if same else sub.group,
                    "version": "" if same else sub.version,
                    "kind": sub.kind,
                },
                "verbs": list(sub.verbs),
            }
        )
    if subs:
        entry["subresources"] = subs
    return entry


_CACHE: dict[bool, tuple[bytes, str]] = {}


def _aggregated(req: ApiRequest, core: bool) -> ApiResponse:
    """The aggregated answer with its ETag (hex of the body's hash, quoted as etag.go writes it); 304 when
    the client's `If-None-Match` holds it."""
    if core not in _CACHE:
        body = dumps(aggregated_document(core))
        _CACHE[core] = (body, '"' + hashlib.sha512(body).hexdigest()[:32].upper() + '"')
    body, etag = _CACHE[core]
    headers = [("ETag", etag), ("Vary", "Accept")]
    if etag in [t.strip() for t in req.headers.get("if-none-match", "").split(",")]:
        return ApiResponse(304, b"", AGGREGATED_TYPE, headers)
    return ApiResponse(200, body, AGGREGATED_TYPE, headers)


def _named() -> list[tuple[str, list[str]]]:
    return [(g, vs) for g, vs in catalog.GROUPS if g]


def _api_group(group: str, versions: list[str]) -> dict:
    gvs = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {"name": group, "versions": gvs, "preferredVersion": gvs[0]}

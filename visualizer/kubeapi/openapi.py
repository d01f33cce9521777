"""OpenAPI v3 (the `/openapi/v3` index and per-group-version documents) and v2.

Serving follows kube-openapi pkg/handler3/handler.go (reference §A2.2): the index maps `api/v1`,
`apis/apps/v1`, … to `serverRelativeURL` `/openapi/v3/<gv>?hash=<H>`, H being the upper-case hex SHA-512 of the
document's bytes. A document asked with the current hash is served with `ETag: "<H>"`,
`Cache-Control: public, immutable` and `Expires` one year ahead (kubectl's disk cache keeps it); a stale hash is
redirected (301) to the current one; without a hash it is served `Cache-Control: no-cache, private`. A matching
`If-None-Match` answers 304.

The documents are built once per process (openapi_build.build_all) and kept as bytes.

`/openapi/v2` answers a valid v2 document without definitions. kubectl 1.37 reads v3 for validation, explain
and apply (§A2.1); it asks v2 only to validate client-side a kind whose v3 PATCH operation it cannot find,
i.e. a kind this simulator does not serve. With an empty v2 schema that validation skips the unknown kind
(kubectl pkg/util/openapi/validation `validateResource`), and kubectl reports what a real server's user would
see for a kind the server lacks — `resource mapping not found … no matches for kind "NetworkPolicy" in version
"networking.k8s.io/v1"` — instead of `failed to download openapi`.
"""

from __future__ import annotations

import hashlib
import threading
import time
from email.utils import formatdate

from . import openapi_build, status
from .http import ApiRequest, ApiResponse, dumps, json_response

_YEAR = 365 * 24 * 3600
_lock = threading.Lock()
_documents: dict[str, tuple[bytes, str]] | None = None


def documents() -> dict[str, tuple[bytes, str]]:
    """Returns every served group-version's document as (JSON bytes, hash), keyed `api/v1`, `apis/apps/v1`…;
    built on first use and cached for the life of the process."""
    global _documents
    if _documents is None:
        with _lock:
            if _documents is None:
                built = {}
                for key, doc in openapi_build.build_all().items():
                    body = dumps(doc)
                    built[key] = (body, hashlib.sha512(body).hexdigest().upper())
                _documents = built
    return _documents


def index(req: ApiRequest) -> ApiResponse:
    """`GET /openapi/v3`: `{"paths": {"<gv>": {"serverRelativeURL": "/openapi/v3/<gv>?hash=<H>"}}}`."""
    paths = {key: {"serverRelativeURL": f"/openapi/v3/{key}?hash={h}"} for key, (_, h) in documents().items()}
    return json_response(
        {"paths": paths}, headers=[("Cache-Control", "no-cache, private"), ("Vary", "Accept")]
    )


def document(req: ApiRequest, gv: str) -> ApiResponse:
    """`GET /openapi/v3/<gv>[?hash=H]`: the group-version's document (see the module docstring); 404 Status for
    a group-version the server does not document."""
    entry = documents().get(gv.strip("/"))
    if entry is None:
        return status.page_not_found()
    body, digest = entry
    etag = f'"{digest}"'
    asked = req.param("hash")
    if asked is not None and asked != digest:
        # Relative to the request's own path, so the cluster prefix (/k8s/<cluster>) is kept.
        location = gv.strip("/").rsplit("/", 1)[-1] + f"?hash={digest}"
        return ApiResponse(301, b"", "text/plain; charset=utf-8", [("Location", location)])
    headers = [("ETag", etag), ("Vary", "Accept")]
    if asked is not None:
        headers += [
            ("Cache-Control", "public, immutable"),
            ("Expires", formatdate(time.time() + _YEAR, usegmt=True)),
        ]
    else:
        headers.append(("Cache-Control", "no-cache, private"))
    if etag in [t.strip() for t in req.headers.get("if-none-match", "").split(",")]:
        return ApiResponse(304, b"", "application/json", headers)
    return ApiResponse(200, body, "application/json", headers)


# kube-openapi pkg/handler/handler.go: asked as `application/com.github.proto-openapi.spec.v2@v1.0+protobuf`, the
# document is served under this Content-Type (the `@` would not parse as a media type).
V2_PROTOBUF_TYPE = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
# gnostic openapi_v2.Document{swagger: "2.0"} (field 1, length-delimited): a document with no definitions.
_V2_PROTOBUF_EMPTY = b"\x0a\x032.0"


def v2(req: ApiRequest) -> ApiResponse:
    """`GET /openapi/v2`: a v2 document without definitions (see the module docstring), as protobuf when the
    client asks for it (kubectl does), else as JSON."""
    if "protobuf" in req.accept:
        return ApiResponse(
            200, _V2_PROTOBUF_EMPTY, V2_PROTOBUF_TYPE, [("Cache-Control", "no-cache, private")]
        )
    from visualizer.engine.cluster import K8S_VERSION

    doc = {
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": K8S_VERSION},
        "paths": {},
        "definitions": {},
    }
    return json_response(doc, headers=[("Cache-Control", "no-cache, private")])

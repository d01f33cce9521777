"""One request to the API server and its answer, as plain values (no web framework).

`ApiRequest` is what the transport read off the wire (path after the cluster prefix, query, lower-cased
headers, raw body bytes); `ApiResponse` is what it writes back: a status code, a content type, a body, extra
headers (`Warning`, `ETag`, `Retry-After`), and for the long-running requests (watch, `logs -f`) a `stream`
that the transport keeps polling until it says it is finished.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Protocol

MAX_BODY_BYTES = 3 * 1024 * 1024  # kube-apiserver MaxRequestBodyBytes (apiserver pkg/server/config.go)


@dataclass
class ApiRequest:
    """A request as the API server sees it.

    `path` starts at the API root (`/api/v1/namespaces/default/pods`), without the `/k8s/<cluster>` prefix;
    `query` maps each parameter to all its values (`command` repeats for exec); `headers` have lower-case
    names; `body` is the raw bytes (at most MAX_BODY_BYTES, the transport refuses more with 413).
    `role` is "control" (may write) or "view" (read-only: writes answer 403); `user` names the client in
    Forbidden messages (`User "student" cannot …`).
    """

    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    role: str = "control"
    user: str = "student"

    def param(self, name: str, default: str | None = None) -> str | None:
        """Returns the last value of a query parameter (as Go's url.Values.Get takes the first; kubectl
        never repeats the ones read this way), or `default`."""
        values = self.query.get(name)
        return values[-1] if values else default

    def flag(self, name: str) -> bool:
        """Returns a boolean query parameter: `true`/`1` are true (strconv.ParseBool's common spellings)."""
        return (self.param(name) or "").lower() in ("true", "1", "t")

    @property
    def accept(self) -> str:
        return self.headers.get("accept", "")

    @property
    def content_type(self) -> str:
        """Returns the media type of the body without parameters (`application/json`)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


class Stream(Protocol):
    """A long-running answer (watch, followed log): the transport calls `poll` under the cluster's lock
    every few tenths of a second and writes what it returns; `finished` ends the response."""

    finished: bool

    def poll(self, ctx) -> list[bytes]:
        """Returns the chunks produced since the last call (may be empty)."""
        ...


@dataclass
class ApiResponse:
    """An answer: `status` code, `body` bytes of `content_type`, `headers` (name, value) beyond those two.

    With `stream` set, `body` is the first chunk and the transport keeps the response open (chunked) and
    polls the stream until it is finished or `timeout` seconds (real time) have passed.
    """

    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: list[tuple[str, str]] = field(default_factory=list)
    stream: Stream | None = None
    timeout: float | None = None

    def json(self):
        """Returns the body parsed as JSON (tests and the console's `-o json` read it)."""
        return json.loads(self.body)


def dumps(data) -> bytes:
    """Returns compact JSON bytes as the API server writes them (UTF-8, no spaces, no ASCII escaping)."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def json_response(
    data, status: int = 200, content_type: str = "application/json", headers=None
) -> ApiResponse:
    """Returns a JSON answer."""
    return ApiResponse(status, dumps(data), content_type, list(headers or []))

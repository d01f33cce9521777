"""The real kubectl v1.37's protobuf request bodies, decoded by `visualizer.kubeapi.protobuf`.

For each typed-client command (reference Part A §A3: `create deployment|secret|configmap|namespace|job|
cronjob|service|ingress|pdb|priorityclass|quota|role|…`, `autoscale`, `create token`) the real kubectl POSTs
a protobuf body to a harness server; `decode(body)` must equal the JSON kubectl itself prints for the same
command with `--dry-run=client -o json` (its JSON printer encodes the very typed object it would send), and
`encode` of that JSON must give back kubectl's bytes exactly.

The server here is the harness (tests/kubeapi/harness.py) with `server.handle` wrapped: it records each
protobuf POST and answers 201 with the decoded object, answers legacy discovery (/api, /apis, APIResourceList
from `catalog`) for the commands that map resources, and canned objects for the GETs of `autoscale` (a
Deployment) and `create job --from=cronjob/tick` (a CronJob).

`python -m tests.kubeapi.test_protobuf_live` rewrites the committed fixtures (secret-tls gets a new openssl
certificate each time: restore it from git unless it is meant to change) under fixtures/protobuf/
(`<case>.pb` is kubectl's body, `<case>.json` the dry-run JSON) that tests/kubeapi/test_protobuf.py reads
without kubectl.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.kubeapi.harness import ApiHarness, require_kubectl
from visualizer.kubeapi import catalog, http, protobuf, server

FIXTURES = Path(__file__).parent / "fixtures" / "protobuf"
BINARY = bytes(range(256))  # a --from-file secret whose bytes are not UTF-8

# (fixture name, kubectl arguments). Files named {tls_crt}, {tls_key}, {blob}, {cfg} are made per run.
CASES: list[tuple[str, list[str]]] = [
    ("deployment", ["create", "deployment", "web", "--image=nginx:1.27", "--replicas=3", "--port=80"]),
    ("deployment-command", ["create", "deployment", "clock", "--image=busybox", "--", "date"]),
    ("deployment-multi", ["create", "deployment", "pair", "--image=nginx", "--image=redis", "-n", "team"]),
    (
        "secret-generic",
        ["create", "secret", "generic", "s", "--from-literal=user=admin", "--from-literal=pw=s3cr3t"],
    ),
    (
        "secret-binary",
        ["create", "secret", "generic", "blob", "--from-file=data.bin={blob}", "--type=custom/x"],
    ),
    ("secret-tls", ["create", "secret", "tls", "cert", "--cert={tls_crt}", "--key={tls_key}"]),
    (
        "secret-docker",
        [
            "create",
            "secret",
            "docker-registry",
            "reg",
            "--docker-server=registry.example",
            "--docker-username=u",
            "--docker-password=p",
            "--docker-email=u@example.com",
        ],
    ),
    ("configmap", ["create", "configmap", "cm", "--from-literal=k=v", "--from-file=app.cfg={cfg}"]),
    ("namespace", ["create", "namespace", "team-a"]),
    ("job", ["create", "job", "pi", "--image=perl:5.34", "--", "perl", "-e", "print 1"]),
    (
        "cronjob",
        [
            "create",
            "cronjob",
            "tick",
            "--image=busybox",
            "--schedule=*/5 * * * *",
            "--restart=Never",
            "--",
            "date",
        ],
    ),
    ("service-clusterip", ["create", "service", "clusterip", "web", "--tcp=80:8080", "--tcp=443:8443"]),
    ("service-headless", ["create", "service", "clusterip", "db", "--clusterip=None"]),
    ("service-nodeport", ["create", "service", "nodeport", "np", "--tcp=80:8080", "--node-port=30080"]),
    ("service-loadbalancer", ["create", "service", "loadbalancer", "lb", "--tcp=443:https"]),
    ("service-externalname", ["create", "service", "externalname", "ext", "--external-name=example.com"]),
    (
        "ingress",
        [
            "create",
            "ingress",
            "ing",
            "--class=nginx",
            "--rule=foo.com/bar=svc:8080",
            "--rule=tls.com/*=svc2:http,tls=my-cert",
            "--annotation=team=a",
            "--default-backend=def:80",
        ],
    ),
    ("pdb-min", ["create", "poddisruptionbudget", "pdb", "--selector=app=web", "--min-available=50%"]),
    ("pdb-max", ["create", "pdb", "pdb2", "--selector=app=web", "--max-unavailable=1"]),
    (
        "priorityclass",
        [
            "create",
            "priorityclass",
            "high",
            "--value=1000",
            "--description=urgent",
            "--preemption-policy=Never",
        ],
    ),
    ("quota", ["create", "quota", "q", "--hard=cpu=1.5,memory=1Gi,pods=10", "--scopes=BestEffort"]),
    (
        "role",
        [
            "create",
            "role",
            "reader",
            "--verb=get,list",
            "--resource=pods,deployments.apps",
            "--resource-name=web",
        ],
    ),
    ("clusterrole", ["create", "clusterrole", "nodes", "--verb=get,watch", "--resource=nodes"]),
    (
        "rolebinding",
        ["create", "rolebinding", "rb", "--role=reader", "--user=alice", "--serviceaccount=default:sa"],
    ),
    ("clusterrolebinding", ["create", "clusterrolebinding", "crb", "--clusterrole=nodes", "--group=devs"]),
    ("serviceaccount", ["create", "serviceaccount", "sa"]),
    ("autoscale", ["autoscale", "deployment", "web", "--min=2", "--max=5", "--cpu=50%"]),
    ("job-from-cronjob", ["create", "job", "tick-manual", "--from=cronjob/tick"]),
]

WEB = {
    "kind": "Deployment",
    "apiVersion": "apps/v1",
    "metadata": {"name": "web", "namespace": "default", "uid": "5a1c-0001", "resourceVersion": "7"},
    "spec": {
        "replicas": 1,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx"}]},
        },
    },
}


TOKEN_ARGS = ["create", "token", "sa", "--duration=2h", "--audience=api", "--audience=vault"]
TOKEN_REQUEST = {
    "kind": "TokenRequest",
    "apiVersion": "authentication.k8s.io/v1",
    "metadata": {},
    "spec": {"audiences": ["api", "vault"], "expirationSeconds": 7200, "boundObjectRef": None},
    "status": {"token": "", "expirationTimestamp": None},
}
TICK = {
    "kind": "CronJob",
    "apiVersion": "batch/v1",
    "metadata": {"name": "tick", "namespace": "default", "uid": "5a1c-0002", "resourceVersion": "8"},
    "spec": {
        "schedule": "*/5 * * * *",
        "jobTemplate": {
            "metadata": {"labels": {"app": "tick"}},
            "spec": {
                "backoffLimit": 2,
                "template": {
                    "spec": {
                        "restartPolicy": "OnFailure",
                        "containers": [{"name": "tick", "image": "busybox", "command": ["date"]}],
                    }
                },
            },
        },
    },
}
CANNED = {
    "/apis/apps/v1/namespaces/default/deployments/web": WEB,
    "/apis/batch/v1/namespaces/default/cronjobs/tick": TICK,
}


class Recorder:
    """Wraps `server.handle` (see the module docstring); `bodies` lists (path, content type, body)."""

    def __init__(self, original):
        self.original = original
        self.bodies: list[tuple[str, str, bytes]] = []

    def __call__(self, ctx, req):
        if req.method == "POST":
            self.bodies.append((req.path, req.content_type, req.body))
            obj = protobuf.decode(req.body)
            if obj["kind"] == "TokenRequest":
                obj["status"] = {
                    "token": "header.payload.signature",
                    "expirationTimestamp": "2026-12-01T03:00:00Z",
                }
            return http.json_response(obj, 201)
        if req.method == "GET":
            found = self._discovery(req.path)
            if found is not None:
                return http.json_response(found)
            if req.path in CANNED:
                return http.json_response(CANNED[req.path])
        return self.original(ctx, req)

    @staticmethod
    def _discovery(path: str):
        if path == "/api":
            return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []}
        if path == "/apis":
            groups = []
            for group, versions in catalog.GROUPS:
                if not group:
                    continue
                gvs = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
                groups.append({"name": group, "versions": gvs, "preferredVersion": gvs[0]})
            return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
        parts = path.strip("/").split("/")
        if parts[:2] == ["api", "v1"] and len(parts) == 2:
            group, version = "", "v1"
        elif parts[0] == "apis" and len(parts) == 3:
            group, version = parts[1], parts[2]
        else:
            return None
        resources = [
            {
                "name": s.plural,
                "singularName": s.singular,
                "namespaced": s.namespaced,
                "kind": s.kind,
                "verbs": list(s.verbs),
                "shortNames": list(s.short),
            }
            for s in catalog.resources_of(group, version)
        ]
        resources += [
            {
                "name": f"{s.plural}/{sub.name}",
                "singularName": "",
                "namespaced": s.namespaced,
                "group": sub.group,
                "version": sub.version,
                "kind": sub.kind,
                "verbs": list(sub.verbs),
            }
            for s in catalog.resources_of(group, version)
            for sub in s.subresources
        ]
        gv = f"{group}/{version}" if group else version
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}


def _files(directory: Path, api: ApiHarness | None) -> dict[str, str]:
    blob = directory / "data.bin"
    blob.write_bytes(BINARY)
    cfg = directory / "app.cfg"
    cfg.write_text("mode=fast\nretries=3\n")
    if api is not None:
        tls_crt, tls_key = api.home / "tls" / "server.crt", api.home / "tls" / "server.key"
    else:  # fixture writing: a fixed pair made once with openssl
        tls_crt, tls_key = directory / "tls.crt", directory / "tls.key"
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "3650",
                "-subj",
                "/CN=web.example",
                "-keyout",
                str(tls_key),
                "-out",
                str(tls_crt),
            ],
            check=True,
            capture_output=True,
        )
    return {"blob": str(blob), "cfg": str(cfg), "tls_crt": str(tls_crt), "tls_key": str(tls_key)}


def run_case(api: ApiHarness, recorder: Recorder, args: list[str], files: dict[str, str]):
    """Runs one command for real and with `--dry-run=client -o json`; returns (body, dry-run JSON, stdout)."""
    args = [a.format(**files) for a in args]
    before = len(recorder.bodies)
    rc, out, err = api.kubectl(*args)
    assert rc == 0, err
    assert len(recorder.bodies) == before + 1, f"expected one POST, got {recorder.bodies[before:]}"
    path, content_type, body = recorder.bodies[-1]
    assert content_type == protobuf.CONTENT_TYPE
    split = args.index("--") if "--" in args else len(args)
    rc, dry, err = api.kubectl(*args[:split], "--dry-run=client", "-o", "json", *args[split:])
    assert rc == 0, err
    return body, json.loads(dry), out


@pytest.fixture
def live(monkeypatch, tmp_path):
    require_kubectl()
    recorder = Recorder(server.handle)
    monkeypatch.setattr(server, "handle", recorder)
    with ApiHarness(speed=0) as api:
        yield api, recorder, _files(tmp_path, api)


@pytest.mark.parametrize("name,args", CASES, ids=[c[0] for c in CASES])
def test_kubectl_body_decodes_to_its_dry_run_json(live, name, args):
    api, recorder, files = live
    body, dry, out = run_case(api, recorder, args, files)
    assert protobuf.decode(body) == dry
    assert protobuf.encode(dry) == body
    # kubectl accepted the JSON answer (the decoded object) and printed its usual line.
    assert out.strip().endswith(("created", "autoscaled"))


def test_create_token_posts_a_token_request(live):
    """`kubectl create token` (no --dry-run): the TokenRequest as Go's JSON prints it — `audiences`,
    `expirationSeconds`, `boundObjectRef` and the status' `expirationTimestamp` have no omitempty in v1.37, so
    they are null when unset
    [S kubernetes/api:authentication/v1/types.go TokenRequestSpec, TokenRequestStatus]."""
    api, recorder, _ = live
    rc, out, err = api.kubectl(*TOKEN_ARGS)
    assert (rc, out, err) == (0, "header.payload.signature", "")  # no newline when stdout is not a terminal
    path, _, body = recorder.bodies[-1]
    assert path == "/api/v1/namespaces/default/serviceaccounts/sa/token"
    assert protobuf.decode(body) == TOKEN_REQUEST
    rc, out, err = api.kubectl("create", "token", "sa")
    assert rc == 0, err
    assert protobuf.decode(recorder.bodies[-1][2])["spec"] == {
        "audiences": None,
        "expirationSeconds": None,
        "boundObjectRef": None,
    }


def write_fixtures() -> None:
    """Captures every stable case's body and dry-run JSON into FIXTURES (run by hand, kubectl needed)."""
    import tempfile

    recorder = Recorder(server.handle)
    server.handle = recorder
    FIXTURES.mkdir(parents=True, exist_ok=True)
    with ApiHarness(speed=0) as api, tempfile.TemporaryDirectory() as tmp:
        files = _files(Path(tmp), None)
        for name, args in CASES:
            body, dry, _ = run_case(api, recorder, args, files)
            (FIXTURES / f"{name}.pb").write_bytes(body)
            (FIXTURES / f"{name}.json").write_text(json.dumps(dry, indent=2, sort_keys=True) + "\n")
            print(name, len(body))
        rc, _, err = api.kubectl(*TOKEN_ARGS)
        assert rc == 0, err
        (FIXTURES / "token.pb").write_bytes(recorder.bodies[-1][2])
        (FIXTURES / "token.json").write_text(json.dumps(TOKEN_REQUEST, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    write_fixtures()
    sys.exit(0)


def test_the_committed_type_table_is_what_the_pinned_kubectl_holds():
    """scripts/build_k8s_protos.py re-reads the kubectl binary; the committed table must equal its output, so
    a kubectl upgrade without rebuilding the table fails here."""
    import importlib.util

    kubectl = require_kubectl()
    script = Path(__file__).resolve().parents[2] / "scripts" / "build_k8s_protos.py"
    spec = importlib.util.spec_from_file_location("build_k8s_protos", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build(kubectl.resolve())
    assert built == json.loads(protobuf.TABLE_PATH.read_text())
    assert built["kubectl"] == "Client Version: v1.37.1"
    assert len(built["types"]) > 1000

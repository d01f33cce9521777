"""The real kubectl v1.37 reading the simulated cluster prints what the browser console prints.

One cluster per module (a Deployment `web` with 3 replicas and its Service, 30 simulated seconds in), the
clock frozen (`speed=0`) so server-side AGE cells agree; every command runs through the real kubectl
against the TLS API server and through the console's kubectl on the same cluster.
"""

from __future__ import annotations

import json
import re
import shlex

import pytest
import yaml

from tests.kubeapi.harness import ApiHarness, require_kubectl
from visualizer.engine.wallclock import shift


@pytest.fixture(scope="module")
def api():
    require_kubectl()
    with ApiHarness(speed=0) as h:
        for cmd in (
            "kubectl create deployment web --image=nginx --replicas=3",
            "kubectl expose deployment web --port=80",
        ):
            assert h.console(cmd).ok
        limits = "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: mem\n  namespace: kube-public\nspec:\n"
        limits += "  limits:\n  - type: Container\n    default:\n      memory: 512Mi\n"
        assert h.console("kubectl apply -f -", stdin=limits).ok
        h.advance(30)
        yield h


def real(api, command: str) -> tuple[int, str, str]:
    return api.kubectl(*shlex.split(command))


def console(api, command: str) -> str:
    result = api.console("kubectl " + command)
    assert result.ok, result.error
    return result.output


def console_line(api, command: str, label: str) -> str:
    """Returns the value after `label` on the first matching line of the console's output."""
    line = next(x for x in console(api, command).splitlines() if x.strip().startswith(label))
    return line.split(label, 1)[1].strip()


def same(api, command: str) -> str:
    """Runs a command both ways; asserts success and identical stdout; returns it."""
    rc, out, err = real(api, command)
    assert rc == 0, err
    assert out.rstrip("\n") == console(api, command).rstrip("\n")
    return out


def pod_names(api) -> list[str]:
    return [line.split("/", 1)[1] for line in console(api, "get pods -o name").splitlines()]


@pytest.mark.parametrize(
    "command",
    [
        "get pods",
        "get pods -o wide",
        "get pods --show-labels",
        "get pods -L app",
        "get pods -A",
        "get all",
        "get pods,deploy",
        "get deploy -o wide",
        "get rs -o wide",
        "get svc -o wide",
        "get nodes -o wide",
        "get ns",
        "get events",
        "get events -A",
        "get events --field-selector involvedObject.kind=ReplicaSet",
        "get events --field-selector reason=Scheduled,type=Normal,source=default-scheduler",
        "get events -o wide --field-selector involvedObject.name!=web",
        "get pods --sort-by=.spec.nodeName",
        "get pods -o name",
        "get pods -o custom-columns=NAME:.metadata.name,NODE:.spec.nodeName",
        "get deploy web -o yaml",
        "get deploy web -o json",
        "get svc web -o jsonpath={.spec.ports[0].port}",
        "get pods -l app=web --field-selector spec.nodeName=worker-1",
        "get limitranges -A",
        # ties (objects created in the same second) come out in the order Go's unstable sort.Sort leaves them
        "get events --sort-by=.lastTimestamp",
        "get events -A --sort-by=.metadata.creationTimestamp",
        "get pods -A --sort-by=.metadata.creationTimestamp -o wide",
        "get pods -A --sort-by=.metadata.name",
        "get pods -o name --sort-by=.metadata.name",
        # tabwriter: minimum width 6, widths from the cells alone without headers, trailing padding kept
        "get pods -o wide --no-headers",
        "get all --no-headers",
        "get events --no-headers",
        "get pods -L ab",
        "get pods --chunk-size=1",
        "get pods -o yaml",
        "get events -o yaml",
        "get events -o json",
        "get svc -o json",
        """get pods -o jsonpath='{range.items[*]}{.metadata.name}{"\\t"}{.status.podIP}{"\\n"}{end}'""",
        "describe ns default",
    ],
)
def test_real_kubectl_prints_what_the_console_prints(api, command):
    same(api, command)


def test_get_pods_table_lines(api):
    out = same(api, "get pods -o wide").splitlines()
    assert out[0].split() == [
        "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED", "NODE", "READINESS", "GATES"
    ]  # fmt: skip
    assert len(out) == 4
    for line, name in zip(out[1:], pod_names(api), strict=True):
        cells = line.split()
        assert cells[0] == name and cells[1:5] == ["1/1", "Running", "0", "30s"]
        assert cells[6].startswith("worker-") and cells[7:] == ["<none>", "<none>"]


def test_get_all_prefixes_kind_and_group(api):
    out = same(api, "get all")
    assert "deployment.apps/web   3/3     3            3           30s" in out
    assert "service/web          ClusterIP" in out


def test_list_json_is_a_typed_list_with_the_group_version(api):
    rc, out, err = real(api, "get rs -o json")
    assert rc == 0, err
    data = json.loads(out)
    assert data["kind"] == "List"  # kubectl wraps what it read from the server's ReplicaSetList
    assert [i["kind"] for i in data["items"]] == ["ReplicaSet"]
    assert data["items"][0]["apiVersion"] == "apps/v1"


def test_get_object_yaml_is_the_stored_object(api):
    rc, out, err = real(api, "get deploy web -o yaml")
    assert rc == 0, err
    stored = api.cluster.store.get("/registry/deployments/default/web")
    # The stored object, its timestamps in the client's clock (visualizer/engine/wallclock.py).
    assert yaml.safe_load(out) == shift(stored, api.ctx.offset())


@pytest.mark.parametrize(
    ("command", "line"),
    [
        ("get pod nope", 'Error from server (NotFound): pods "nope" not found'),
        ("get deploy nope", 'Error from server (NotFound): deployments.apps "nope" not found'),
        ("get node nope", 'Error from server (NotFound): nodes "nope" not found'),
        # kubectl v1.37 GETs the namespace after a 404 and names it when it is missing too
        ("get pod nope -n nowhere", 'Error from server (NotFound): namespaces "nowhere" not found'),
        ("describe pod nope -n nowhere", 'Error from server (NotFound): namespaces "nowhere" not found'),
        (
            "get pods -l a=b=c",
            'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector '
            "\"a=b=c\", field selector \"\": found '=', expected: ',' or 'end of string'",
        ),
        (
            "get pods --field-selector foo=bar",
            'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "", '
            'field selector "foo=bar": field label not supported: foo',
        ),
        (
            "get deploy --field-selector status.replicas=3",
            'Error from server (BadRequest): Unable to find "apps/v1, Resource=deployments" that match label '
            'selector "", field selector "status.replicas=3": "status.replicas" is not a known field selector: '
            'only "metadata.name", "metadata.namespace"',
        ),
    ],
)
def test_errors_read_as_the_console_prints_them(api, command, line):
    rc, out, err = real(api, command)
    assert rc == 1 and out == ""
    assert err.strip() == line
    result = api.console("kubectl " + command)
    assert not result.ok and result.error["message"] == line


def test_empty_namespace_says_no_resources(api):
    rc, out, err = real(api, "get pods -n kube-public")
    assert rc == 0 and out == ""
    assert err.strip() == "No resources found in kube-public namespace."


def test_field_selectors_of_drain_and_describe_node(api):
    rc, out, err = real(
        api,
        "get pods -A --field-selector spec.nodeName=worker-1,status.phase!=Succeeded,status.phase!=Failed",
    )
    assert rc == 0, err
    names = sorted(line.split()[1] for line in out.splitlines()[1:])
    on_node = sorted(p["metadata"]["name"] for p in api.cluster.store.pods_on("worker-1"))
    assert names == on_node and names


def test_describe_pod_and_rs_match_the_console_but_for_event_ages(api):
    """kubectl computes describe's ages on the client from the wall clock; the simulated clock starts at
    2025-03-03, so only the Age cells of the Events block may differ (see the module docstring)."""
    pod = pod_names(api)[0]
    rs = console(api, "get rs -o name").split("/", 1)[1].strip()
    for command in (f"describe rs {rs}", "describe deploy web", "describe node worker-1", "describe svc web"):
        rc, out, err = real(api, command)
        assert rc == 0, err
        assert _without_ages(out) == _without_ages(console(api, command))
    rc, out, err = real(api, f"describe pod {pod}")
    assert rc == 0, err
    assert out.splitlines()[0].split() == ["Name:", pod]
    assert [line.split() for line in out.splitlines()[2:4]] == [
        ["Priority:", "0"],
        ["Service", "Account:", "default"],
    ]
    assert _without_ages(out) == _without_ages(console(api, f"describe pod {pod}"))
    assert "Controlled By:  ReplicaSet/" + rs in out
    events = out.split("Events:", 1)[1].splitlines()
    assert [e.split()[1] for e in events[3:]] == ["Scheduled", "Pulling", "Pulled", "Created", "Started"]


_AGE = re.compile(r"^\d+[smhd](\d+[smh])?$")  # apimachinery HumanDuration: 30s, 5m3s, 637d


def _without_ages(text: str) -> list[str]:
    """Lines with every HumanDuration cell (describe's Age columns) replaced by AGE, spacing collapsed."""
    return [
        " ".join("AGE" if _AGE.match(cell) else cell for cell in line.split())
        for line in text.rstrip("\n").splitlines()
    ]


def test_describe_node_prints_the_lease(api):
    rc, out, err = real(api, "describe node worker-1")
    assert rc == 0, err
    lines = out.splitlines()
    i = lines.index("Lease:")
    assert lines[i + 1].split() == ["HolderIdentity:", "worker-1"]
    assert lines[i + 2].split() == ["AcquireTime:", "<unset>"]
    # renewed by the last heartbeat, shown in the client's clock (visualizer/engine/wallclock.py)
    renew = lines[i + 3].split(":", 1)
    assert renew[0] == "  RenewTime" and renew[1].strip() == console_line(
        api, "describe node worker-1", "RenewTime:"
    )
    assert "Failed to get lease" not in out


def test_hpa_served_at_v2_and_v1(api):
    assert api.console("kubectl autoscale deployment web --min=2 --max=5 --cpu-percent=50").ok
    try:
        same(api, "get hpa")
        rc, out, err = real(api, "get horizontalpodautoscalers.v1.autoscaling web -o json")
        assert rc == 0, err
        hpa = json.loads(out)
        assert hpa["apiVersion"] == "autoscaling/v1"
        assert hpa["spec"]["targetCPUUtilizationPercentage"] == 50
        assert hpa["spec"]["scaleTargetRef"]["name"] == "web"
        rc, out, err = real(api, "get horizontalpodautoscalers.v2.autoscaling web -o json")
        assert json.loads(out)["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    finally:
        assert api.console("kubectl delete hpa web").ok


def test_endpoints_carry_the_deprecation_warning(api):
    rc, out, err = real(api, "get endpoints web")
    assert rc == 0
    assert (
        err.strip() == "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"
    )
    assert out.splitlines()[0].split() == ["NAME", "ENDPOINTS", "AGE"]


def test_node_heartbeats_read_the_same_both_ways_after_minutes():
    """Conditions' lastHeartbeatTime moves every 5 min (computed on read): GET, -o yaml and describe agree."""
    with ApiHarness(speed=0) as h:
        h.advance(900)
        rc, out, err = h.kubectl("get", "node", "worker-1", "-o", "yaml")
        assert rc == 0, err
        assert out.rstrip("\n") == h.console("kubectl get node worker-1 -o yaml").output
        beats = {c["type"]: c["lastHeartbeatTime"] for c in yaml.safe_load(out)["status"]["conditions"]}
        # simulated 09:15:00 in the client's clock (visualizer/engine/wallclock.py)
        assert (
            beats["Ready"]
            == shift({"lastHeartbeatTime": "2025-03-03T09:15:00Z"}, h.ctx.offset())["lastHeartbeatTime"]
        )
        rc, out, err = h.kubectl("describe", "node", "worker-1")
        assert _without_ages(out) == _without_ages(h.console("kubectl describe node worker-1").output)


def test_endpointslices_feed_describe_service(api):
    rc, out, err = real(api, "get endpointslices -l kubernetes.io/service-name=web -o json")
    assert rc == 0, err
    (es,) = json.loads(out)["items"]
    ep = api.cluster.store.get("/registry/services/endpoints/default/web")
    assert es["addressType"] == "IPv4" and es["ports"] == [{"name": "", "port": 80, "protocol": "TCP"}]
    assert [e["addresses"][0] for e in es["endpoints"]] == [a["ip"] for a in ep["subsets"][0]["addresses"]]
    assert es["metadata"]["ownerReferences"][0]["kind"] == "Service"
    rc, out, err = real(api, "describe svc web")
    ips = ",".join(f"{a['ip']}:80" for a in ep["subsets"][0]["addresses"])
    assert f"Endpoints:                {ips}" in out.splitlines()


def test_read_only_role_reads_and_events_k8s_io_prints_the_same_table(api):
    rc, out, err = api.kubectl("get", "pods", "-o", "wide", role="view")
    assert rc == 0, err
    assert out.rstrip("\n") == console(api, "get pods -o wide")
    rc, new, err = real(api, "get events.v1.events.k8s.io")
    assert rc == 0, err
    assert new == real(api, "get events")[1]


def test_long_strings_wrap_at_eighty_columns_as_go_yaml_does():
    """kubectl's YAML printer (sigs.k8s.io/yaml over go-yaml v2, best width 80) folds long plain scalars."""
    manifest = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: long\n  annotations:\n    note: "
        + " ".join(["word"] * 30)
        + "\ndata:\n  k: "
        + "x" * 120
        + "\n"
    )
    with ApiHarness(speed=0) as h:
        assert h.console("kubectl create -f -", stdin=manifest).ok
        rc, out, err = h.kubectl("get", "cm", "long", "-o", "yaml")
        assert rc == 0, err
        assert out.rstrip("\n") == h.console("kubectl get cm long -o yaml").output
        assert "    note: word word word" in out and "\n      word word" in out

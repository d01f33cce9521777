"""Every served kind, read with the real kubectl: `get` (plain and wide) and `describe` print what the console
prints. Describe's ages are computed by kubectl from the wall clock while the simulated clock starts at
2025-03-03, so HumanDuration cells are compared as `AGE` (get's ages come from the server and are compared
as they are)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.kubeapi.harness import ApiHarness, require_kubectl

MANIFESTS = (Path(__file__).with_name("reads_kinds.yaml")).read_text()
_AGE = re.compile(r"^\d+[smhd](\d+[smh])?$")


@pytest.fixture(scope="module")
def api():
    require_kubectl()
    with ApiHarness(speed=0) as h:
        for cmd in (
            "kubectl create deployment web --image=nginx --replicas=2",
            "kubectl expose deployment web --port=80",
            "kubectl autoscale deployment web --min=2 --max=4 --cpu-percent=60",
        ):
            assert h.console(cmd).ok
        assert h.console("kubectl apply -f -", stdin=MANIFESTS).ok
        h.advance(90)
        yield h


def _ages(text: str) -> list[str]:
    return [
        " ".join("AGE" if _AGE.match(c) else c for c in line.split())
        for line in text.rstrip("\n").splitlines()
    ]


def _run(api, command: str) -> tuple[str, str]:
    rc, out, err = api.kubectl(*shlex.split(command))
    assert rc == 0, err
    result = api.console("kubectl " + command)
    assert result.ok, result.error
    # the console shows both streams, as a terminal does: the API server's warnings (v1 Endpoints) come first
    return (err + out).rstrip("\n"), result.output.rstrip("\n")


@pytest.mark.parametrize(
    "command",
    [
        "get all -o wide",
        "get cm,secret,pvc,pv,quota,limits,ing,sc,ingressclass",
        "get cronjobs,jobs -o wide",
        "get ds,sts -o wide",
        "get endpoints",
        "get events -o wide",
        "get controllerrevisions",
        "get hpa",
        "get pv -o wide",
    ],
)
def test_get(api, command):
    out, console = _run(api, command)
    assert out == console


@pytest.mark.parametrize(
    "command",
    [
        "describe job pi",
        "describe cronjob hello",
        "describe ds agent",
        "describe sts db",
        "describe cm cfg",
        "describe secret sec",
        "describe pvc data",
        "describe pv",
        "describe quota q",
        "describe limits lr",
        "describe hpa web",
        "describe ep web",
        "describe sc",
        "describe ns",
        "describe nodes",
        "describe pods",
        "describe pods web",
        "describe pod --show-events=true",
        "describe deploy web --show-events=false",
        "describe rs",
        "describe svc web",
        "describe ing ing",
    ],
)
def test_describe(api, command):
    out, console = _run(api, command)
    assert _ages(out) == _ages(console)


def test_describe_many_objects_shows_no_events_unless_asked(api):
    out, _ = _run(api, "describe pods")
    assert "Events:" not in out and out.count("\nName:") >= 5
    out, _ = _run(api, "describe pods --show-events=true")
    assert out.count("\nEvents:") == len(re.findall(r"^Name:", out, re.MULTILINE))


def test_describe_namespace_lists_its_quotas_and_limits(api):
    out, _ = _run(api, "describe ns default")
    lines = out.splitlines()
    i = lines.index("Resource Quotas")
    assert lines[i + 1].split() == ["Name:", "q"]
    assert lines[i + 2].split() == ["Resource", "Used", "Hard"]
    assert lines[i + 4].split()[0::2] == ["pods", "20"]
    assert "Resource Limits" in lines
    assert lines[-1].split() == ["Container", "memory", "-", "-", "256Mi", "512Mi", "-"]

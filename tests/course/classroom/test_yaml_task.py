"""The YAML task is graded by applying the manifest to a fresh simulated cluster and checking what runs."""

import pytest

from course.classroom import actions
from course.classroom.yaml_task import check_manifest

EXPECTED = {"image": "nginx:1.20", "replicas": 3}
RIGHT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
        - name: nginx
          image: nginx:1.20
"""


def test_the_right_manifest_passes():
    ok, detail = check_manifest(RIGHT, EXPECTED)
    assert ok, detail


@pytest.mark.parametrize(
    ("manifest", "hint"),
    [
        (RIGHT.replace("replicas: 3", "replicas: 1"), "replicas"),
        (RIGHT.replace("nginx:1.20", "nginx:1.19"), "nginx:1.20"),
        (RIGHT.replace("kind: Deployment", "kind: Pod"), "Deployment"),
        ("apiVersion: apps/v1\nkind: [", "YAML"),
        (RIGHT.replace("      labels:\n        app: nginx", "      labels:\n        app: web"), ""),
    ],
)
def test_wrong_manifests_fail_with_a_korean_reason(manifest, hint):
    ok, detail = check_manifest(manifest, EXPECTED)
    assert not ok
    assert hint in detail and detail


@pytest.mark.django_db
def test_the_yaml_question_is_graded_and_stored(klass, alice):
    frames = actions.submit_answer(klass, alice, "yaml-nginx", RIGHT, 0)
    assert '"correct":true' in frames[0][1]
    frames = actions.submit_answer(klass, alice, "yaml-nginx", RIGHT.replace("replicas: 3", "replicas: 2"), 0)
    assert '"correct":false' in frames[0][1]
    assert alice.answers.get().attempts == 2


def test_the_engine_runs_the_manifest_when_it_is_present():
    engine = pytest.importorskip("visualizer.engine")
    if not hasattr(engine, "Cluster"):
        pytest.skip("visualizer.engine does not export Cluster yet")
    ok, detail = check_manifest(RIGHT, EXPECTED)
    assert ok and "Ready" in detail
    # An image that does not exist never becomes ready: the simulated kubelet reports ImagePullBackOff.
    ok, detail = check_manifest(
        RIGHT.replace("nginx:1.20", "nginx:1.20x"), {"image": "nginx:1.20x", "replicas": 3}
    )
    assert not ok and "0개" in detail

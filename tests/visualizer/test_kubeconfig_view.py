"""The kubeconfig downloads ("내 kubectl로 연결", `GET /cluster/kubeconfig`) and the API's token check.

A sandbox's owner gets the token that controls it, a share-link viewer the read-only one, a stranger nothing;
the class demo's controlling token is its instructor's alone. records.api_identity is the API's side of
the same rule.
"""

from __future__ import annotations

import base64

import pytest
import yaml
from cryptography import x509

from visualizer import records
from visualizer.models import ClusterRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tls_dir(settings, tmp_path):
    settings.KUBEAPI_TLS_DIR = tmp_path / "tls"
    settings.KUBEAPI_PORT = 6443
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "192.168.0.10"]


def _parse(response) -> dict:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/yaml"
    assert response["Cache-Control"] == "no-store"
    return yaml.safe_load(response.content)


def test_own_kubeconfig_creates_the_sandbox_and_carries_its_controlling_token(client):
    response = client.get("/cluster/kubeconfig", HTTP_HOST="192.168.0.10:8000")
    config = _parse(response)
    record = ClusterRecord.objects.get(name="sandbox")
    assert response["Content-Disposition"] == 'attachment; filename="orchestra-sandbox.kubeconfig"'
    cluster = config["clusters"][0]["cluster"]
    assert cluster["server"] == f"https://192.168.0.10:6443/k8s/{record.public_id}"
    ca = x509.load_pem_x509_certificate(base64.b64decode(cluster["certificate-authority-data"]))
    assert ca.subject.rfc4514_string() == "CN=orchestra-lab-ca"
    assert config["users"][0]["user"]["token"] == record.api_token
    assert config["current-context"] == "orchestra-sandbox"
    assert config["contexts"][0]["context"]["namespace"] == "default"
    # The same browser session gets the same sandbox and token again.
    again = _parse(client.get("/cluster/kubeconfig", HTTP_HOST="192.168.0.10:8000"))
    assert again["users"][0]["user"]["token"] == record.api_token
    assert ClusterRecord.objects.count() == 1


def test_a_share_link_viewer_gets_the_read_only_token_and_a_stranger_nothing(client):
    client.get("/cluster/")
    record = ClusterRecord.objects.get(name="sandbox")
    from django.test import Client

    stranger = Client()
    assert stranger.get(f"/cluster/c/{record.public_id}/kubeconfig").status_code == 403
    response = stranger.get(f"/cluster/c/{record.public_id}/kubeconfig?share={record.share_token}")
    assert response["Content-Disposition"] == 'attachment; filename="orchestra-sandbox-readonly.kubeconfig"'
    shared = _parse(response)
    assert shared["users"][0]["user"]["token"] == record.share_token
    assert shared["current-context"] == "orchestra-sandbox-readonly"
    owner = _parse(client.get(f"/cluster/c/{record.public_id}/kubeconfig"))
    assert owner["users"][0]["user"]["token"] == record.api_token


def test_a_demo_clusters_controlling_token_is_the_instructors_alone(client):
    demo = ClusterRecord.objects.create(owner_key="user:999", name="demo", kind=ClusterRecord.Kind.DEMO)
    student = _parse(client.get(f"/cluster/c/{demo.public_id}/kubeconfig"))
    assert student["users"][0]["user"]["token"] == demo.share_token
    assert records.api_identity(demo.public_id, demo.api_token) == ("control", "instructor")
    assert records.api_identity(demo.public_id, demo.share_token) == ("view", "viewer")


def test_the_api_accepts_a_clusters_own_tokens_only():
    a = ClusterRecord.objects.create(owner_key="visitor:a", name="sandbox")
    b = ClusterRecord.objects.create(owner_key="visitor:b", name="sandbox")
    assert records.api_identity(a.public_id, a.api_token) == ("control", "student")
    assert records.api_identity(a.public_id, a.share_token) == ("view", "viewer")
    assert records.api_identity(a.public_id, b.api_token) is None
    assert records.api_identity(a.public_id, "") is None
    assert records.api_identity("no-such-cluster", a.api_token) is None
    assert a.api_token != b.api_token and len(a.api_token) >= 40

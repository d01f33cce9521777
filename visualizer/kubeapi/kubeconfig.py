"""A kubeconfig for one cluster: its API URL, the CA to trust, and a bearer token.

Shape of client-go's clientcmd v1 Config (client-go tools/clientcmd/api/v1/types.go). One cluster, one user,
one context named after the cluster, set as current, default namespace `default`.
"""

from __future__ import annotations

import base64

import yaml


def build(*, server: str, ca_pem: bytes, token: str, name: str, user: str) -> str:
    """Returns the kubeconfig YAML text.

    `server` is the cluster's API URL (`https://192.168.0.10:6443/k8s/<cluster>`), `ca_pem` the CA
    certificate in PEM, `token` the bearer token, `name` the cluster/context name, `user` the user entry name.
    """
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": name,
                "cluster": {
                    "server": server,
                    "certificate-authority-data": base64.b64encode(ca_pem).decode(),
                },
            }
        ],
        "users": [{"name": user, "user": {"token": token}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": user, "namespace": "default"}}],
        "current-context": name,
        "preferences": {},
    }
    return yaml.safe_dump(config, sort_keys=False)

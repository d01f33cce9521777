"""The `kube-proxy` DaemonSet that kubeadm installs in `kube-system` (one kube-proxy pod per node).

Modelled on kubeadm's manifest (kubernetes `cmd/kubeadm/app/phases/addons/proxy/manifests.go`): label
`k8s-app: kube-proxy`, image `registry.k8s.io/kube-proxy:<version>`, priority class `system-node-critical`,
`nodeSelector kubernetes.io/os: linux`, and a toleration `operator: Exists` so it runs on every node,
control plane included. Trimmed: the kube-proxy ConfigMap volume, the xtables lock and lib/modules host
paths and the privileged security context, which the simulator does not model. `hostNetwork: true` is kept:
each kube-proxy pod's IP is its node's IP, as `kubectl get pods -n kube-system -o wide` shows.
"""

from __future__ import annotations


def kube_proxy_daemonset(version: str) -> dict:
    """Returns the kube-proxy DaemonSet object for a cluster of this Kubernetes version (e.g. `v1.37.1`)."""
    labels = {"k8s-app": "kube-proxy"}
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {
            "name": "kube-proxy",
            "namespace": "kube-system",
            "labels": dict(labels),
            "generation": 1,
        },
        "spec": {
            "selector": {"matchLabels": dict(labels)},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {
                    "containers": [
                        {
                            "name": "kube-proxy",
                            "image": f"registry.k8s.io/kube-proxy:{version}",
                            "imagePullPolicy": "IfNotPresent",
                            "command": [
                                "/usr/local/bin/kube-proxy",
                                "--config=/var/lib/kube-proxy/config.conf",
                                "--hostname-override=$(NODE_NAME)",
                            ],
                            "env": [
                                {
                                    "name": "NODE_NAME",
                                    "valueFrom": {
                                        "fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}
                                    },
                                }
                            ],
                            "resources": {},
                            "terminationMessagePath": "/dev/termination-log",
                            "terminationMessagePolicy": "File",
                        }
                    ],
                    "dnsPolicy": "ClusterFirst",
                    "enableServiceLinks": True,
                    "hostNetwork": True,
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "priorityClassName": "system-node-critical",
                    "restartPolicy": "Always",
                    "schedulerName": "default-scheduler",
                    "serviceAccountName": "kube-proxy",
                    "terminationGracePeriodSeconds": 30,
                    "tolerations": [{"operator": "Exists"}],
                },
            },
            "updateStrategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1},
            },
            "revisionHistoryLimit": 10,
        },
    }

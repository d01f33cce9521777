"""The CoreDNS add-on that kubeadm installs in `kube-system`: ConfigMap `coredns`, Deployment `coredns` (2 replicas)
and the `kube-dns` Service at ClusterIP 10.96.0.10 that every pod's `/etc/resolv.conf` names.

Modelled on kubeadm's manifests (kubernetes `cmd/kubeadm/app/phases/addons/dns/manifests.go`): label
`k8s-app: kube-dns`, image `registry.k8s.io/coredns/coredns:v1.12.1` (kubeadm's CoreDNSVersion for v1.32–v1.34),
args `-conf /etc/coredns/Corefile`, ports dns 53/UDP, dns-tcp 53/TCP, metrics 9153/TCP, requests cpu 100m /
memory 70Mi, limit memory 170Mi, priority class `system-cluster-critical`, `dnsPolicy: Default`, tolerations for
`CriticalAddonsOnly` and the control-plane taint. The DNS Service IP is the tenth address of the service range
(kubeadm `GetDNSIP`: 10.96.0.10 for 10.96.0.0/12). Trimmed: the liveness/readiness probes (the simulated CoreDNS
is ready as soon as it runs), the preferred pod anti-affinity and the security context.
"""

from __future__ import annotations

DNS_IP = "10.96.0.10"
COREDNS_IMAGE = "registry.k8s.io/coredns/coredns:v1.12.1"
CLUSTER_DOMAIN = "cluster.local"

COREFILE = """.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
"""


def coredns_objects() -> list[dict]:
    """Returns [ConfigMap coredns, Deployment coredns, Service kube-dns], all in kube-system, in creation order."""
    labels = {"k8s-app": "kube-dns"}
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "coredns", "namespace": "kube-system"},
        "data": {"Corefile": COREFILE},
    }
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "coredns", "namespace": "kube-system", "labels": dict(labels)},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": dict(labels)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {
                    "priorityClassName": "system-cluster-critical",
                    "serviceAccountName": "coredns",
                    "tolerations": [
                        {"key": "CriticalAddonsOnly", "operator": "Exists"},
                        {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"},
                    ],
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "containers": [
                        {
                            "name": "coredns",
                            "image": COREDNS_IMAGE,
                            "imagePullPolicy": "IfNotPresent",
                            "resources": {
                                "limits": {"memory": "170Mi"},
                                "requests": {"cpu": "100m", "memory": "70Mi"},
                            },
                            "args": ["-conf", "/etc/coredns/Corefile"],
                            "volumeMounts": [
                                {"name": "config-volume", "mountPath": "/etc/coredns", "readOnly": True}
                            ],
                            "ports": [
                                {"containerPort": 53, "name": "dns", "protocol": "UDP"},
                                {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                                {"containerPort": 9153, "name": "metrics", "protocol": "TCP"},
                            ],
                        }
                    ],
                    "dnsPolicy": "Default",
                    "volumes": [
                        {
                            "name": "config-volume",
                            "configMap": {
                                "name": "coredns",
                                "items": [{"key": "Corefile", "path": "Corefile"}],
                            },
                        }
                    ],
                },
            },
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": "kube-dns",
            "namespace": "kube-system",
            "labels": {
                "k8s-app": "kube-dns",
                "kubernetes.io/cluster-service": "true",
                "kubernetes.io/name": "CoreDNS",
            },
            "annotations": {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"},
        },
        "spec": {
            "selector": dict(labels),
            "clusterIP": DNS_IP,
            "ports": [
                {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153},
            ],
        },
    }
    return [config_map, deployment, service]

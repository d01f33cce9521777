"""Cluster DNS details beyond the world cases: dnsPolicy, absolute names, pod A records, the snapshot's view."""

from .conftest import get, ok

SLEEPER = """
apiVersion: v1
kind: Pod
metadata: {{name: {name}}}
spec:
  dnsPolicy: {policy}
  containers:
  - {{name: c, image: "busybox:1.36", command: [sleep, "3600"]}}
"""


def test_dns_policy_default_uses_the_node_resolver_and_knows_no_cluster_names(cluster):
    """dnsPolicy Default: the node's resolv.conf (no search path), so `kubernetes.default` does not resolve."""
    ok(cluster, "kubectl apply -f -", SLEEPER.format(name="nodedns", policy="Default"))
    cluster.advance(30)
    assert ok(cluster, "kubectl exec nodedns -- cat /etc/resolv.conf").output == "nameserver 192.168.49.1"
    assert not cluster.run("kubectl exec nodedns -- nslookup kubernetes.default").ok


def test_absolute_names_and_pod_a_records(cluster):
    """`kubernetes.default.svc.cluster.local.` is absolute; `a-b-c-d.default.pod.cluster.local` answers a.b.c.d;
    a short unknown name reports its first search candidate."""
    ok(cluster, "kubectl apply -f -", SLEEPER.format(name="client", policy="ClusterFirst"))
    cluster.advance(30)
    out = ok(cluster, "kubectl exec client -- nslookup kubernetes.default.svc.cluster.local.").output
    assert out.endswith("Name:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1")
    ip = get(cluster, "pod client")[0]["status"]["podIP"]
    out = ok(
        cluster, f"kubectl exec client -- nslookup {ip.replace('.', '-')}.default.pod.cluster.local"
    ).output
    assert out.endswith(f"Address: {ip}")
    missing = cluster.run("kubectl exec client -- nslookup nosuch")
    assert "** server can't find nosuch.default.svc.cluster.local: NXDOMAIN" in missing.output


def test_the_snapshot_leaves_the_dns_add_on_out(cluster):
    """kube-system's CoreDNS Deployment, ReplicaSet, ConfigMap, kube-dns Service and pods are not the student's."""
    snap = cluster.snapshot()
    for section in ("pods", "deployments", "replicasets", "services", "configmaps"):
        assert not [k for k in snap[section] if k.startswith("kube-system/")], section
    assert "default/kubernetes" in snap["services"]


def test_service_enums_are_refused(cluster):
    """A Service port protocol outside SCTP/TCP/UDP and an unknown sessionAffinity get the API's words."""
    bad = cluster.run(
        "kubectl apply -f -",
        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  sessionAffinity: Sticky\n"
        "  ports: [{port: 80, protocol: HTTP}]\n",
    )
    assert bad.output == (
        'The Service "s" is invalid: \n'
        '* spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"\n'
        '* spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"'
    )

"""Cluster DNS as a pod sees it: the kubelet-written `/etc/resolv.conf`, `/etc/hosts` and `/etc/hostname`, and
the records CoreDNS serves for Services and pods.

Records (zone `cluster.local`) [D concepts/services-networking/dns-pod-service.md; S coredns plugin/kubernetes]:
- `<svc>.<ns>.svc.cluster.local`: the Service's ClusterIP; for a headless Service (`clusterIP: None`) the IPs
  of its ready endpoints;
- `<hostname>.<svc>.<ns>.svc.cluster.local`: one pod of a headless Service whose `spec.hostname` is set and
  whose `spec.subdomain` names the Service (the Endpoints address carries the hostname); a StatefulSet's pods get
  hostname = pod name and subdomain = `serviceName`, hence `web-0.nginx`;
- `<a-b-c-d>.<ns>.pod.cluster.local`: the pod IP a.b.c.d (`pods insecure` in kubeadm's Corefile).

Name resolution follows the resolver's rules for `/etc/resolv.conf` (resolv.conf(5)): a name ending in `.` is
absolute; a name with at least `ndots` (5) dots is tried as given first, then with each search suffix; a shorter
name is tried with each search suffix first, then as given. So `web-0.nginx` resolves as
`web-0.nginx.default.svc.cluster.local`, and that FQDN (5 dots) is not searched again.

dnsPolicy [D dns-pod-service.md §Pod's DNS Policy]: `ClusterFirst` (default) uses cluster DNS, except for a
`hostNetwork` pod, which gets its node's resolver as with `Default`; `ClusterFirstWithHostNet` uses cluster DNS;
`None` uses only `dnsConfig`. `dnsConfig` nameservers, searches and options are appended.
"""

from __future__ import annotations

from ..coredns_addon import CLUSTER_DOMAIN, DNS_IP

NODE_NAMESERVER = (
    "192.168.49.1"  # the node's own resolver (the docker network gateway of a kind/minikube node)
)
NDOTS = 5


def _uses_cluster_dns(spec: dict) -> bool:
    policy = spec.get("dnsPolicy", "ClusterFirst")
    if policy == "ClusterFirstWithHostNet":
        return True
    return policy == "ClusterFirst" and not spec.get("hostNetwork")


def resolver_config(pod: dict) -> tuple[list[str], list[str], list[str]]:
    """Returns (nameservers, search domains, options) of the pod's `/etc/resolv.conf`."""
    spec = pod["spec"]
    ns = pod["metadata"]["namespace"]
    policy = spec.get("dnsPolicy", "ClusterFirst")
    if _uses_cluster_dns(spec):
        servers = [DNS_IP]
        search = [f"{ns}.svc.{CLUSTER_DOMAIN}", f"svc.{CLUSTER_DOMAIN}", CLUSTER_DOMAIN]
        options = [f"ndots:{NDOTS}"]
    elif policy == "None":
        servers, search, options = [], [], []
    else:
        servers, search, options = [NODE_NAMESERVER], [], []
    extra = spec.get("dnsConfig") or {}
    servers += [s for s in extra.get("nameservers") or [] if s not in servers]
    search += [s for s in extra.get("searches") or [] if s not in search]
    for opt in extra.get("options") or []:
        text = opt.get("name", "") + (f":{opt['value']}" if opt.get("value") not in (None, "") else "")
        name = text.split(":", 1)[0]
        options = [o for o in options if o.split(":", 1)[0] != name] + [text]
    return servers, search, options


def resolv_conf(pod: dict) -> str:
    """Returns the text of the pod's `/etc/resolv.conf` as the kubelet writes it."""
    servers, search, options = resolver_config(pod)
    lines = []
    if search:
        lines.append("search " + " ".join(search))
    lines += [f"nameserver {s}" for s in servers]
    if options:
        lines.append("options " + " ".join(options))
    return "\n".join(lines) + "\n"


def hosts_file(pod: dict, ip: str) -> str:
    """Returns the kubelet-managed `/etc/hosts` (kubelet `kubelet_pods.go` managedHostsFileContent)."""
    spec, name = pod["spec"], pod["metadata"]["name"]
    hostname = spec.get("hostname") or name
    text = (
        "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
        "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n"
    )
    if spec.get("subdomain"):
        fqdn = f"{hostname}.{spec['subdomain']}.{pod['metadata']['namespace']}.svc.{CLUSTER_DOMAIN}"
        text += f"{ip}\t{fqdn}\t{hostname}\n"
    else:
        text += f"{ip}\t{hostname}\n"
    for alias in spec.get("hostAliases") or []:
        text += f"\n# Entries added by HostAliases.\n{alias.get('ip', '')}\t" + "\t".join(
            alias.get("hostnames") or []
        )
        text += "\n"
    return text


_FILES: dict[int, tuple] = {}  # id(pod) -> (pod, ip, files): stored pods are never mutated, so a pure cache


def pod_files(pod: dict, ip: str) -> dict[str, str]:
    """Returns {path: text} of the files the kubelet bind-mounts into every container of the pod."""
    hit = _FILES.get(id(pod))
    if hit is not None and hit[0] is pod and hit[1] == ip:
        return hit[2]
    files = {
        "/etc/resolv.conf": resolv_conf(pod),
        "/etc/hosts": hosts_file(pod, ip),
        "/etc/hostname": (pod["spec"].get("hostname") or pod["metadata"]["name"]) + "\n",
    }
    if len(_FILES) > 5000:
        _FILES.clear()
    _FILES[id(pod)] = (pod, ip, files)
    return files


def candidates(pod: dict, name: str) -> list[str]:
    """Returns the names the resolver asks for, in order, for `name` typed in the pod (resolv.conf(5))."""
    if name.endswith("."):
        return [name.rstrip(".")]
    _, search, options = resolver_config(pod)
    ndots = next((int(o.split(":")[1]) for o in options if o.startswith("ndots:") and o[6:].isdigit()), 1)
    searched = [f"{name}.{d}" for d in search]
    return [name] + searched if name.count(".") >= ndots else searched + [name]


def records(c, fqdn: str) -> list[str] | None:
    """Returns the A records CoreDNS answers for a fully qualified name, or None (NXDOMAIN)."""
    fqdn = fqdn.lower().rstrip(".")
    suffix = "." + CLUSTER_DOMAIN
    if not fqdn.endswith(suffix):
        return None
    parts = fqdn[: -len(suffix)].split(".")
    if len(parts) == 3 and parts[2] == "pod":
        ip = parts[0].replace("-", ".")
        return [ip] if ip.count(".") == 3 and all(p.isdigit() for p in ip.split(".")) else None
    if len(parts) not in (3, 4) or parts[-1] != "svc":
        return None
    ns, svc_name = parts[-2], parts[-3]
    svc = c.api.get("Service", ns, svc_name)
    if svc is None:
        return None
    headless = svc["spec"].get("clusterIP") == "None"
    if len(parts) == 3:
        if not headless:
            return [svc["spec"]["clusterIP"]] if svc["spec"].get("clusterIP") else None
        return [a["ip"] for a in c.kube_proxy.backends(ns, svc_name)] or None
    if not headless:
        return None
    ips = [a["ip"] for a in c.kube_proxy.backends(ns, svc_name) if a.get("hostname") == parts[0]]
    return ips or None


def resolve(c, pod: dict, name: str) -> tuple[str, list[str]] | None:
    """Returns (the name that answered, [IPs]) for a name typed in the pod, or None when no candidate resolves."""
    if DNS_IP not in resolver_config(pod)[0]:
        return None  # the node's resolver knows no cluster names
    for cand in candidates(pod, name):
        ips = records(c, cand)
        if ips:
            return cand, ips
    return None

"""`kubectl describe` for Endpoints and StorageClasses, and a PersistentVolume's `Source:` block.

Layouts from kubectl pkg/describe/describe.go (`EndpointsDescriber`, `StorageClassDescriber`,
`printHostPathVolumeSource`, `printNFSVolumeSource`, `printLocalVolumeSource`), checked against the real
kubectl v1.37 describing the simulator through its REST face (tests/kubeapi/test_reads_kubectl.py).
"""

from __future__ import annotations


def _format_labels(values: dict | None) -> str:
    """apimachinery labels.FormatLabels: `k=v,k2=v2` in key order, `<none>` when empty."""
    return ",".join(f"{k}={v}" for k, v in sorted((values or {}).items())) or "<none>"


def describe_endpoints(c, ep: dict, w) -> None:
    """EndpointsDescriber: per subset its ready and not-ready addresses and a `Name Port Protocol` table."""
    from .describe import _annotations, _events, _labels

    meta = ep["metadata"]
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    _labels(w, "Labels", meta.get("labels"))
    _annotations(w, "Annotations", meta.get("annotations"))
    w.write(0, "Subsets:\n")
    for subset in ep.get("subsets") or ():
        ready = ",".join(a.get("ip", "") for a in subset.get("addresses") or ()) or "<none>"
        not_ready = ",".join(a.get("ip", "") for a in subset.get("notReadyAddresses") or ()) or "<none>"
        w.write(1, f"Addresses:\t{ready}\n")
        w.write(1, f"NotReadyAddresses:\t{not_ready}\n")
        if subset.get("ports"):
            w.write(1, "Ports:\n")
            w.write(2, "Name\tPort\tProtocol\n")
            w.write(2, "----\t----\t--------\n")
            for port in subset["ports"]:
                w.write(
                    2, f"{port.get('name') or '<unset>'}\t{port.get('port')}\t{port.get('protocol', 'TCP')}\n"
                )
        w.write(0, "\n")
    _events(c, ep, w)


def describe_storageclass(c, sc: dict, w) -> None:
    """StorageClassDescriber: default-class flag, annotations and parameters as `k=v`, binding mode."""
    from .describe import _events

    meta = sc["metadata"]
    notes = meta.get("annotations") or {}
    default = "true" in (
        notes.get("storageclass.kubernetes.io/is-default-class"),
        notes.get("storageclass.beta.kubernetes.io/is-default-class"),
    )
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"IsDefaultClass:\t{'Yes' if default else 'No'}\n")
    w.write(0, f"Annotations:\t{_format_labels(notes)}\n")
    w.write(0, f"Provisioner:\t{sc.get('provisioner', '')}\n")
    w.write(0, f"Parameters:\t{_format_labels(sc.get('parameters'))}\n")
    expand = sc.get("allowVolumeExpansion")
    w.write(0, f"AllowVolumeExpansion:\t{'<unset>' if expand is None else str(bool(expand))}\n")
    if not sc.get("mountOptions"):
        w.write(0, "MountOptions:\t<none>\n")
    else:
        w.write(0, "MountOptions:\n")
        for option in sc["mountOptions"]:
            w.write(1, f"{option}\n")
    if sc.get("reclaimPolicy"):
        w.write(0, f"ReclaimPolicy:\t{sc['reclaimPolicy']}\n")
    if sc.get("volumeBindingMode"):
        w.write(0, f"VolumeBindingMode:\t{sc['volumeBindingMode']}\n")
    _events(c, sc, w)


def pv_source(spec: dict, w) -> None:
    """describePersistentVolume's `Source:` block for the volume sources the simulator provisions."""
    w.write(0, "Source:\n")
    if "hostPath" in spec:
        hp = spec["hostPath"] or {}
        kind = hp.get("type")
        w.write(2, "Type:\tHostPath (bare host directory volume)\n")
        w.write(2, f"Path:\t{hp.get('path', '')}\n")
        w.write(2, f"HostPathType:\t{'<none>' if kind is None else kind}\n")
    elif "nfs" in spec:
        nfs = spec["nfs"] or {}
        w.write(2, "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n")
        w.write(2, f"Server:\t{nfs.get('server', '')}\n")
        w.write(2, f"Path:\t{nfs.get('path', '')}\n")
        w.write(2, f"ReadOnly:\t{str(bool(nfs.get('readOnly'))).lower()}\n")
    elif "local" in spec:
        w.write(2, "Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n")
        w.write(2, f"Path:\t{(spec['local'] or {}).get('path', '')}\n")


def namespace_policies(c, namespace: str, w) -> None:
    """describeNamespace's tail: `DescribeResourceQuotas` and `DescribeLimitRanges` of the namespace, each
    after a blank line (`No resource quota.` / `No LimitRange resource.` when there is none)."""
    from ..object_quota import with_object_quotas  # simulator-limits reads as one of the namespace's quotas

    stored = c.store.list("ResourceQuota", namespace)
    quotas = sorted(
        with_object_quotas(c, "ResourceQuota", namespace, stored), key=lambda q: q["metadata"]["name"]
    )
    w.write(0, "\n")
    if not quotas:
        w.write(0, "No resource quota.\n")
    else:
        w.write(0, "Resource Quotas\n")
        for q in quotas:
            st = q.get("status") or {}
            w.write(1, f"Name:\t{q['metadata']['name']}\n")
            scopes = sorted((q.get("spec") or {}).get("scopes") or [])
            if scopes:
                w.write(1, f"Scopes:\t{', '.join(scopes)}\n")
            w.write(1, "Resource\tUsed\tHard\n")
            w.write(1, "--------\t---\t---\n")
            hard, used = st.get("hard") or {}, st.get("used") or {}
            for name in sorted(hard):
                w.write(1, f"{name}\t{used.get(name, '0')}\t{hard[name]}\n")
    ranges = sorted(c.store.list("LimitRange", namespace), key=lambda r: r["metadata"]["name"])
    w.write(0, "\n")
    if not ranges:
        w.write(0, "No LimitRange resource.\n")
        return
    w.write(
        0,
        "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n",
    )
    w.write(0, " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n")
    fields = ("min", "max", "defaultRequest", "default", "maxLimitRequestRatio")
    for lr in ranges:
        for item in (lr.get("spec") or {}).get("limits") or ():
            names = sorted(set().union(*(item.get(f) or {} for f in fields)))
            for r in names:
                cells = [str((item.get(f) or {}).get(r, "-")) for f in fields]
                w.write(0, f" {item.get('type', '')}\t{r}\t" + "\t".join(cells) + "\n")

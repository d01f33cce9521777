"""`kubectl get` rows for Ingress, IngressClass, ResourceQuota and LimitRange.

Columns and cells as kubernetes pkg/printers/internalversion/printers.go prints them: ingresses
`NAME CLASS HOSTS ADDRESS PORTS AGE` (CLASS `<none>` without ingressClassName, HOSTS `*` without hosts and
`+ N more...` after three, ADDRESS empty until a controller fills status, PORTS `80` or `80, 443` with TLS);
ingressclasses `NAME CONTROLLER PARAMETERS AGE`; resourcequotas `NAME REQUEST LIMIT AGE` with `name: used/hard`
cells (limits.* in LIMIT); limitranges have no printer, so the API server's default table `NAME CREATED AT`.
"""

from __future__ import annotations

from .printers import age


def _hosts(ing: dict) -> str:
    hosts = [r["host"] for r in (ing.get("spec") or {}).get("rules") or () if r.get("host")]
    if not hosts:
        return "*"
    text = ",".join(hosts[:3])
    if len(hosts) > 3:
        text += f" + {len(hosts) - 3} more..."
    return text


def _address(ing: dict) -> str:
    lb = ((ing.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    return ",".join(i.get("ip") or i.get("hostname") or "" for i in lb)


def quota_columns(quota: dict) -> tuple[str, str]:
    """Returns the REQUEST and LIMIT cells: `pods: 1/10, requests.cpu: 500m/1` and `limits.cpu: 800m/2`."""
    st = quota.get("status") or {}
    hard, used = st.get("hard") or {}, st.get("used") or {}
    request, limit = [], []
    for r in sorted(hard):
        cell = f"{r}: {used.get(r, '0')}/{hard[r]}"
        (limit if r.split(".")[0] == "limits" and "." in r else request).append(cell)
    return ", ".join(request), ", ".join(limit)


def policy_rows(kind: str, objs: list[dict], now: float, wide: bool) -> tuple[list[str], list[list[str]]]:
    """Returns (headers, rows) for one of the policy kinds."""
    rows = []
    if kind == "Ingress":
        headers = ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"]
        for o in objs:
            spec = o.get("spec") or {}
            rows.append(
                [
                    o["metadata"]["name"],
                    spec.get("ingressClassName") or "<none>",
                    _hosts(o),
                    _address(o),
                    "80, 443" if spec.get("tls") else "80",
                    age(o, now),
                ]
            )
    elif kind == "IngressClass":
        headers = ["NAME", "CONTROLLER", "PARAMETERS", "AGE"]
        for o in objs:
            spec = o.get("spec") or {}
            p = spec.get("parameters")
            params = "<none>"
            if p:
                group = f"{p['apiGroup']}/" if p.get("apiGroup") else ""
                params = f"{group}{p.get('kind')}/{p.get('name')}"
            rows.append([o["metadata"]["name"], spec.get("controller", ""), params, age(o, now)])
    elif kind == "ResourceQuota":
        headers = ["NAME", "REQUEST", "LIMIT", "AGE"]
        for o in objs:
            request, limit = quota_columns(o)
            rows.append([o["metadata"]["name"], request, limit, age(o, now)])
    else:  # LimitRange
        headers = ["NAME", "CREATED AT"]
        rows = [[o["metadata"]["name"], o["metadata"].get("creationTimestamp", "")] for o in objs]
    return headers, rows


def describe_policy(c, obj: dict) -> str:
    """Returns `kubectl describe` of a LimitRange or IngressClass in kubectl's layout
    [S kubectl pkg/describe/describe.go describeLimitRange, describeIngressClass]; ResourceQuota and Ingress are
    described by describe.py (checked byte for byte against kubectl). Raises ValueError for other kinds."""
    from .printers import table

    meta = obj["metadata"]
    kind = obj["kind"]
    head = [f"Name:{' ' * 12}{meta['name']}"]
    if meta.get("namespace"):
        head.append(f"Namespace:{' ' * 7}{meta['namespace']}")
    if kind == "LimitRange":
        rows = []
        for item in (obj.get("spec") or {}).get("limits") or ():
            names = sorted(
                set().union(
                    *(
                        item.get(f) or {}
                        for f in ("min", "max", "default", "defaultRequest", "maxLimitRequestRatio")
                    )
                )
            )
            for r in names:
                rows.append(
                    [item.get("type", "")]
                    + [r]
                    + [
                        str((item.get(f) or {}).get(r, "-"))
                        for f in ("min", "max", "defaultRequest", "default", "maxLimitRequestRatio")
                    ]
                )
        headers = [
            "Type",
            "Resource",
            "Min",
            "Max",
            "Default Request",
            "Default Limit",
            "Max Limit/Request Ratio",
        ]
        dashes = [["-" * len(h) for h in headers]]
        return "\n".join(head) + "\n" + table(headers, dashes + rows)
    if kind == "IngressClass":
        lines = [
            f"Name:{' ' * 9}{meta['name']}",
            f"Labels:{' ' * 7}"
            + ("\n" + " " * 14).join(f"{k}={v}" for k, v in sorted((meta.get("labels") or {}).items()))
            or "<none>",
            f"Controller:{' ' * 3}{(obj.get('spec') or {}).get('controller', '')}",
        ]
        return "\n".join(lines)
    raise ValueError(f"describe_policy: {kind} is described by describe.py")

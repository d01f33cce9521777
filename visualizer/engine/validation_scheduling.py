"""Schemas (strict decoding) and validation for scheduling and policy: pod affinity and tolerations, Ingress,
IngressClass, ResourceQuota and LimitRange.

Registered by `validation.py` (`_SCHEMAS`, `_VALIDATORS`, the pod spec's `affinity` schema and one call from
its pod-spec check). Causes use the API server's field paths and words. Sources: kubernetes
pkg/apis/core/validation/validation.go (`ValidateNodeSelectorRequirement`, `validateNodeSelectorTerm`,
`validatePodAffinityTerm`, `ValidateTolerations`, `ValidateResourceQuota`, `ValidateLimitRange`),
pkg/apis/networking/validation/validation.go (`validateIngressBackend`, `validateHTTPIngressPath`).
"""

from __future__ import annotations

import ipaddress
import json
import re

from .admission import default_limit_range_item, format_amount, parse_amount, standard_resource
from .objects import parse_cpu

_ANY = None
_NODE_REQ = {"key": "str", "operator": "str", "values": "strlist"}
_NODE_TERM = {"matchExpressions": [_NODE_REQ], "matchFields": [_NODE_REQ]}
_LABEL_SELECTOR = {
    "matchLabels": "strmap",
    "matchExpressions": [{"key": "str", "operator": "str", "values": "strlist"}],
}
_POD_TERM = {
    "labelSelector": _LABEL_SELECTOR,
    "namespaces": "strlist",
    "topologyKey": "str",
    "namespaceSelector": _LABEL_SELECTOR,
    "matchLabelKeys": "strlist",
    "mismatchLabelKeys": "strlist",
}
_POD_AFFINITY = {
    "requiredDuringSchedulingIgnoredDuringExecution": [_POD_TERM],
    "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": "int", "podAffinityTerm": _POD_TERM}],
}
AFFINITY = {
    "nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [_NODE_TERM]},
        "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": "int", "preference": _NODE_TERM}],
    },
    "podAffinity": _POD_AFFINITY,
    "podAntiAffinity": _POD_AFFINITY,
}
_BACKEND = {
    "service": {"name": "str", "port": {"number": "int", "name": "str"}},
    "resource": {"apiGroup": "str", "kind": "str", "name": "str"},
}
SCHEMAS = {
    "Ingress": {
        "spec": {
            "ingressClassName": "str",
            "defaultBackend": _BACKEND,
            "tls": [{"hosts": "strlist", "secretName": "str"}],
            "rules": [
                {
                    "host": "str",
                    "http": {"paths": [{"path": "str", "pathType": "str", "backend": _BACKEND}]},
                }
            ],
        },
        "status": _ANY,
    },
    "IngressClass": {
        "spec": {
            "controller": "str",
            "parameters": {
                "apiGroup": "str",
                "kind": "str",
                "name": "str",
                "namespace": "str",
                "scope": "str",
            },
        }
    },
    "ResourceQuota": {"spec": {"hard": "qtymap", "scopes": "strlist", "scopeSelector": _ANY}, "status": _ANY},
    "LimitRange": {
        "spec": {
            "limits": [
                {
                    "type": "str",
                    "max": "qtymap",
                    "min": "qtymap",
                    "default": "qtymap",
                    "defaultRequest": "qtymap",
                    "maxLimitRequestRatio": "qtymap",
                }
            ]
        }
    },
}


def _json(v) -> str:
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


# ---------------------------------------------------------------------------------------------- pod spec
def _node_requirement(req, path: str, errs: list, field: bool = False) -> None:
    if not isinstance(req, dict):
        errs.append(f"{path}: Invalid value: {_json(req)}: must be an object")
        return
    op, values = req.get("operator"), req.get("values") or []
    if field:
        if op in ("In", "NotIn"):
            if len(values) != 1:
                errs.append(
                    f"{path}.values: Required value: must be only one value when `operator` is 'In' or 'NotIn' "
                    "for node field selector"
                )
        else:
            errs.append(f"{path}.operator: Invalid value: {_json(op)}: not a valid selector operator")
        if req.get("key") != "metadata.name":
            errs.append(f"{path}.key: Invalid value: {_json(req.get('key'))}: not a valid field selector key")
        return
    if op in ("In", "NotIn"):
        if not values:
            errs.append(
                f"{path}.values: Required value: must be specified when `operator` is 'In' or 'NotIn'"
            )
    elif op in ("Exists", "DoesNotExist"):
        if values:
            errs.append(
                f"{path}.values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
            )
    elif op in ("Gt", "Lt"):
        if len(values) != 1:
            errs.append(
                f"{path}.values: Required value: must be specified single value when `operator` is 'Lt' or 'Gt'"
            )
        elif not re.fullmatch(r"-?[0-9]+", values[0]):
            errs.append(f"{path}.values[0]: Invalid value: {_json(values[0])}: must be an integer")
    else:
        errs.append(f"{path}.operator: Invalid value: {_json(op)}: not a valid selector operator")
    if not req.get("key"):
        errs.append(f'{path}.key: Invalid value: "": name part must be non-empty')


def _node_term(term, path: str, errs: list) -> None:
    if not isinstance(term, dict):
        errs.append(f"{path}: Invalid value: {_json(term)}: must be an object")
        return
    for i, req in enumerate(term.get("matchExpressions") or ()):
        _node_requirement(req, f"{path}.matchExpressions[{i}]", errs)
    for i, req in enumerate(term.get("matchFields") or ()):
        _node_requirement(req, f"{path}.matchFields[{i}]", errs, field=True)


def _weight(pref, path: str, errs: list) -> None:
    w = pref.get("weight") if isinstance(pref, dict) else None
    if not (isinstance(w, int) and not isinstance(w, bool) and 1 <= w <= 100):
        errs.append(f"{path}.weight: Invalid value: {_json(w)}: must be in the range 1-100")


def _label_selector(sel, path: str, errs: list) -> None:
    if not isinstance(sel, dict):
        return
    for i, e in enumerate(sel.get("matchExpressions") or ()):
        op = e.get("operator") if isinstance(e, dict) else None
        values = (e.get("values") or []) if isinstance(e, dict) else []
        ep = f"{path}.matchExpressions[{i}]"
        if op in ("In", "NotIn"):
            if not values:
                errs.append(
                    f"{ep}.values: Required value: must be specified when `operator` is 'In' or 'NotIn'"
                )
        elif op in ("Exists", "DoesNotExist"):
            if values:
                errs.append(
                    f"{ep}.values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
                )
        else:
            errs.append(f"{ep}.operator: Invalid value: {_json(op)}: not a valid selector operator")


def _pod_term(term, path: str, errs: list) -> None:
    if not isinstance(term, dict):
        errs.append(f"{path}: Invalid value: {_json(term)}: must be an object")
        return
    if not term.get("topologyKey"):
        errs.append(f"{path}.topologyKey: Required value: can not be empty")
    _label_selector(term.get("labelSelector"), f"{path}.labelSelector", errs)
    _label_selector(term.get("namespaceSelector"), f"{path}.namespaceSelector", errs)
    for key in ("matchLabelKeys", "mismatchLabelKeys"):
        if term.get(key):
            errs.append(f"{path}.{key}: Forbidden: {key} is not modelled by this simulator")


def validate_pod_scheduling(spec: dict, path: str, errs: list) -> None:
    """Appends the causes for `spec.affinity` and `spec.tolerations` of a pod spec at `path`."""
    affinity = spec.get("affinity")
    if isinstance(affinity, dict):
        ap = f"{path}.affinity"
        node = affinity.get("nodeAffinity") or {}
        req = node.get("requiredDuringSchedulingIgnoredDuringExecution")
        if isinstance(req, dict):
            terms = req.get("nodeSelectorTerms")
            rp = f"{ap}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
            if not terms:
                errs.append(f"{rp}: Required value: must have at least one node selector term")
            for i, term in enumerate(terms or ()):
                _node_term(term, f"{rp}[{i}]", errs)
        for i, pref in enumerate(node.get("preferredDuringSchedulingIgnoredDuringExecution") or ()):
            pp = f"{ap}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[{i}]"
            _weight(pref, pp, errs)
            if isinstance(pref, dict):
                _node_term(pref.get("preference") or {}, f"{pp}.preference", errs)
        for kind in ("podAffinity", "podAntiAffinity"):
            block = affinity.get(kind) or {}
            for i, term in enumerate(block.get("requiredDuringSchedulingIgnoredDuringExecution") or ()):
                _pod_term(term, f"{ap}.{kind}.requiredDuringSchedulingIgnoredDuringExecution[{i}]", errs)
            for i, pref in enumerate(block.get("preferredDuringSchedulingIgnoredDuringExecution") or ()):
                pp = f"{ap}.{kind}.preferredDuringSchedulingIgnoredDuringExecution[{i}]"
                _weight(pref, pp, errs)
                if isinstance(pref, dict):
                    _pod_term(pref.get("podAffinityTerm") or {}, f"{pp}.podAffinityTerm", errs)
    for i, t in enumerate(spec.get("tolerations") or ()):
        if not isinstance(t, dict):
            continue
        tp = f"{path}.tolerations[{i}]"
        op = t.get("operator", "Equal")
        if op not in ("Equal", "Exists"):
            errs.append(f'{tp}.operator: Unsupported value: {_json(op)}: supported values: "Equal", "Exists"')
        elif not t.get("key") and op != "Exists":
            errs.append(
                f"{tp}.operator: Invalid value: {_json(op)}: operator must be Exists when `key` is empty, which "
                'means "match all values and all keys"'
            )
        elif op == "Exists" and t.get("value"):
            errs.append(
                f"{tp}.operator: Invalid value: {_json(t['value'])}: value must be empty when `operator` is 'Exists'"
            )
        effect = t.get("effect", "")
        if effect and effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            errs.append(
                f'{tp}.effect: Unsupported value: {_json(effect)}: supported values: "NoSchedule", '
                '"PreferNoSchedule", "NoExecute"'
            )
        elif t.get("tolerationSeconds") is not None and effect != "NoExecute":
            errs.append(
                f"{tp}.effect: Invalid value: {_json(effect)}: effect must be 'NoExecute' when `tolerationSeconds` "
                "is set"
            )


# ---------------------------------------------------------------------------------------------- Ingress
_DNS1123_SUB = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _backend(backend, path: str, errs: list) -> None:
    if not isinstance(backend, dict):
        errs.append(f'{path}: Invalid value: "": resource or service backend is required')
        return
    service, resource = backend.get("service"), backend.get("resource")
    if service and resource:
        errs.append(f'{path}: Invalid value: "": cannot set both resource and service backends')
    elif resource:
        for f in ("kind", "name"):
            if not resource.get(f):
                errs.append(f"{path}.resource.{f}: Required value")
    elif isinstance(service, dict):
        if not service.get("name"):
            errs.append(f"{path}.service.name: Required value")
        port = service.get("port") or {}
        if port.get("name") and port.get("number"):
            errs.append(f'{path}: Invalid value: "": cannot set both port name & port number')
        elif port.get("number") is not None:
            n = port["number"]
            if not (isinstance(n, int) and 1 <= n <= 65535):
                errs.append(
                    f"{path}.service.port.number: Invalid value: {_json(n)}: must be between 1 and 65535, inclusive"
                )
        elif not port.get("name"):
            errs.append(f"{path}: Required value: port name or number is required")
    else:
        errs.append(f'{path}: Invalid value: "": resource or service backend is required')


def _validate_ingress(obj: dict, errs: list) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict) or (not spec.get("rules") and not spec.get("defaultBackend")):
        rules = spec.get("rules") if isinstance(spec, dict) else None
        errs.append(
            f"spec: Invalid value: {_json(rules)}: either `defaultBackend` or `rules` must be specified"
        )
        return
    if spec.get("defaultBackend") is not None:
        _backend(spec["defaultBackend"], "spec.defaultBackend", errs)
    for i, rule in enumerate(spec.get("rules") or ()):
        rp = f"spec.rules[{i}]"
        if not isinstance(rule, dict):
            continue
        host = rule.get("host")
        if host:
            try:
                ipaddress.ip_address(host)
                errs.append(f"{rp}.host: Invalid value: {_json(host)}: must be a DNS name, not an IP address")
            except ValueError:
                bare = host[2:] if host.startswith("*.") else host
                if not _DNS1123_SUB.match(bare) or len(host) > 253:
                    errs.append(
                        f"{rp}.host: Invalid value: {_json(host)}: a lowercase RFC 1123 subdomain must consist of "
                        "lower case alphanumeric characters, '-' or '.', and must start and end with an "
                        "alphanumeric character (e.g. 'example.com', regex used for validation is "
                        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
                    )
        http = rule.get("http")
        if http is None:
            continue
        paths = (http or {}).get("paths")
        if not paths:
            errs.append(f"{rp}.http.paths: Required value")
            continue
        for j, p in enumerate(paths):
            pp = f"{rp}.http.paths[{j}]"
            if not isinstance(p, dict):
                continue
            ptype = p.get("pathType")
            if ptype is None:
                errs.append(f"{pp}.pathType: Required value: pathType must be specified")
            elif ptype not in ("Exact", "Prefix", "ImplementationSpecific"):
                errs.append(
                    f'{pp}.pathType: Unsupported value: {_json(ptype)}: supported values: "Exact", '
                    '"ImplementationSpecific", "Prefix"'
                )
            path = p.get("path", "")
            needs_slash = ptype in ("Exact", "Prefix") or (ptype == "ImplementationSpecific" and path)
            if needs_slash and not path.startswith("/"):
                errs.append(f"{pp}.path: Invalid value: {_json(path)}: must be an absolute path")
            _backend(p.get("backend"), f"{pp}.backend", errs)


def _validate_ingress_class(obj: dict, errs: list) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict) or not spec.get("controller"):
        errs.append("spec.controller: Required value")


# ---------------------------------------------------------------------------------------------- policy kinds
def _validate_quota(obj: dict, errs: list) -> None:
    spec = obj.get("spec") or {}
    if spec.get("scopes") or spec.get("scopeSelector"):
        errs.append("spec.scopes: Forbidden: quota scopes are not modelled by this simulator")
    for r, v in sorted((spec.get("hard") or {}).items()):
        if not standard_resource(r):
            errs.append(f"spec.hard[{r}]: Invalid value: {_json(r)}: must be a standard resource for quota")
            continue
        try:
            n = parse_amount(r, v)
        except (ValueError, TypeError):
            if str(v).startswith("-") and _parses(r, str(v)[1:]):
                errs.append(
                    f"spec.hard[{r}]: Invalid value: {_json(str(v))}: must be greater than or equal to 0"
                )
                continue
            errs.append(
                f"spec.hard[{r}]: Invalid value: {_json(str(v))}: quantities must match the regular expression "
                "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
            )
            continue
        if n < 0:
            errs.append(f"spec.hard[{r}]: Invalid value: {_json(str(v))}: must be greater than or equal to 0")


def _parses(resource: str, text: str) -> bool:
    try:
        parse_amount(resource, text)
    except (ValueError, TypeError):
        return False
    return True


def _validate_limit_range(obj: dict, errs: list) -> None:
    """Defaults the items (validate runs right after defaulting, and LimitRangeItem defaults depend on the
    item type) and then checks them."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        errs.append("spec.limits: Required value")
        return
    for i, item in enumerate(spec.get("limits") or ()):
        ip = f"spec.limits[{i}]"
        if not isinstance(item, dict):
            continue
        ltype = item.get("type")
        if ltype not in ("Container", "Pod", "PersistentVolumeClaim"):
            errs.append(
                f'{ip}.type: Unsupported value: {_json(ltype)}: supported values: "Container", "Pod", '
                '"PersistentVolumeClaim"'
            )
            continue
        if ltype == "Pod" and (item.get("default") or item.get("defaultRequest")):
            errs.append(f"{ip}.default: Forbidden: may not be specified when `type` is 'Pod'")
            continue
        try:
            default_limit_range_item(item)
            values = {
                f: {r: parse_amount(r, q) for r, q in (item.get(f) or {}).items()}
                for f in ("min", "max", "default", "defaultRequest")
            }
            ratios = {r: parse_cpu(q) for r, q in (item.get("maxLimitRequestRatio") or {}).items()}
        except (ValueError, TypeError):
            errs.append(
                f"{ip}: Invalid value: a quantity: quantities must match the regular expression "
                "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
            )
            continue

        def show(r, f, item=item, values=values):
            return format_amount(r, values[f][r], str(item[f][r]))

        for r, milli in sorted(ratios.items()):
            if milli < 1000:
                shown = format_amount("cpu", milli)
                errs.append(
                    f"{ip}.maxLimitRequestRatio[{r}]: Invalid value: {_json(shown)}: ratio {shown} is less than 1"
                )
        mn, mx, df, dr = values["min"], values["max"], values["default"], values["defaultRequest"]
        for r in sorted(set(mn) | set(mx) | set(df) | set(dr)):
            if r in mn and r in mx and mn[r] > mx[r]:
                errs.append(
                    f"{ip}.min[{r}]: Invalid value: {_json(show(r, 'min'))}: min value {show(r, 'min')} is greater "
                    f"than max value {show(r, 'max')}"
                )
            if r in dr and r in mn and mn[r] > dr[r]:
                errs.append(
                    f"{ip}.defaultRequest[{r}]: Invalid value: {_json(show(r, 'defaultRequest'))}: min value "
                    f"{show(r, 'min')} is greater than default request value {show(r, 'defaultRequest')}"
                )
            if r in dr and r in mx and dr[r] > mx[r]:
                errs.append(
                    f"{ip}.defaultRequest[{r}]: Invalid value: {_json(show(r, 'defaultRequest'))}: default request "
                    f"value {show(r, 'defaultRequest')} is greater than max value {show(r, 'max')}"
                )
            if r in dr and r in df and dr[r] > df[r]:
                errs.append(
                    f"{ip}.defaultRequest[{r}]: Invalid value: {_json(show(r, 'defaultRequest'))}: default request "
                    f"value {show(r, 'defaultRequest')} is greater than default limit value {show(r, 'default')}"
                )
            if r in df and r in mn and mn[r] > df[r]:
                errs.append(
                    f"{ip}.default[{r}]: Invalid value: {_json(show(r, 'min'))}: min value {show(r, 'min')} is "
                    f"greater than default value {show(r, 'default')}"
                )
            if r in df and r in mx and df[r] > mx[r]:
                errs.append(
                    f"{ip}.default[{r}]: Invalid value: {_json(show(r, 'max'))}: default value {show(r, 'default')} "
                    f"is greater than max value {show(r, 'max')}"
                )


VALIDATORS = {
    "Ingress": _validate_ingress,
    "IngressClass": _validate_ingress_class,
    "ResourceQuota": _validate_quota,
    "LimitRange": _validate_limit_range,
}

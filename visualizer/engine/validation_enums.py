"""Enumerated fields of the pod spec and the Service spec: a value outside the set is refused with the API
server's `Unsupported value` error, never accepted and ignored.

Each set and its order are those of kubernetes `pkg/apis/core/validation/validation.go`: most are listed with
`sets.List` (sorted), a few in a fixed order (`restartPolicy`, `terminationMessagePolicy`). An empty string is
left alone: the API server's defaulting fills it first (`SetDefaults_Container`, `SetDefaults_PodSpec`).
"""

from __future__ import annotations

import json

PULL_POLICIES = ("Always", "IfNotPresent", "Never")
PROTOCOLS = ("SCTP", "TCP", "UDP")
TERMINATION_MESSAGE_POLICIES = ("File", "FallbackToLogsOnError")
DNS_POLICIES = ("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None")
PREEMPTION_POLICIES = ("Never", "PreemptLowerPriority")
HTTP_SCHEMES = ("HTTP", "HTTPS")
SESSION_AFFINITIES = ("ClientIP", "None")
TRAFFIC_POLICIES = ("Cluster", "Local")
CONTAINER_RESTART_POLICIES = ("Always",)  # an init container's restartPolicy (a sidecar) may only be Always


def _check(value, allowed: tuple, at: str, errs: list[str]) -> None:
    if value in (None, ""):
        return
    if value not in allowed:
        sup = ", ".join(json.dumps(a) for a in allowed)
        errs.append(f"{at}: Unsupported value: {json.dumps(value)}: supported values: {sup}")


def _container(ctr, at: str, errs: list[str]) -> None:
    if not isinstance(ctr, dict):
        return
    _check(ctr.get("imagePullPolicy"), PULL_POLICIES, f"{at}.imagePullPolicy", errs)
    _check(
        ctr.get("terminationMessagePolicy"),
        TERMINATION_MESSAGE_POLICIES,
        f"{at}.terminationMessagePolicy",
        errs,
    )
    for j, port in enumerate(ctr.get("ports") or []):
        if isinstance(port, dict):
            _check(port.get("protocol"), PROTOCOLS, f"{at}.ports[{j}].protocol", errs)
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        get = (ctr.get(probe) or {}).get("httpGet") if isinstance(ctr.get(probe), dict) else None
        if isinstance(get, dict):
            _check(get.get("scheme"), HTTP_SCHEMES, f"{at}.{probe}.httpGet.scheme", errs)


def validate_pod_enums(spec: dict, path: str, errs: list[str]) -> None:
    """Appends `Unsupported value` errors for the pod spec at `path` (`spec`, `spec.template.spec`, …):
    containers' and init containers' imagePullPolicy, terminationMessagePolicy, ports[].protocol,
    probes' httpGet.scheme, an init container's restartPolicy, and the pod's dnsPolicy and preemptionPolicy."""
    for field in ("containers", "initContainers"):
        ctrs = spec.get(field)
        for i, ctr in enumerate(ctrs if isinstance(ctrs, list) else []):
            _container(ctr, f"{path}.{field}[{i}]", errs)
            if field == "initContainers" and isinstance(ctr, dict):
                _check(
                    ctr.get("restartPolicy"),
                    CONTAINER_RESTART_POLICIES,
                    f"{path}.{field}[{i}].restartPolicy",
                    errs,
                )
    _check(spec.get("dnsPolicy"), DNS_POLICIES, f"{path}.dnsPolicy", errs)
    _check(spec.get("preemptionPolicy"), PREEMPTION_POLICIES, f"{path}.preemptionPolicy", errs)


def validate_service_enums(spec: dict, errs: list[str]) -> None:
    """Appends `Unsupported value` errors for a Service spec: ports[].protocol, sessionAffinity,
    externalTrafficPolicy and internalTrafficPolicy."""
    for i, port in enumerate(spec.get("ports") if isinstance(spec.get("ports"), list) else []):
        if isinstance(port, dict):
            _check(port.get("protocol"), PROTOCOLS, f"spec.ports[{i}].protocol", errs)
    _check(spec.get("sessionAffinity"), SESSION_AFFINITIES, "spec.sessionAffinity", errs)
    _check(spec.get("externalTrafficPolicy"), TRAFFIC_POLICIES, "spec.externalTrafficPolicy", errs)
    _check(spec.get("internalTrafficPolicy"), TRAFFIC_POLICIES, "spec.internalTrafficPolicy", errs)

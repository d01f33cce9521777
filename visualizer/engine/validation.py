"""Admission: defaulting (mutating admission) and validation, the API server's checks before etcd.

`schema_of` gives each kind's fields for decoding (`decoding.py`: wrong types, unknown fields);
`apply_defaults` fills the documented defaults (replicas 1, RollingUpdate 25 %/25 %, probe periods, ...);
`validate` returns kubectl-style causes (`spec.replicas: Invalid value: -1: must be greater than or equal
to 0`). Fields real Kubernetes accepts but the simulator does not model are accepted and ignored.
"""

from __future__ import annotations

import base64
import json
import re

from . import validation_enums, validation_scheduling
from .objects import (
    ACCEPTED_VERSIONS,
    clone,
    is_dns1035,
    is_label,
    is_subdomain,
    matches,
    parse_bytes,
    selector_requirements,
)
from .quantity import resource_requirements_errors

_ANY = None  # marks a field whose content is not checked further
# Leaf markers: "str", "int" (no bools), "bool", "intstr", "strlist", "strmap", "qtymap" (quantities), "scalarmap".
_META = {
    "name": "str",
    "generateName": "str",
    "namespace": "str",
    "labels": "strmap",
    "annotations": "strmap",
    "uid": _ANY,
    "resourceVersion": _ANY,
    "generation": _ANY,
    "creationTimestamp": _ANY,
    "deletionTimestamp": _ANY,
    "deletionGracePeriodSeconds": _ANY,
    "ownerReferences": _ANY,
    "finalizers": _ANY,
    "managedFields": _ANY,
    "selfLink": _ANY,
}
_PROBE = {
    "httpGet": {"path": "str", "port": "intstr", "scheme": "str", "host": "str", "httpHeaders": _ANY},
    "tcpSocket": {"port": "intstr", "host": "str"},
    "exec": {"command": "strlist"},
    "grpc": _ANY,
    "initialDelaySeconds": "int",
    "periodSeconds": "int",
    "timeoutSeconds": "int",
    "successThreshold": "int",
    "failureThreshold": "int",
    "terminationGracePeriodSeconds": "int",
}
_REF = {"name": "str", "key": "str", "optional": "bool"}
# core/v1 LifecycleHandler, SecurityContext, PodSecurityContext, EmptyDirVolumeSource, HostPathVolumeSource,
# KeyToPath (api/core/v1/types.go, v1.3x): every field listed, so a typo inside them is an unknown field too.
_HANDLER = {
    "exec": {"command": "strlist"},
    "httpGet": _PROBE["httpGet"],
    "tcpSocket": _PROBE["tcpSocket"],
    "sleep": {"seconds": "int"},
}
_LIFECYCLE = {"postStart": _HANDLER, "preStop": _HANDLER, "stopSignal": "str"}
_SECURITY_CONTEXT = {
    "capabilities": {"add": "strlist", "drop": "strlist"},
    "privileged": "bool",
    "seLinuxOptions": _ANY,
    "windowsOptions": _ANY,
    "runAsUser": "int",
    "runAsGroup": "int",
    "runAsNonRoot": "bool",
    "readOnlyRootFilesystem": "bool",
    "allowPrivilegeEscalation": "bool",
    "procMount": "str",
    "seccompProfile": _ANY,
    "appArmorProfile": _ANY,
}
_POD_SECURITY_CONTEXT = {
    "seLinuxOptions": _ANY,
    "windowsOptions": _ANY,
    "runAsUser": "int",
    "runAsGroup": "int",
    "runAsNonRoot": "bool",
    "supplementalGroups": _ANY,
    "supplementalGroupsPolicy": "str",
    "fsGroup": "int",
    "sysctls": _ANY,
    "fsGroupChangePolicy": "str",
    "seccompProfile": _ANY,
    "appArmorProfile": _ANY,
    "seLinuxChangePolicy": "str",
}
_KEY_TO_PATH = [{"key": "str", "path": "str", "mode": "int"}]
_ENV = {
    "name": "str",
    "value": "str",
    "valueFrom": {"secretKeyRef": _REF, "configMapKeyRef": _REF, "fieldRef": _ANY, "resourceFieldRef": _ANY},
}
_CONTAINER = {
    "name": "str",
    "image": "str",
    "command": "strlist",
    "args": "strlist",
    "workingDir": "str",
    "ports": [{"name": "str", "containerPort": "int", "protocol": "str", "hostPort": "int", "hostIP": "str"}],
    "env": [_ENV],
    "envFrom": [
        {
            "prefix": "str",
            "secretRef": {"name": "str", "optional": "bool"},
            "configMapRef": {"name": "str", "optional": "bool"},
        }
    ],
    "resources": {"requests": "qtymap", "limits": "qtymap", "claims": _ANY},
    "volumeMounts": [
        {
            "name": "str",
            "mountPath": "str",
            "readOnly": "bool",
            "subPath": "str",
            "mountPropagation": "str",
            "subPathExpr": "str",
        }
    ],
    "livenessProbe": _PROBE,
    "readinessProbe": _PROBE,
    "startupProbe": _PROBE,
    "imagePullPolicy": "str",
    "lifecycle": _LIFECYCLE,
    "securityContext": _SECURITY_CONTEXT,
    "stdin": _ANY,
    "tty": _ANY,
    "terminationMessagePath": _ANY,
    "terminationMessagePolicy": _ANY,
    "volumeDevices": _ANY,
    "resizePolicy": _ANY,
    "restartPolicy": _ANY,
    "stdinOnce": _ANY,
}
_VOLUME = {
    "name": "str",
    "emptyDir": {"medium": "str", "sizeLimit": "qty"},
    "secret": {"secretName": "str", "items": _KEY_TO_PATH, "defaultMode": "int", "optional": "bool"},
    "configMap": {"name": "str", "items": _KEY_TO_PATH, "defaultMode": "int", "optional": "bool"},
    "persistentVolumeClaim": {"claimName": "str", "readOnly": "bool"},
    "hostPath": {"path": "str", "type": "str"},
    "projected": _ANY,
    "downwardAPI": _ANY,
    "nfs": _ANY,
    "csi": _ANY,
    "ephemeral": _ANY,
}
_TOLERATION = {"key": "str", "operator": "str", "value": "str", "effect": "str", "tolerationSeconds": "int"}
_POD_SPEC = {
    "containers": [_CONTAINER],
    "initContainers": [_CONTAINER],
    "volumes": [_VOLUME],
    "restartPolicy": "str",
    "terminationGracePeriodSeconds": "int",
    "dnsPolicy": "str",
    "nodeSelector": "strmap",
    "nodeName": "str",
    "serviceAccountName": "str",
    "serviceAccount": "str",
    "automountServiceAccountToken": _ANY,
    "securityContext": _POD_SECURITY_CONTEXT,
    "imagePullSecrets": [{"name": "str"}],
    "hostname": "str",
    "subdomain": "str",
    "affinity": validation_scheduling.AFFINITY,
    "schedulerName": "str",
    "tolerations": [_TOLERATION],
    "priorityClassName": _ANY,
    "priority": _ANY,
    "hostNetwork": _ANY,
    "enableServiceLinks": "bool",
    "topologySpreadConstraints": _ANY,
    "activeDeadlineSeconds": _ANY,
    "dnsConfig": _ANY,
    "hostAliases": _ANY,
    "readinessGates": _ANY,
    "runtimeClassName": _ANY,
    "shareProcessNamespace": _ANY,
    "preemptionPolicy": _ANY,
    "overhead": _ANY,
    "setHostnameAsFQDN": _ANY,
    "os": _ANY,
    "hostPID": _ANY,
    "hostIPC": _ANY,
    "schedulingGates": _ANY,
}
_TEMPLATE = {"metadata": _META, "spec": _POD_SPEC}
_SELECTOR = {
    "matchLabels": "strmap",
    "matchExpressions": [{"key": "str", "operator": "str", "values": "strlist"}],
}
_SCHEMAS = {
    "Pod": {"spec": _POD_SPEC, "status": _ANY},
    "Deployment": {
        "spec": {
            "replicas": "int",
            "selector": _SELECTOR,
            "template": _TEMPLATE,
            "minReadySeconds": "int",
            "revisionHistoryLimit": "int",
            "paused": "bool",
            "progressDeadlineSeconds": "int",
            "strategy": {"type": "str", "rollingUpdate": {"maxSurge": "intstr", "maxUnavailable": "intstr"}},
        },
        "status": _ANY,
    },
    "ReplicaSet": {
        "spec": {"replicas": "int", "selector": _SELECTOR, "template": _TEMPLATE, "minReadySeconds": "int"},
        "status": _ANY,
    },
    "Service": {
        "spec": {
            "type": "str",
            "selector": "strmap",
            "clusterIP": "str",
            "clusterIPs": "strlist",
            "sessionAffinity": "str",
            "ports": [
                {
                    "name": "str",
                    "port": "int",
                    "targetPort": "intstr",
                    "protocol": "str",
                    "nodePort": "int",
                    "appProtocol": "str",
                }
            ],
            "externalTrafficPolicy": "str",
            "internalTrafficPolicy": "str",
            "ipFamilies": "strlist",
            "ipFamilyPolicy": "str",
            "publishNotReadyAddresses": "bool",
            "externalName": "str",
            "loadBalancerIP": "str",
            "externalIPs": "strlist",
            "sessionAffinityConfig": _ANY,
        },
        "status": _ANY,
    },
    "Secret": {"data": "strmap", "stringData": "scalarmap", "type": "str", "immutable": "bool"},
    "ConfigMap": {"data": "strmap", "binaryData": "strmap", "immutable": "bool"},
    "Namespace": {"spec": _ANY, "status": _ANY},
    "PersistentVolume": {
        "spec": {
            "capacity": "qtymap",
            "accessModes": "strlist",
            "persistentVolumeReclaimPolicy": "str",
            "storageClassName": "str",
            "hostPath": _ANY,
            "local": _ANY,
            "nfs": _ANY,
            "csi": _ANY,
            "volumeMode": "str",
            "claimRef": _ANY,
            "nodeAffinity": _ANY,
            "mountOptions": _ANY,
        },
        "status": _ANY,
    },
    "PersistentVolumeClaim": {
        "spec": {
            "accessModes": "strlist",
            "resources": {"requests": "qtymap", "limits": "qtymap"},
            "storageClassName": "str",
            "volumeName": "str",
            "volumeMode": "str",
            "selector": _ANY,
            "dataSource": _ANY,
        },
        "status": _ANY,
    },
    "StorageClass": {
        "provisioner": "str",
        "reclaimPolicy": "str",
        "volumeBindingMode": "str",
        "allowVolumeExpansion": "bool",
        "parameters": "strmap",
        "mountOptions": _ANY,
    },
    "HorizontalPodAutoscaler": {
        "spec": {
            "scaleTargetRef": {"apiVersion": "str", "kind": "str", "name": "str"},
            "minReplicas": "int",
            "maxReplicas": "int",
            "behavior": _ANY,
            "targetCPUUtilizationPercentage": "int",
            "metrics": [
                {
                    "type": "str",
                    "resource": {
                        "name": "str",
                        "target": {
                            "type": "str",
                            "averageUtilization": "int",
                            "averageValue": _ANY,
                            "value": _ANY,
                        },
                    },
                    "pods": _ANY,
                    "object": _ANY,
                    "external": _ANY,
                    "containerResource": _ANY,
                }
            ],
        },
        "status": _ANY,
    },
}
_SCHEMAS.update(validation_scheduling.SCHEMAS)  # Ingress, IngressClass, ResourceQuota, LimitRange
_LEAF = {"str", "int", "bool", "intstr", "strlist", "strmap", "qtymap", "scalarmap", "qty"}


_TOP = {"apiVersion", "kind", "metadata"}


def unknown_fields(obj: dict) -> list[str]:
    """Returns the full paths of the fields the kind does not have, in the order strict decoding reports them
    (`spec.replica`, `spec.template.spec.containers[0].imagePullPolicyy`); see `decoding.decode_error`."""
    from .decoding import decode_error

    return decode_error(clone(obj), schema_of(obj.get("kind")))[1] if isinstance(obj, dict) else []


def schema_of(kind) -> dict:
    """Returns the decoding schema of a kind: top-level field → nested schema or leaf marker (see _LEAF)."""
    schema = dict.fromkeys(_TOP, _ANY) | _SCHEMAS.get(kind, {})
    schema["metadata"] = _META
    return schema


# ---------------------------------------------------------------------------------------------- defaults
def _default_probe(p):
    if isinstance(p, dict):
        p.setdefault("initialDelaySeconds", 0)
        p.setdefault("timeoutSeconds", 1)
        p.setdefault("periodSeconds", 10)
        p.setdefault("successThreshold", 1)
        p.setdefault("failureThreshold", 3)
        if isinstance(p.get("httpGet"), dict):
            p["httpGet"].setdefault("path", "/")
            p["httpGet"].setdefault("scheme", "HTTP")


def default_pod_spec(spec: dict) -> None:
    """Fills PodSpec defaults in place (also used for Deployment and ReplicaSet templates)."""
    if not isinstance(spec, dict):
        return
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("enableServiceLinks", True)
    # SetDefaults_PodSpec: `if obj.SecurityContext == nil { obj.SecurityContext = &v1.PodSecurityContext{} }`
    # [S kubernetes pkg/apis/core/v1/defaults.go], so every pod and template shows `securityContext: {}`.
    spec.setdefault("securityContext", {})
    for c in spec.get("containers") or []:
        if not isinstance(c, dict):
            continue
        image = c.get("image")
        if isinstance(image, str):
            tagged = ":" in image.rsplit("/", 1)[-1]
            latest = not tagged or image.endswith(":latest")
            c.setdefault("imagePullPolicy", "Always" if latest else "IfNotPresent")
        c.setdefault("terminationMessagePath", "/dev/termination-log")
        c.setdefault("terminationMessagePolicy", "File")
        c.setdefault("resources", {})
        for port in c.get("ports") or []:
            if isinstance(port, dict):
                port.setdefault("protocol", "TCP")
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            _default_probe(c.get(probe))


def apply_defaults(obj: dict) -> None:
    """Fills the API server's defaults in place (mutating admission)."""
    kind = obj.get("kind")
    spec = obj.get("spec")
    if kind in _DEFAULTERS and isinstance(spec, dict):
        _DEFAULTERS[kind](obj)  # the workload kinds (validation_workloads.py)
    elif kind == "Pod" and isinstance(spec, dict):
        default_pod_spec(spec)
    elif kind in ("Deployment", "ReplicaSet") and isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        if kind == "Deployment":
            strategy = spec.setdefault("strategy", {})
            if isinstance(strategy, dict):
                strategy.setdefault("type", "RollingUpdate")
                if strategy["type"] == "RollingUpdate":
                    ru = strategy.setdefault("rollingUpdate", {})
                    if isinstance(ru, dict):
                        ru.setdefault("maxSurge", "25%")
                        ru.setdefault("maxUnavailable", "25%")
            spec.setdefault("revisionHistoryLimit", 10)
            spec.setdefault("progressDeadlineSeconds", 600)
        template = spec.get("template")
        if isinstance(template, dict) and isinstance(template.get("spec"), dict):
            default_pod_spec(template["spec"])
    elif kind == "Service" and isinstance(spec, dict):
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        for p in spec.get("ports") or []:
            if isinstance(p, dict):
                p.setdefault("protocol", "TCP")
                if "port" in p:
                    p.setdefault("targetPort", p["port"])
    elif kind == "Secret":
        obj.setdefault("type", "Opaque")
        string_data = obj.pop("stringData", None)
        if isinstance(string_data, dict):
            data = obj.setdefault("data", {}) or {}
            obj["data"] = data
            for k, v in string_data.items():
                data[k] = base64.b64encode(str(v).encode()).decode()
    elif kind == "PersistentVolume" and isinstance(spec, dict):
        spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
        spec.setdefault("volumeMode", "Filesystem")
    elif kind == "PersistentVolumeClaim" and isinstance(spec, dict):
        spec.setdefault("volumeMode", "Filesystem")
    elif kind == "StorageClass":
        obj.setdefault("reclaimPolicy", "Delete")
        obj.setdefault("volumeBindingMode", "Immediate")
    elif kind == "HorizontalPodAutoscaler" and isinstance(spec, dict):
        if obj.get("apiVersion") == "autoscaling/v1":
            obj["apiVersion"] = "autoscaling/v2"
            pct = spec.pop("targetCPUUtilizationPercentage", None)
            if pct is not None:
                spec["metrics"] = [_cpu_metric(pct)]
        spec.setdefault("minReplicas", 1)
        if not spec.get("metrics"):
            spec["metrics"] = [_cpu_metric(80)]


def _cpu_metric(pct):
    return {
        "type": "Resource",
        "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": pct}},
    }


# ---------------------------------------------------------------------------------------------- validation
def _int_or_percent(v) -> bool:
    return (isinstance(v, int) and not isinstance(v, bool) and v >= 0) or (
        isinstance(v, str) and bool(re.fullmatch(r"[0-9]+%", v))
    )


def _json(v) -> str:
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def _nonneg_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


# apimachinery pkg/util/validation/validation.go: dns1123LabelErrMsg through RegexError with its examples.
DNS1123_LABEL_ERROR = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)


def validate(obj: dict) -> list[str]:
    """Returns kubectl-style causes (`field: detail`); empty when the object is valid."""
    errs: list[str] = []
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return ["metadata: Required value"]
    name = meta.get("name")
    kind = obj.get("kind")
    if not name:
        errs.append("metadata.name: Required value: name or generateName is required")
    elif kind == "Service" and not is_dns1035(name):
        errs.append(
            f"metadata.name: Invalid value: {_json(name)}: a DNS-1035 label must consist of lower case "
            "alphanumeric characters or '-', start with an alphabetic character, and end with an "
            "alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
            "'[a-z]([-a-z0-9]*[a-z0-9])?')"
        )
    elif kind == "Namespace" and not is_label(name):
        errs.append(f"metadata.name: Invalid value: {_json(name)}: {DNS1123_LABEL_ERROR}")
    elif not is_subdomain(name):
        errs.append(
            f"metadata.name: Invalid value: {_json(name)}: a lowercase RFC 1123 subdomain must consist of "
            "lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
            "character (e.g. 'example.com', regex used for validation is "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        )
    for field in ("labels", "annotations"):
        value = meta.get(field)
        if value is not None and (
            not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values())
        ):
            errs.append(f"metadata.{field}: Invalid value: {_json(value)}: must be a map of string to string")
    check = _VALIDATORS.get(kind)
    if check:
        check(obj, errs)
    return errs


def _validate_pod_spec(spec, path, errs, template=False):
    if not isinstance(spec, dict):
        errs.append(f"{path}: Required value")
        return
    containers = spec.get("containers")
    if not isinstance(containers, list) or not containers:
        errs.append(f"{path}.containers: Required value")
        containers = []
    volumes = {}
    for i, v in enumerate(spec.get("volumes") or []):
        if not isinstance(v, dict) or not is_label(v.get("name")):
            errs.append(f"{path}.volumes[{i}].name: Required value")
            continue
        volumes[v["name"]] = v
        if isinstance(v.get("secret"), dict) and not v["secret"].get("secretName"):
            errs.append(f"{path}.volumes[{i}].secret.secretName: Required value")
        if "persistentVolumeClaim" in v and not (v.get("persistentVolumeClaim") or {}).get("claimName"):
            errs.append(f"{path}.volumes[{i}].persistentVolumeClaim.claimName: Required value")
    seen = set()
    for i, c in enumerate(containers):
        cp = f"{path}.containers[{i}]"
        if not isinstance(c, dict):
            errs.append(f"{cp}: Invalid value: {_json(c)}: must be an object")
            continue
        cname = c.get("name")
        if not cname:
            errs.append(f"{cp}.name: Required value")
        elif not is_label(cname):
            errs.append(f"{cp}.name: Invalid value: {_json(cname)}: {DNS1123_LABEL_ERROR}")
        elif cname in seen:
            errs.append(f"{cp}.name: Duplicate value: {_json(cname)}")
        seen.add(cname)
        if not isinstance(c.get("image"), str) or not c.get("image", "").strip():
            errs.append(f"{cp}.image: Required value")
        for field in ("command", "args"):
            if field in c and not (isinstance(c[field], list) and all(isinstance(x, str) for x in c[field])):
                errs.append(f"{cp}.{field}: Invalid value: {_json(c[field])}: must be a list of strings")
        for j, p in enumerate(c.get("ports") or []):
            port = p.get("containerPort") if isinstance(p, dict) else None
            if port is None:
                errs.append(f"{cp}.ports[{j}].containerPort: Required value")
            elif not (isinstance(port, int) and 1 <= port <= 65535):
                errs.append(
                    f"{cp}.ports[{j}].containerPort: Invalid value: {_json(port)}: must be between 1 and "
                    "65535, inclusive"
                )
        res = c.get("resources") or {}
        if not isinstance(res, dict):
            errs.append(f"{cp}.resources: Invalid value: {_json(res)}: must be an object")
            res = {}
        errs += resource_requirements_errors(res, f"{cp}.resources")
        for j, e in enumerate(c.get("env") or []):
            if not isinstance(e, dict) or not e.get("name"):
                errs.append(f"{cp}.env[{j}].name: Required value")
            elif "value" in e and not isinstance(e["value"], str):
                errs.append(
                    f"{cp}.env[{j}].value: Invalid value: {_json(e['value'])}: must be a string "
                    "(quote numbers in YAML)"
                )
        for j, m in enumerate(c.get("volumeMounts") or []):
            if not isinstance(m, dict):
                continue
            if m.get("name") not in volumes:
                errs.append(f"{cp}.volumeMounts[{j}].name: Not found: {_json(m.get('name'))}")
            if not isinstance(m.get("mountPath"), str) or not m.get("mountPath"):
                errs.append(f"{cp}.volumeMounts[{j}].mountPath: Required value")
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            p = c.get(probe)
            if p is None:
                continue
            if not isinstance(p, dict) or not any(k in p for k in ("httpGet", "tcpSocket", "exec", "grpc")):
                errs.append(f"{cp}.{probe}: Required value: must specify a handler type")
                continue
            for k in ("periodSeconds", "timeoutSeconds", "successThreshold", "failureThreshold"):
                if k in p and not (isinstance(p[k], int) and p[k] >= 1):
                    errs.append(
                        f"{cp}.{probe}.{k}: Invalid value: {_json(p[k])}: must be greater than or equal to 1"
                    )
            if probe != "readinessProbe" and p.get("successThreshold", 1) != 1:
                errs.append(
                    f"{cp}.{probe}.successThreshold: Invalid value: {_json(p['successThreshold'])}: must be 1"
                )
    policy = spec.get("restartPolicy", "Always")
    allowed = ("Always",) if template else ("Always", "OnFailure", "Never")
    if policy not in allowed:
        sup = ", ".join(f'"{a}"' for a in allowed)
        errs.append(f"{path}.restartPolicy: Unsupported value: {_json(policy)}: supported values: {sup}")
    grace = spec.get("terminationGracePeriodSeconds", 30)
    if not _nonneg_int(grace):
        errs.append(
            f"{path}.terminationGracePeriodSeconds: Invalid value: {_json(grace)}: must be greater than "
            "or equal to 0"
        )
    if "nodeSelector" in spec and not isinstance(spec["nodeSelector"], dict):
        errs.append(f"{path}.nodeSelector: Invalid value: {_json(spec['nodeSelector'])}: must be a map")
    validation_scheduling.validate_pod_scheduling(spec, path, errs)  # affinity, tolerations
    validation_enums.validate_pod_enums(spec, path, errs)  # imagePullPolicy, protocol, dnsPolicy, …


def _validate_workload(obj, errs):
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        errs.append("spec: Required value")
        return
    replicas = spec.get("replicas", 1)
    if not (isinstance(replicas, int) and not isinstance(replicas, bool)):
        errs.append(f"spec.replicas: Invalid value: {_json(replicas)}: must be an integer")
    elif replicas < 0:
        errs.append(f"spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0")
    for field in ("minReadySeconds", "revisionHistoryLimit"):
        if field in spec and not _nonneg_int(spec[field]):
            errs.append(
                f"spec.{field}: Invalid value: {_json(spec[field])}: must be greater than or equal to 0"
            )
    selector = spec.get("selector")
    template = spec.get("template")
    tlabels = ((template or {}).get("metadata") or {}).get("labels") if isinstance(template, dict) else None
    if not isinstance(selector, dict) or not (
        selector.get("matchLabels") or selector.get("matchExpressions")
    ):
        errs.append("spec.selector: Required value")
        if tlabels is not None:
            errs.append(
                f"spec.template.metadata.labels: Invalid value: {_json(tlabels)}: `selector` does not "
                "match template `labels`"
            )
    else:
        try:
            ok = matches(selector_requirements(selector), tlabels if isinstance(tlabels, dict) else {})
        except (TypeError, AttributeError):
            ok = False
        if not ok:
            # Go's json.Marshal of an absent (nil) label map is `null`, of an empty one `{}`.
            errs.append(
                f"spec.template.metadata.labels: Invalid value: {_json(tlabels)}: `selector` does "
                "not match template `labels`"
            )
    # DeploymentSpec.Template is a struct, not a pointer: an absent template is an empty one, so the pod
    # spec's own checks report it (`spec.template.spec.containers: Required value`), as
    # ValidatePodTemplateSpecForReplicaSet in kubernetes pkg/apis/apps/validation does.
    template_spec = template.get("spec") if isinstance(template, dict) else None
    _validate_pod_spec(
        template_spec if template_spec is not None else {}, "spec.template.spec", errs, template=True
    )
    if obj.get("kind") == "Deployment":
        strategy = spec.get("strategy") or {}
        stype = strategy.get("type", "RollingUpdate") if isinstance(strategy, dict) else None
        if stype not in ("RollingUpdate", "Recreate"):
            errs.append(
                f"spec.strategy.type: Unsupported value: {_json(stype)}: supported values: "
                '"Recreate", "RollingUpdate"'
            )
        elif stype == "Recreate" and strategy.get("rollingUpdate"):
            errs.append(
                "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is "
                "'Recreate'"
            )
        elif stype == "RollingUpdate":
            ru = strategy.get("rollingUpdate") or {}
            surge, unavail = ru.get("maxSurge", "25%"), ru.get("maxUnavailable", "25%")
            for field, v in (("maxSurge", surge), ("maxUnavailable", unavail)):
                if not _int_or_percent(v):
                    errs.append(
                        f"spec.strategy.rollingUpdate.{field}: Invalid value: {_json(v)}: must be an "
                        "integer or percentage (e.g '5%')"
                    )
            if unavail in (0, "0%") and surge in (0, "0%"):
                errs.append(
                    "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when "
                    "`maxSurge` is 0"
                )
            if (
                isinstance(unavail, str)
                and unavail.endswith("%")
                and unavail[:-1].isdigit()
                and int(unavail[:-1]) > 100
            ):
                errs.append(
                    f"spec.strategy.rollingUpdate.maxUnavailable: Invalid value: {_json(unavail)}: must "
                    "not be greater than 100%"
                )
        pds = spec.get("progressDeadlineSeconds", 600)
        mrs = spec.get("minReadySeconds", 0)
        if not _nonneg_int(pds) or (_nonneg_int(mrs) and pds <= mrs):
            errs.append(
                f"spec.progressDeadlineSeconds: Invalid value: {_json(pds)}: must be greater than "
                "minReadySeconds"
            )


def _validate_pod(obj, errs):
    _validate_pod_spec(obj.get("spec"), "spec", errs)


def _validate_service(obj, errs):
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        errs.append("spec.ports: Required value")
        return
    stype = spec.get("type", "ClusterIP")
    if stype not in ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"):
        errs.append(
            f'spec.type: Unsupported value: {_json(stype)}: supported values: "ClusterIP", '
            '"ExternalName", "LoadBalancer", "NodePort"'
        )
    validation_enums.validate_service_enums(spec, errs)  # protocol, sessionAffinity, traffic policies
    ports = spec.get("ports")
    if stype != "ExternalName" and (not isinstance(ports, list) or not ports):
        errs.append("spec.ports: Required value")
        ports = []
    for i, p in enumerate(ports or []):
        # ServicePort.Port is an int32, not a pointer: an absent port is 0.
        port = (p.get("port") if isinstance(p, dict) else None) or 0
        if not (isinstance(port, int) and 1 <= port <= 65535):
            errs.append(
                f"spec.ports[{i}].port: Invalid value: {_json(port)}: must be between 1 and 65535, inclusive"
            )
        tp = p.get("targetPort") if isinstance(p, dict) else None
        if tp is not None and not (
            (isinstance(tp, int) and 1 <= tp <= 65535) or (isinstance(tp, str) and tp)
        ):
            errs.append(
                f"spec.ports[{i}].targetPort: Invalid value: {_json(tp)}: must be between 1 and 65535, "
                "inclusive"
            )
        np = p.get("nodePort") if isinstance(p, dict) else None
        if np is not None and not (isinstance(np, int) and 30000 <= np <= 32767):
            errs.append(
                f"spec.ports[{i}].nodePort: Invalid value: {_json(np)}: provided port is not in the valid "
                "range. The range of valid ports is 30000-32767"
            )
        if len(ports) > 1 and isinstance(p, dict) and not p.get("name"):
            errs.append(f"spec.ports[{i}].name: Required value")
    sel = spec.get("selector")
    if sel is not None and not (isinstance(sel, dict) and all(isinstance(v, str) for v in sel.values())):
        errs.append(f"spec.selector: Invalid value: {_json(sel)}: must be a map of string to string")


def _validate_secret(obj, errs):
    data = obj.get("data") or {}
    if not isinstance(data, dict):
        errs.append("data: Invalid value: must be a map")
        return
    for k in data:
        if not re.fullmatch(r"[-._a-zA-Z0-9]+", str(k)):
            errs.append(
                f"data[{k}]: Invalid value: {_json(k)}: a valid config key must consist of alphanumeric "
                "characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used "
                "for validation is '[-._a-zA-Z0-9]+')"
            )
    if obj.get("type", "Opaque") not in (
        "Opaque",
        "kubernetes.io/basic-auth",
        "kubernetes.io/ssh-auth",
        "kubernetes.io/tls",
        "kubernetes.io/dockerconfigjson",
        "kubernetes.io/dockercfg",
        "kubernetes.io/service-account-token",
        "bootstrap.kubernetes.io/token",
    ):
        errs.append(f"type: Unsupported value: {_json(obj.get('type'))}")
    if sum(len(str(v)) for v in data.values()) > 1024 * 1024:
        errs.append("data: Too long: must have at most 1048576 bytes")


def _validate_configmap(obj, errs):
    data = obj.get("data") or {}
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        errs.append("data: Invalid value: values must be strings")


_MODES = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")


def _validate_modes(modes, errs):
    if not isinstance(modes, list) or not modes:
        errs.append("spec.accessModes: Required value: at least 1 access mode is required")
        return
    for m in modes:
        if m not in _MODES:
            errs.append(
                f"spec.accessModes: Unsupported value: {_json(m)}: supported values: "
                + ", ".join(f'"{x}"' for x in _MODES)
            )
    if "ReadWriteOncePod" in modes and len(modes) > 1:
        errs.append("spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes")


def _validate_pv(obj, errs):
    spec = obj.get("spec") or {}
    _validate_modes(spec.get("accessModes"), errs)
    try:
        parse_bytes((spec.get("capacity") or {})["storage"])
    except (KeyError, ValueError, TypeError):
        errs.append("spec.capacity: Required value")
    if spec.get("persistentVolumeReclaimPolicy", "Retain") not in ("Retain", "Delete", "Recycle"):
        errs.append("spec.persistentVolumeReclaimPolicy: Unsupported value")


def _validate_pvc(obj, errs):
    spec = obj.get("spec") or {}
    _validate_modes(spec.get("accessModes"), errs)
    try:
        parse_bytes(((spec.get("resources") or {}).get("requests") or {})["storage"])
    except (KeyError, ValueError, TypeError, AttributeError):
        errs.append("spec.resources[storage]: Required value")


def _validate_hpa(obj, errs):
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        errs.append("spec: Required value")
        return
    ref = spec.get("scaleTargetRef") or {}
    if not isinstance(ref, dict) or not ref.get("kind") or not ref.get("name"):
        errs.append("spec.scaleTargetRef.name: Required value")
    mn, mx = spec.get("minReplicas", 1), spec.get("maxReplicas")
    if not (isinstance(mn, int) and mn >= 1):
        errs.append(f"spec.minReplicas: Invalid value: {_json(mn)}: must be greater than or equal to 1")
    if not (isinstance(mx, int) and mx >= 1):
        errs.append(f"spec.maxReplicas: Invalid value: {_json(mx)}: must be greater than or equal to 1")
    elif isinstance(mn, int) and mx < mn:
        errs.append(f"spec.maxReplicas: Invalid value: {mx}: must be greater than or equal to `minReplicas`")
    for i, m in enumerate(spec.get("metrics") or []):
        target = ((m or {}).get("resource") or {}).get("target") or {} if isinstance(m, dict) else {}
        if not isinstance(m, dict) or m.get("type") != "Resource":
            errs.append(
                f"spec.metrics[{i}].type: Unsupported value: {_json((m or {}).get('type'))}: the "
                'simulator supports "Resource" (cpu) metrics'
            )
        elif not isinstance(target.get("averageUtilization"), int) or target["averageUtilization"] < 1:
            errs.append(
                f"spec.metrics[{i}].resource.target.averageUtilization: Required value: must be "
                "greater than 0"
            )


def _validate_sc(obj, errs):
    if not obj.get("provisioner"):
        errs.append("provisioner: Required value")
    if obj.get("volumeBindingMode", "Immediate") not in ("Immediate", "WaitForFirstConsumer"):
        errs.append("volumeBindingMode: Unsupported value")


_VALIDATORS = {
    "Pod": _validate_pod,
    "Deployment": _validate_workload,
    "ReplicaSet": _validate_workload,
    "Service": _validate_service,
    "Secret": _validate_secret,
    "ConfigMap": _validate_configmap,
    "PersistentVolume": _validate_pv,
    "PersistentVolumeClaim": _validate_pvc,
    "HorizontalPodAutoscaler": _validate_hpa,
    "StorageClass": _validate_sc,
}
_VALIDATORS.update(validation_scheduling.VALIDATORS)  # Ingress, IngressClass, ResourceQuota, LimitRange


def version_ok(kind: str, api_version) -> bool:
    """Returns True when apiVersion is one the kind is served under."""
    return api_version in ACCEPTED_VERSIONS.get(kind, ())


# The workload kinds (DaemonSet, StatefulSet, Job, CronJob, ReplicationController, ControllerRevision).
from .validation_workloads import DEFAULTERS as _DEFAULTERS  # noqa: E402
from .validation_workloads import SCHEMAS as _WORKLOAD_SCHEMAS  # noqa: E402
from .validation_workloads import VALIDATORS as _WORKLOAD_VALIDATORS  # noqa: E402

_SCHEMAS.update(_WORKLOAD_SCHEMAS)
_VALIDATORS.update(_WORKLOAD_VALIDATORS)

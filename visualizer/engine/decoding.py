"""Decoding a request body as the API server does: Go's encoding/json rules, then strict field validation.

The API server turns the JSON body kubectl sends into the kind's Go struct (kubernetes
staging/src/k8s.io/apimachinery/pkg/runtime/serializer/json, with sigs.k8s.io/json, a fork of Go 1.18's
encoding/json). What fails there is a **400 BadRequest decode error**, reported before any validation (422):
`Deployment in version "v1" cannot be handled as a Deployment: <error>` (apiserver
pkg/endpoints/handlers/rest.go `transformDecodeError`). The errors, in the order the decoder meets them:

- a value of the wrong JSON type: Go's `UnmarshalTypeError`, e.g. `json: cannot unmarshal string into Go
  struct field DeploymentSpec.spec.replicas of type int32` — the struct holding the field, the field path
  *without list indices* (Go's errorContext.FieldStack), the Go type;
- a `[]byte` field (Secret `data`) that is not standard base64: `illegal base64 data at input byte N`
  (Go encoding/base64 `CorruptInputError`, the offset computed exactly as `StdEncoding.Decode` does);
- a quantity that does not parse (`resource.Quantity.UnmarshalJSON`): `quantities must match the regular
  expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`; an int-or-string that is neither;
- only when the body decoded cleanly, the strict field validation kubectl asks for (`fieldValidation=Strict`,
  kubectl's default): `strict decoding error: unknown field "spec.replica", unknown field "…"`, every unknown
  field in document order, list elements with their index (`spec.template.spec.containers[0].imagePullPolicyy`).

"Document order" is the order of the JSON kubectl sends: it converts YAML to JSON through a Go map, so the
keys of every object are sorted (sigs.k8s.io/yaml `YAMLToJSON` + `json.Marshal`). Duplicate keys never reach
the server from kubectl (the last value wins while converting), so there is no `duplicate field` error here.

Type errors are collected and decoding goes on (Go's `saveError`: the first one is reported); an
`UnmarshalJSON` error (quantity, int-or-string) stops decoding at once and wins.
"""

from __future__ import annotations

QUANTITY_REGEX_ERROR = (
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)

# ---------------------------------------------------------------------------------------------- base64
_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}


def base64_error_offset(text: str) -> int | None:
    """Returns the byte offset Go's `base64.StdEncoding.Decode` reports for `text`, or None when it decodes.

    A transcription of encoding/base64 `decodeQuantum` (Go 1.2x): padding is required, `\\r` and `\\n` are
    skipped anywhere, a byte outside the alphabet fails at its own offset, a short final quantum fails at the
    offset where that quantum started, and bytes after the padding are "trailing garbage". Offsets count
    UTF-8 bytes, as Go does.
    """
    src = text.encode("utf-8")
    n, si = len(src), 0
    while si < n:
        j = 0
        while j < 4:
            if si == n:
                if j == 0:
                    return None
                return si - j
            ch = src[si]
            si += 1
            if chr(ch) in _B64:
                j += 1
                continue
            if ch in (10, 13):
                continue
            if ch != ord("="):
                return si - 1
            # Padding: only after two or three symbols of a quantum.
            if j in (0, 1):
                return si - 1
            if j == 2:
                while si < n and src[si] in (10, 13):
                    si += 1
                if si == n:
                    return n
                if src[si] != ord("="):
                    return si - 1
                si += 1
            while si < n and src[si] in (10, 13):
                si += 1
            if si < n:
                return si
            return None
    return None


# ---------------------------------------------------------------------------------------------- Go types
# For a struct-valued field reached from (parent struct, JSON key): its Go struct name. Leaf types are given by
# _LEAF_TYPES below; everything here is a Go type named `v1.<Name>` in error messages.
_STRUCT_OF_FIELD = {
    ("*", "metadata"): "ObjectMeta",
    ("DeploymentSpec", "template"): "PodTemplateSpec",
    ("ReplicaSetSpec", "template"): "PodTemplateSpec",
    ("PodTemplateSpec", "spec"): "PodSpec",
    ("DeploymentSpec", "selector"): "LabelSelector",
    ("ReplicaSetSpec", "selector"): "LabelSelector",
    ("DeploymentSpec", "strategy"): "DeploymentStrategy",
    ("DeploymentStrategy", "rollingUpdate"): "RollingUpdateDeployment",
    ("LabelSelector", "matchExpressions"): "LabelSelectorRequirement",
    ("PodSpec", "containers"): "Container",
    ("PodSpec", "initContainers"): "Container",
    ("PodSpec", "volumes"): "Volume",
    ("PodSpec", "tolerations"): "Toleration",
    ("Container", "ports"): "ContainerPort",
    ("Container", "env"): "EnvVar",
    ("Container", "envFrom"): "EnvFromSource",
    ("Container", "resources"): "ResourceRequirements",
    ("Container", "volumeMounts"): "VolumeMount",
    ("Container", "livenessProbe"): "Probe",
    ("Container", "readinessProbe"): "Probe",
    ("Container", "startupProbe"): "Probe",
    ("Probe", "httpGet"): "HTTPGetAction",
    ("Probe", "tcpSocket"): "TCPSocketAction",
    ("Probe", "exec"): "ExecAction",
    ("EnvVar", "valueFrom"): "EnvVarSource",
    ("EnvVarSource", "secretKeyRef"): "SecretKeySelector",
    ("EnvVarSource", "configMapKeyRef"): "ConfigMapKeySelector",
    ("EnvFromSource", "secretRef"): "SecretEnvSource",
    ("EnvFromSource", "configMapRef"): "ConfigMapEnvSource",
    ("Volume", "secret"): "SecretVolumeSource",
    ("Volume", "configMap"): "ConfigMapVolumeSource",
    ("Volume", "persistentVolumeClaim"): "PersistentVolumeClaimVolumeSource",
    ("ServiceSpec", "ports"): "ServicePort",
    ("PersistentVolumeClaimSpec", "resources"): "VolumeResourceRequirements",
    ("HorizontalPodAutoscalerSpec", "scaleTargetRef"): "CrossVersionObjectReference",
    ("HorizontalPodAutoscalerSpec", "metrics"): "MetricSpec",
    ("MetricSpec", "resource"): "ResourceMetricSource",
    ("ResourceMetricSource", "target"): "MetricTarget",
    ("JobTemplateSpec", "spec"): "JobSpec",
    ("Container", "lifecycle"): "Lifecycle",
    ("Lifecycle", "postStart"): "LifecycleHandler",
    ("Lifecycle", "preStop"): "LifecycleHandler",
    ("LifecycleHandler", "exec"): "ExecAction",
    ("LifecycleHandler", "httpGet"): "HTTPGetAction",
    ("LifecycleHandler", "tcpSocket"): "TCPSocketAction",
    ("LifecycleHandler", "sleep"): "SleepAction",
    ("Volume", "emptyDir"): "EmptyDirVolumeSource",
    ("Volume", "hostPath"): "HostPathVolumeSource",
    ("SecretVolumeSource", "items"): "KeyToPath",
    ("ConfigMapVolumeSource", "items"): "KeyToPath",
    ("PodSpec", "imagePullSecrets"): "LocalObjectReference",
    ("PodSpec", "securityContext"): "PodSecurityContext",
    ("Container", "securityContext"): "SecurityContext",
    # The same Go types under the kinds other modules register (DaemonSet, StatefulSet, Job, CronJob, …).
    ("*", "template"): "PodTemplateSpec",
    ("*", "selector"): "LabelSelector",
    ("*", "jobTemplate"): "JobTemplateSpec",
    ("*", "volumeClaimTemplates"): "PersistentVolumeClaim",
    ("*", "affinity"): "Affinity",
    ("*", "nodeAffinity"): "NodeAffinity",
    ("*", "podAffinity"): "PodAffinity",
    ("*", "podAntiAffinity"): "PodAntiAffinity",
    ("*", "resources"): "ResourceRequirements",
    ("*", "initContainers"): "Container",
    ("*", "containers"): "Container",
}
# Go integer widths of the int fields the schemas know (all others are int32).
_INT64_FIELDS = {
    "terminationGracePeriodSeconds",
    "tolerationSeconds",
    "activeDeadlineSeconds",
    "runAsUser",
    "runAsGroup",
    "fsGroup",
    "seconds",
}
_MAP_TYPES = {"strmap": "map[string]string", "qtymap": "v1.ResourceList", "scalarmap": "map[string]string"}


def _struct_for(parent: str, key: str, kind: str) -> str:
    if parent == kind and key == "spec":
        return f"{kind}Spec"
    if key == "updateStrategy":
        return f"{kind}UpdateStrategy"  # DaemonSetUpdateStrategy, StatefulSetUpdateStrategy
    return (
        _STRUCT_OF_FIELD.get((parent, key)) or _STRUCT_OF_FIELD.get(("*", key)) or key[:1].upper() + key[1:]
    )


def _json_kind(value) -> str:
    """Returns the JSON value class Go names in UnmarshalTypeError (`string`, `number`, `bool`, …)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _is_integral(value) -> bool:
    """Returns True for a JSON number Go can store in an int (kubectl sends 3.0 from YAML as 3)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


class _Abort(Exception):
    """An `UnmarshalJSON` error: decoding stops and this message is the answer."""


class _Decoder:
    """Walks an object against validation's schema as Go's decoder walks the JSON (keys sorted)."""

    def __init__(self, kind: str):
        self.kind = kind
        self.first: str | None = None  # Go's savedError: the first type error
        self.unknown: list[str] = []  # strict decoding: unknown fields, document order
        self.unknown_at: list[tuple[dict, str]] = []  # (object, key) of each, to drop them (Ignore/Warn)

    def save(self, message: str) -> None:
        if self.first is None:
            self.first = message

    def type_error(self, value, struct: str, fields: list[str], gotype: str, number_text: str = "") -> None:
        what = _json_kind(value)
        if number_text:
            what = f"number {number_text}"
        self.save(
            f"json: cannot unmarshal {what} into Go struct field {struct}.{'.'.join(fields)} of type {gotype}"
        )

    # A leaf marker from validation's schemas (`str`, `int`, `strmap`, …) at one field.
    def leaf(self, marker: str, value, struct: str, fields: list[str], key: str) -> None:
        if value is None:
            return
        if marker == "str":
            if not isinstance(value, str):
                self.type_error(value, struct, fields, "string")
        elif marker == "bool":
            if not isinstance(value, bool):
                self.type_error(value, struct, fields, "bool")
        elif marker == "int":
            gotype = "int64" if key in _INT64_FIELDS else "int32"
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                limit = 2**63 if gotype == "int64" else 2**31
                if not _is_integral(value) or not -limit <= value < limit:
                    self.type_error(value, struct, fields, gotype, number_text=_go_number(value))
            else:
                self.type_error(value, struct, fields, gotype)
        elif marker == "intstr":
            if isinstance(value, str):
                return
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                if _is_integral(value) and -(2**31) <= value < 2**31:
                    return
                raise _Abort(f"json: cannot unmarshal number {_go_number(value)} into Go value of type int32")
            raise _Abort(f"json: cannot unmarshal {_json_kind(value)} into Go value of type int32")
        elif marker == "strlist":
            if not isinstance(value, list):
                self.type_error(value, struct, fields, "[]string")
                return
            for item in value:
                if item is not None and not isinstance(item, str):
                    self.type_error(item, struct, fields, "string")
        elif marker in ("strmap", "scalarmap"):
            if not isinstance(value, dict):
                self.type_error(value, struct, fields, _MAP_TYPES[marker])
                return
            if struct == "Secret" and key == "data":
                self.secret_data(value, fields)
                return
            for k in sorted(value):
                v = value[k]
                if v is None:
                    continue
                if marker == "scalarmap" and isinstance(v, (int, float, bool)):
                    # stringData from YAML: `port: 5432` is sent as a number → Go refuses it as well.
                    self.type_error(v, struct, fields, "string")
                elif not isinstance(v, str):
                    self.type_error(v, struct, fields, "string")
        elif marker == "qty":
            problem = quantity_error(value, resource=key)
            if problem:
                raise _Abort(problem)
        elif marker == "qtymap":
            if not isinstance(value, dict):
                self.type_error(value, struct, fields, _MAP_TYPES[marker])
                return
            for k in sorted(value):
                problem = quantity_error(value[k], resource=k)
                if problem:
                    raise _Abort(problem)

    def secret_data(self, data: dict, fields: list[str]) -> None:
        """Secret `data` is map[string][]byte: each value must be a base64 string."""
        for k in sorted(data):
            v = data[k]
            if v is None:
                continue
            if not isinstance(v, str):
                self.type_error(v, "Secret", fields, "[]uint8")
                continue
            offset = base64_error_offset(v)
            if offset is not None:
                self.save(f"illegal base64 data at input byte {offset}")

    def walk(self, value, schema, struct: str, fields: list[str], path: str) -> None:
        """Decodes `value` (a JSON object) into `struct`; `fields` is Go's field stack, `path` the strict path."""
        for key in sorted(value):
            sub = value[key]
            where = f"{path}.{key}" if path else key
            if not isinstance(schema, dict) or key not in schema:
                self.unknown.append(where)
                self.unknown_at.append((value, key))
                continue
            spec = schema[key]
            stack = [*fields, key]
            if spec is None or sub is None:
                continue
            if isinstance(spec, str):
                self.leaf(spec, sub, struct, stack, key)
            elif isinstance(spec, list):
                elem = _struct_for(struct, key, self.kind)
                if not isinstance(sub, list):
                    gotype = f"[]v1.{elem}" if isinstance(spec[0], dict) else "[]string"
                    self.type_error(sub, struct, stack, gotype)
                    continue
                for i, item in enumerate(sub):
                    if item is None:
                        continue
                    if not isinstance(item, dict):
                        self.type_error(item, struct, stack, f"v1.{elem}")
                        continue
                    self.walk(item, spec[0], elem, stack, f"{where}[{i}]")
            else:
                inner = _struct_for(struct, key, self.kind)
                if not isinstance(sub, dict):
                    self.type_error(sub, struct, stack, f"v1.{inner}")
                    continue
                self.walk(sub, spec, inner, stack, where)


def _go_number(value) -> str:
    """Returns a number as it appeared in the JSON kubectl sent (integers without a fraction)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def quantity_error(value, resource: str = "") -> str | None:
    """Returns resource.Quantity's parse error for a quantity value, or None when it parses.

    The grammar of apimachinery pkg/api/resource/quantity.go `ParseQuantity`: a signed decimal number, then a
    binary (`Ki`…`Ei`) or decimal (`n u m "" k M G T P E`) suffix or an exponent (`e3`, `E-2`). Numbers are
    quantities too (`cpu: 1`). Whether the value suits the resource (no negative requests, …) is validation's
    business (422), not decoding's. `resource` is unused and kept for the dedicated quantity parser.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return QUANTITY_REGEX_ERROR
    from .quantity import QuantityError, parse_quantity

    text = value.strip() if isinstance(value, str) else _go_number(value)
    try:
        parse_quantity(text)
    except QuantityError as exc:
        return str(exc)
    return None


def decode_error(obj: dict, schema: dict, drop_unknown: bool = False) -> tuple[str | None, list[str]]:
    """Returns (the decode error or None, the unknown field paths) for a request body.

    `schema` is validation's schema of the kind (top-level keys → markers). The first element is the text
    after `<Kind> in version "<v>" cannot be handled as a <Kind>: `; the unknown fields are what strict field
    validation reports when there is no decode error. With `drop_unknown` (fieldValidation Ignore or Warn)
    the unknown fields are removed from `obj` in place, as the decoder drops them.
    """
    kind = obj.get("kind") if isinstance(obj.get("kind"), str) else ""
    decoder = _Decoder(kind)
    try:
        decoder.walk(obj, schema, kind, [], "")
    except _Abort as exc:
        return str(exc), []
    if drop_unknown and decoder.first is None:
        for holder, key in decoder.unknown_at:
            holder.pop(key, None)
    return decoder.first, decoder.unknown


def strict_error(unknown: list[str]) -> str:
    """Returns apimachinery's StrictDecodingError text for unknown field paths (comma-joined, in order)."""
    return "strict decoding error: " + ", ".join(f'unknown field "{u}"' for u in unknown)

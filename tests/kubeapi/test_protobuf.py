"""`visualizer.kubeapi.protobuf` without kubectl: the committed bodies kubectl v1.37.1 sent (fixtures/protobuf,
written by `python -m tests.kubeapi.test_protobuf_live`), malformed bodies, and the Kubernetes JSON codecs
(Time, MicroTime, Duration, IntOrString, Quantity, []byte, RawExtension, embedded structs)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from visualizer.kubeapi.protobuf import MAGIC, ProtobufError, decode, encode, go_duration, parse_go_duration

FIXTURES = Path(__file__).parent / "fixtures" / "protobuf"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.pb"))


def _varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _field(number: int, payload: bytes | int) -> bytes:
    """A protobuf field written by hand (independent of the module's encoder): bytes → wire type 2."""
    if isinstance(payload, int):
        return _varint(number << 3) + _varint(payload)
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    type_meta = _field(1, api_version.encode()) + _field(2, kind.encode())
    return MAGIC + _field(1, type_meta) + _field(2, raw) + _field(3, b"") + _field(4, b"")


def test_fixtures_cover_every_typed_create():
    kinds = {json.loads((FIXTURES / f"{n}.json").read_text())["kind"] for n in NAMES}
    assert kinds == {
        "ClusterRole",
        "ClusterRoleBinding",
        "ConfigMap",
        "CronJob",
        "Deployment",
        "HorizontalPodAutoscaler",
        "Ingress",
        "Job",
        "Namespace",
        "PodDisruptionBudget",
        "PriorityClass",
        "ResourceQuota",
        "Role",
        "RoleBinding",
        "Secret",
        "Service",
        "ServiceAccount",
        "TokenRequest",
    }


@pytest.mark.parametrize("name", NAMES)
def test_kubectl_body_decodes_to_the_json_kubectl_prints(name):
    body = (FIXTURES / f"{name}.pb").read_bytes()
    assert body.startswith(MAGIC)
    assert decode(body) == json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.mark.parametrize("name", NAMES)
def test_encode_gives_back_kubectls_bytes(name):
    body = (FIXTURES / f"{name}.pb").read_bytes()
    assert encode(json.loads((FIXTURES / f"{name}.json").read_text())) == body


def test_deployment_fixture_in_detail():
    """What `kubectl create deployment web --image=nginx:1.27 --replicas=3 --port=80` sends, as JSON: the
    empty non-pointer structs (`strategy`, `resources`, `status`) stay as `{}`, creationTimestamp (omitzero
    in v1.37) is gone, and nothing else is invented."""
    assert decode((FIXTURES / "deployment.pb").read_bytes()) == {
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {
                            "name": "nginx",
                            "image": "nginx:1.27",
                            "ports": [{"containerPort": 80}],
                            "resources": {},
                        }
                    ]
                },
            },
            "strategy": {},
        },
        "status": {},
    }


def test_a_hand_written_body_decodes():
    """A ConfigMap assembled field by field from core/v1 generated.proto (ConfigMap: 1 metadata, 2 data,
    3 binaryData; ObjectMeta: 1 name, 3 namespace, 11 labels) — unset fields are Go zero values and dropped."""
    meta = _field(1, b"settings") + _field(3, b"team") + _field(11, _field(1, b"tier") + _field(2, b"web"))
    raw = _field(1, meta) + _field(2, _field(1, b"mode") + _field(2, b"fast")) + _field(3, _field(1, b"b"))
    assert decode(_envelope("v1", "ConfigMap", raw)) == {
        "kind": "ConfigMap",
        "apiVersion": "v1",
        "metadata": {"name": "settings", "namespace": "team", "labels": {"tier": "web"}},
        "data": {"mode": "fast"},
        "binaryData": {"b": ""},
    }


def test_unknown_fields_are_skipped():
    body = (FIXTURES / "namespace.pb").read_bytes()
    obj = decode(body)
    raw = encode(obj)[len(MAGIC) :]
    extra = _envelope("v1", "Namespace", _field(1, _field(1, b"team-a")) + _field(99, 7) + _field(98, b"x"))
    assert decode(extra)["metadata"] == {"name": "team-a"}
    assert raw  # the fixture itself re-encodes


# ---------------------------------------------------------------------------------------------- malformed
@pytest.mark.parametrize(
    "body",
    [b"", b"k8s", b"{}", b'{"kind":"Namespace"}', b"k8s\x01\x0a\x00", b"K8S\x00"],
    ids=["empty", "short", "json", "json-object", "wrong-magic", "upper-case-magic"],
)
def test_wrong_magic(body):
    with pytest.raises(ProtobufError, match=r"does not appear to be a protobuf message, expected prefix"):
        decode(body)


def test_truncated_inside_the_object():
    body = (FIXTURES / "deployment.pb").read_bytes()
    with pytest.raises(ProtobufError, match="^unexpected EOF$"):
        decode(body[:-5])  # inside `raw` (field 2); fields 3 and 4 are the last four bytes
    with pytest.raises(ProtobufError, match="^unexpected EOF$"):
        decode(body[:-30])


@pytest.mark.parametrize("name", NAMES)
def test_every_truncation_is_an_error_or_an_object(name):
    """Cut anywhere, a body either still parses (cut at a field boundary of the envelope) or raises
    ProtobufError — never another exception (which would be a 500)."""
    body = (FIXTURES / f"{name}.pb").read_bytes()
    errors = 0
    for cut in range(len(MAGIC), len(body)):
        try:
            assert isinstance(decode(body[:cut]), dict)
        except ProtobufError:
            errors += 1
    # Only cuts at the envelope's own field boundaries (a handful) can parse; every cut inside raw fails.
    assert errors >= len(body) - len(MAGIC) - 6


@pytest.mark.parametrize("name", ["deployment", "ingress", "secret-tls", "cronjob", "autoscale"])
def test_corrupted_bytes_never_escape_as_other_errors(name):
    body = bytearray((FIXTURES / f"{name}.pb").read_bytes())
    rng = random.Random(name)
    outcomes = set()
    for _ in range(400):
        bad = bytearray(body)
        for _ in range(rng.randint(1, 3)):
            bad[rng.randrange(len(MAGIC), len(bad))] = rng.randrange(256)
        try:
            decode(bytes(bad))
            outcomes.add("object")
        except ProtobufError:
            outcomes.add("error")
    assert "error" in outcomes


def test_wrong_wire_type_is_named():
    spec_replicas_as_bytes = _field(2, _field(1, b"3"))  # DeploymentSpec.replicas is a varint
    with pytest.raises(ProtobufError, match="^proto: wrong wireType = 2 for field Replicas$"):
        decode(_envelope("apps/v1", "Deployment", spec_replicas_as_bytes))
    with pytest.raises(ProtobufError, match="^proto: wrong wireType = 0 for field ObjectMeta$"):
        decode(_envelope("apps/v1", "Deployment", _field(1, 5)))
    with pytest.raises(ProtobufError, match="^proto: wrong wireType = 0 for field Name$"):
        decode(_envelope("v1", "Namespace", _field(1, _field(1, 5))))


def test_foreign_content_in_the_envelope():
    raw = _field(1, _field(1, b"n"))
    type_meta = _field(1, _field(1, b"v1") + _field(2, b"Namespace"))
    with pytest.raises(ProtobufError, match="^unsupported content encoding 'gzip'$"):
        decode(MAGIC + type_meta + _field(2, raw) + _field(3, b"gzip"))
    with pytest.raises(ProtobufError, match="^unsupported content type 'application/cbor'$"):
        decode(MAGIC + type_meta + _field(2, raw) + _field(4, b"application/cbor"))


def test_unknown_kind_and_version():
    with pytest.raises(ProtobufError, match='^no kind "Frobnicator" is registered for version "apps/v1"$'):
        decode(_envelope("apps/v1", "Frobnicator", b""))
    with pytest.raises(ProtobufError, match='^no kind "Deployment" is registered for version "apps/v9"$'):
        decode(_envelope("apps/v9", "Deployment", b""))
    with pytest.raises(ProtobufError, match='^no kind "" is registered for version ""$'):
        decode(MAGIC)


def test_bad_varints_and_wire_types():
    with pytest.raises(ProtobufError, match="^proto: integer overflow$"):
        decode(MAGIC + b"\x08" + b"\xff" * 10 + b"\x01")
    with pytest.raises(ProtobufError, match="^proto: illegal wireType 3$"):
        decode(MAGIC + b"\x0b")
    with pytest.raises(ProtobufError, match="^proto: illegal tag 0"):
        decode(MAGIC + b"\x00\x00")
    with pytest.raises(ProtobufError, match="^unexpected EOF$"):
        decode(MAGIC + b"\x0a\x85")  # a length whose varint never ends
    with pytest.raises(ProtobufError, match="^proto: negative length found during unmarshaling$"):
        decode(MAGIC + b"\x0a" + b"\xff" * 9 + b"\x01")


def test_a_bad_int_or_string_type():
    port = _field(1, b"http") + _field(4, _field(1, 7) + _field(2, 80))  # IntOrString.type 7
    raw = _field(1, _field(1, b"svc")) + _field(2, _field(1, port))
    with pytest.raises(ProtobufError, match="^impossible IntOrString.Type$"):
        decode(_envelope("v1", "Service", raw))


def test_encode_refuses_what_it_cannot_encode():
    with pytest.raises(ProtobufError, match='no kind "Nope"'):
        encode({"apiVersion": "v1", "kind": "Nope"})
    with pytest.raises(ProtobufError, match="cannot encode 'three' as int32"):
        encode({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"replicas": "three"}})
    with pytest.raises(ProtobufError, match="illegal base64"):
        encode({"apiVersion": "v1", "kind": "Secret", "data": {"k": "not base64!"}})


# ------------------------------------------------------------------------------------------- JSON codecs
def _round_trip(obj: dict) -> dict:
    return decode(encode(obj))


def test_time_and_micro_time():
    """metav1.Time keeps whole seconds (Unmarshal drops nanos [S apimachinery time_proto.go]); MicroTime
    keeps microseconds; an unset non-pointer Time without omitempty is null."""
    event = {
        "kind": "Event",
        "apiVersion": "v1",
        "metadata": {"name": "e", "creationTimestamp": "2026-12-01T01:02:03Z"},
        "involvedObject": {"kind": "Pod", "name": "p"},
        "reason": "Pulled",
        "source": {},
        "firstTimestamp": "2026-12-01T01:00:00Z",
        "lastTimestamp": None,
        "eventTime": "2026-12-01T01:02:03.123456Z",
        "reportingComponent": "",
        "reportingInstance": "",
    }
    assert _round_trip(event) == event
    seconds_and_nanos = _field(8, _field(1, 1_796_086_923) + _field(2, 999_000_000))
    got = decode(_envelope("v1", "Namespace", _field(1, _field(1, b"n") + seconds_and_nanos)))
    assert got["metadata"] == {"name": "n", "creationTimestamp": "2026-12-01T01:02:03Z"}
    epoch = _field(8, _field(1, 0))  # set, at the epoch: not the zero Time
    got = decode(_envelope("v1", "Namespace", _field(1, epoch)))
    assert got["metadata"] == {"creationTimestamp": "1970-01-01T00:00:00Z"}


def test_embedded_structs_are_flattened():
    """core/v1 Volume embeds VolumeSource and Probe embeds ProbeHandler: their fields sit in the parent's
    JSON (Go's encoding/json flattening), while the protobuf nests them as field 2 / field 1."""
    pod = {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {
            "name": "p",
            "deletionTimestamp": "2026-12-01T00:00:00Z",
            "deletionGracePeriodSeconds": 30,
        },
        "spec": {
            "volumes": [
                {"name": "cache", "emptyDir": {"sizeLimit": "1Gi"}},
                {"name": "cfg", "configMap": {"name": "c"}},
            ],
            "containers": [
                {
                    "name": "app",
                    "image": "nginx",
                    "ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"}],
                    "readinessProbe": {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 5},
                    "resources": {"limits": {"cpu": "500m", "memory": "129e6"}},
                    "securityContext": {"runAsUser": -1, "privileged": False},
                }
            ],
            "securityContext": {"supplementalGroups": [1000, 2000]},
        },
        "status": {},
    }
    assert _round_trip(pod) == pod
    raw = encode(pod)
    # Volume.volumeSource (2) > VolumeSource.emptyDir (2) > {medium (1) "", sizeLimit (2) > Quantity.string (1)}
    assert b"\x12\x0b\x12\x09\x0a\x00\x12\x05\x0a\x031Gi" in raw


def test_raw_extension_and_bytes():
    revision = {
        "kind": "ControllerRevision",
        "apiVersion": "apps/v1",
        "metadata": {"name": "web-1"},
        "data": {"spec": {"template": {"metadata": {"labels": {"a": "b"}}}}},
        "revision": 1,
    }
    assert _round_trip(revision) == revision
    secret = {"kind": "Secret", "apiVersion": "v1", "metadata": {"name": "s"}, "data": {"k": "//79AA=="}}
    assert _round_trip(secret) == secret


def _quota(hard: dict[bytes, bytes]) -> bytes:
    """A ResourceQuota (1 metadata, 2 spec) whose spec.hard (1) maps names to Quantity {1 string}."""
    entries = b"".join(_field(1, _field(1, k) + _field(2, _field(1, v))) for k, v in hard.items())
    return _envelope("v1", "ResourceQuota", _field(1, _field(1, b"q")) + _field(2, entries))


def test_quantities_are_parsed_and_printed_canonically():
    """Quantity.Unmarshal runs ParseQuantity, so the JSON shows the canonical text, and a bad quantity is a
    decode error with ParseQuantity's message (reference §B12.1)."""
    got = decode(_quota({b"cpu": b"1.5", b"memory": b"129e6", b"storage": b"1.5Gi", b"pods": b"10"}))
    assert got["spec"] == {"hard": {"cpu": "1500m", "memory": "129e6", "pods": "10", "storage": "1536Mi"}}
    with pytest.raises(ProtobufError, match=r"^quantities must match the regular expression"):
        decode(_quota({b"cpu": b"lots"}))
    with pytest.raises(ProtobufError, match="^unable to parse quantity's suffix$"):
        decode(_quota({b"cpu": b"1e"}))
    quota = {
        "kind": "ResourceQuota",
        "apiVersion": "v1",
        "metadata": {"name": "q"},
        "spec": {"hard": {"cpu": 0.5}},
    }
    assert decode(encode(quota))["spec"] == {"hard": {"cpu": "500m"}}


def test_invalid_utf8_becomes_the_replacement_character():
    got = decode(_envelope("v1", "Namespace", _field(1, _field(1, b"bad\xff"))))
    assert got["metadata"] == {"name": "bad\ufffd"}


@pytest.mark.parametrize(
    "ns,text",
    [
        (0, "0s"),
        (1, "1ns"),
        (1_500, "1.5µs"),
        (500_000_000, "500ms"),
        (1_500_000_000, "1.5s"),
        (90 * 10**9, "1m30s"),
        (3600 * 10**9, "1h0m0s"),
        (-(2 * 3600 + 3 * 60 + 4) * 10**9, "-2h3m4s"),
    ],
)
def test_go_duration(ns, text):
    """time.Duration.String() [S go:src/time/time.go], the JSON form of metav1.Duration."""
    assert go_duration(ns) == text
    assert parse_go_duration(text) == ns


def test_parse_go_duration_rejects_garbage():
    with pytest.raises(ProtobufError, match="invalid duration"):
        parse_go_duration("5 minutes")

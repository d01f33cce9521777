"""Quantities follow apimachinery's resource.Quantity: grammar, rounding, canonical printing and errors."""

import pytest

from visualizer.engine.quantity import (
    FORMAT_ERROR,
    SUFFIX_ERROR,
    QuantityError,
    canonical,
    canonicalize,
    first_error,
    format_binary,
    format_millicores,
    parse_quantity,
    to_bytes,
    to_millicores,
)

# Every row of the canonical printing table (reference §B12.1, observed with kubectl's own Quantity code).
CANONICAL = [
    ("129e6", "129e6"),
    ("1e9", "1e9"),
    ("1e3", "1e3"),
    ("1.5e3", "1500"),
    ("2e-2", "20e-3"),
    ("5e-3", "5e-3"),
    ("1.5Gi", "1536Mi"),
    ("1024Mi", "1Gi"),
    ("2048Ki", "2Mi"),
    ("1000Ki", "1000Ki"),
    ("0.5", "500m"),
    (".5", "500m"),
    ("1.5", "1500m"),
    ("1.5k", "1500"),
    ("1000000000", "1G"),
    ("0.1m", "100u"),
    ("0.0001", "100u"),
    ("1500m", "1500m"),
    ("1m", "1m"),
    ("100M", "100M"),
    ("256M", "256M"),
    ("300Mi", "300Mi"),
    ("12E", "12E"),
    ("+1", "+1"),
    ("1024", "1024"),
]


@pytest.mark.parametrize(("text", "printed"), CANONICAL)
def test_canonical_printing_matches_the_api_server(text, printed):
    """Each input prints back as the API server prints it (the family of the suffix is kept)."""
    assert str(parse_quantity(text)) == printed


@pytest.mark.parametrize(
    ("text", "millicores"),
    [("250m", 250), ("0.5", 500), (".5", 500), ("5.", 5000), ("1", 1000), ("1e3", 1_000_000), ("0.1m", 1)],
)
def test_cpu_values_in_millicores_round_up(text, millicores):
    """MilliValue rounds up: 0.1m of cpu is still 1 millicore."""
    assert to_millicores(text) == millicores


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("128Mi", 128 * 2**20),
        ("129e6", 129_000_000),
        ("1.5Gi", 1536 * 2**20),
        ("500M", 500_000_000),
        ("1E", 10**18),
        ("1Ei", 2**60),
        ("2e-2", 1),
        ("100n", 1),
    ],
)
def test_memory_values_in_bytes_round_up(text, n):
    """Value rounds up to whole bytes; binary and decimal suffixes and exponents all work."""
    assert to_bytes(text) == n


def test_values_finer_than_nano_round_up_to_one_nano():
    """Anything finer than 1n is rounded up (away from zero) to nano scale, never down to zero."""
    assert str(parse_quantity("0.0000000001")) == "1n"
    assert str(parse_quantity("-0.0000000001")) == "-1n"
    assert str(parse_quantity("1e-12")) == "1e-9"


def test_signed_numbers_parse():
    """Signs are allowed by the grammar; negative values print with their sign."""
    assert parse_quantity("-1").sign == -1
    assert str(parse_quantity("-1.5")) == "-1500m"
    assert str(parse_quantity("-2048Ki")) == "-2Mi"


@pytest.mark.parametrize("text", ["10 cores", "abc", "", "1.2.3", "1Kb", "1 Mi"])
def test_malformed_quantities_raise_the_regex_error(text):
    """A text outside the grammar gets the API server's regular-expression message."""
    with pytest.raises(QuantityError) as exc:
        parse_quantity(text)
    assert str(exc.value) == FORMAT_ERROR
    assert FORMAT_ERROR == (
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )


@pytest.mark.parametrize("text", ["1e", "1K", "1mi", "1ki", "1Mm", "1ee3", "--1", "1Mi1"])
def test_bad_suffixes_raise_the_suffix_error(text):
    """`1e`, `1K` or `--1` pass the first scan but have no such suffix (only `k` is kilo)."""
    with pytest.raises(QuantityError, match="^unable to parse quantity's suffix$"):
        parse_quantity(text)
    assert SUFFIX_ERROR == "unable to parse quantity's suffix"


def test_manifest_numbers_decode_like_json():
    """YAML numbers reach ParseQuantity as JSON numbers: 2 → `2`, 0.5 → `500m`, 1.0 → `1`."""
    assert [canonical(v) for v in (2, 0.5, 1.0, "100Mi", 1e20)] == ["2", "500m", "1", "100Mi", "100E"]
    with pytest.raises(QuantityError):
        canonical(True)


def test_surrounding_spaces_are_trimmed_as_the_json_decoder_does():
    """UnmarshalJSON trims spaces before parsing."""
    assert canonical(" 100Mi ") == "100Mi"


def test_canonicalize_rewrites_every_quantity_of_a_pod_template():
    """Requests, limits, emptyDir sizeLimit and claim templates are stored in canonical form."""
    sts = {
        "kind": "StatefulSet",
        "spec": {
            "template": {
                "spec": {
                    "containers": [{"resources": {"requests": {"cpu": 0.5, "memory": "129e6"}}}],
                    "volumes": [{"name": "x", "emptyDir": {"sizeLimit": "1.5Gi"}}],
                }
            },
            "volumeClaimTemplates": [{"spec": {"resources": {"requests": {"storage": "1024Mi"}}}}],
        },
    }
    canonicalize(sts)
    tmpl = sts["spec"]["template"]["spec"]
    assert tmpl["containers"][0]["resources"]["requests"] == {"cpu": "500m", "memory": "129e6"}
    assert tmpl["volumes"][0]["emptyDir"]["sizeLimit"] == "1536Mi"
    assert sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] == "1Gi"


def test_first_error_reports_the_first_bad_quantity():
    """A manifest with a bad quantity yields the decode error's words; a good one yields None."""
    pod = {"kind": "Pod", "spec": {"containers": [{"resources": {"limits": {"memory": "1e"}}}]}}
    assert first_error(pod) == SUFFIX_ERROR
    pod["spec"]["containers"][0]["resources"]["limits"]["memory"] = "200Mi"
    assert first_error(pod) is None


def test_engine_counts_print_canonically():
    """Computed totals print as NewMilliQuantity / NewQuantity(BinarySI) would."""
    assert [format_millicores(m) for m in (0, 250, 1000, 1500, 2000)] == ["0", "250m", "1", "1500m", "2"]
    assert [format_binary(n) for n in (0, 512, 1024, 1536 * 2**20, 2**30, 1000)] == [
        "0",
        "512",
        "1Ki",
        "1536Mi",
        "1Gi",
        "1k",  # below 1024 a binary quantity prints as decimal SI
    ]


def test_requirements_validation_compares_requests_with_limits():
    """A request above its limit, or a negative quantity, gets ValidateResourceRequirements' words."""
    from visualizer.engine.quantity import compare, resource_requirements_errors

    assert compare(parse_quantity("1.5Gi"), parse_quantity("1536Mi")) == 0
    assert compare(parse_quantity("500m"), parse_quantity("0.4")) == 1
    path = "spec.containers[0].resources"
    assert resource_requirements_errors({"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}, path) == [
        'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'
    ]
    assert resource_requirements_errors({"limits": {"memory": "-1"}}, path) == [
        'spec.containers[0].resources.limits[memory]: Invalid value: "-1": must be greater than or equal to 0'
    ]
    assert (
        resource_requirements_errors({"requests": {"memory": "100Mi"}, "limits": {"memory": "200Mi"}}, path)
        == []
    )

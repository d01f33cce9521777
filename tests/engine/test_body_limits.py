"""Bounded decoding of hostile JSON and YAML (visualizer/engine/body_limits.py): depth, numbers, aliases.

Wording follows Go's encoding/json scanner (`invalid character '[' exceeded max depth`, maxNestingDepth 10,000)
and go-yaml (`exceeded max depth of 10000`, `document contains excessive aliasing`)."""

from __future__ import annotations

import json

import pytest

from visualizer.engine.body_limits import (
    GO_MAX_DEPTH,
    MAX_DEPTH,
    DecodeLimitError,
    check_json_depth,
    load_yaml,
    loads_json,
)

SIM_NOTE = f"(the simulator's limit; Kubernetes allows {GO_MAX_DEPTH})"


def test_json_within_the_limit_decodes_as_json_loads_does():
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert loads_json(text) == json.loads(text)
    body = {"a": [1, 2.5, "x[[[{{{", None, True], "b": {"c": -(2**63)}}
    assert loads_json(json.dumps(body).encode()) == body


def test_json_one_level_too_deep_names_the_bracket_its_place_and_the_limit():
    text = '{"a":\n' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}"
    with pytest.raises(DecodeLimitError) as err:
        loads_json(text)
    # the 101st opener is the 100th '[' on line 2 (column 100)
    assert err.value.message == f"invalid character '[' exceeded max depth of {MAX_DEPTH} {SIM_NOTE}"
    assert (err.value.line, err.value.column) == (2, MAX_DEPTH)


def test_json_deeper_than_go_allows_gets_gos_own_message():
    with pytest.raises(DecodeLimitError) as err:
        loads_json(b"[" * 100_000 + b"]" * 100_000)
    assert err.value.message == "invalid character '[' exceeded max depth"
    assert (err.value.line, err.value.column) == (1, GO_MAX_DEPTH + 1)


def test_brackets_inside_strings_do_not_count():
    text = json.dumps({"a": "[" * 5000 + '\\"{' * 500})
    assert loads_json(text) == json.loads(text)
    check_json_depth(text)  # does not raise


@pytest.mark.parametrize(
    ("literal", "shown"),
    [
        ("9" * 10_000, "99999999999999999999…(10000 digits)"),
        ("-" + "1" * 400, "-1111111111111111111…(400 digits)"),
        ("1e999", "1e999"),
        ("-2.5E+400", "-2.5E+400"),
    ],
)
def test_a_number_beyond_float64_is_refused_in_gos_words(literal, shown):
    with pytest.raises(DecodeLimitError) as err:
        loads_json('{"n": ' + literal + "}")
    assert err.value.message == f"json: cannot unmarshal number {shown} into Go value of type float64"


def test_large_numbers_that_fit_float64_still_decode():
    assert loads_json("[18446744073709551615, 1e308, " + "9" * 300 + "]") == [
        2**64 - 1,
        1e308,
        int("9" * 300),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": NaN}', "invalid character 'N' looking for beginning of value"),
        ("[Infinity]", "invalid character 'I' looking for beginning of value"),
        ("[-Infinity]", "invalid character 'I' in numeric literal"),
    ],
)
def test_nan_and_infinity_are_not_json(text, message):
    with pytest.raises(DecodeLimitError) as err:
        loads_json(text)
    assert err.value.message == message


# ---------------------------------------------------------------------------------------------- YAML
def test_yaml_flow_nesting_deeper_than_go_yaml_allows():
    with pytest.raises(DecodeLimitError) as err:
        load_yaml("a: " + "[" * 100_000 + "]" * 100_000)
    assert err.value.message == "yaml: exceeded max depth of 10000"


@pytest.mark.parametrize(
    "text",
    [
        "kind: x\na: " + "{a: " * (MAX_DEPTH + 5) + "1" + "}" * (MAX_DEPTH + 5),
        "kind: x\na:\n" + "".join(" " * (i + 1) + "- \n" for i in range(MAX_DEPTH + 5)),
        "kind: x\n" + "".join(" " * i + "a:\n" for i in range(MAX_DEPTH + 5)),
    ],
    ids=["flow", "block-sequence", "block-mapping"],
)
def test_yaml_past_the_simulators_depth_is_refused_with_line_and_column(text):
    with pytest.raises(DecodeLimitError) as err:
        load_yaml(text)
    assert err.value.message.endswith(f"exceeded max depth of {MAX_DEPTH} {SIM_NOTE}")
    assert err.value.message.startswith(f"yaml: line {err.value.line}: ")
    assert err.value.line >= 2 and err.value.column >= 1


def test_yaml_within_the_depth_decodes():
    text = "a: " + "[" * (MAX_DEPTH - 1) + "1" + "]" * (MAX_DEPTH - 1)
    value = load_yaml(text)["a"]
    for _ in range(MAX_DEPTH - 2):
        value = value[0]
    assert value == [1]


def test_billion_laughs_is_excessive_aliasing():
    text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 10):
        text += f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n"
    with pytest.raises(DecodeLimitError) as err:
        load_yaml(text)
    assert err.value.message == "yaml: document contains excessive aliasing"
    assert err.value.line is not None


def test_a_few_aliases_still_expand():
    assert load_yaml("a: &x {k: v}\nb: *x\nc: [*x, *x]") == {
        "a": {"k": "v"},
        "b": {"k": "v"},
        "c": [{"k": "v"}] * 2,
    }


@pytest.mark.parametrize(
    ("scalar", "value"),
    [
        ("9" * 10_000, "9" * 10_000),  # beyond float64: go-yaml keeps the text
        ("99999999999999999999", 1e20),  # beyond uint64: a float
        ("18446744073709551615", 2**64 - 1),  # uint64
        ("-9223372036854775808", -(2**63)),
        ("0x1F", 31),
        ("1:20", "1:20"),  # no base-60 numbers in go-yaml v2
        ("1:2:3:4.5", "1:2:3:4.5"),
        ("1.0e+999", "1.0e+999"),
        (".inf", float("inf")),
        ("12", 12),
        ("1.5", 1.5),
    ],
)
def test_yaml_numbers_get_go_yamls_types(scalar, value):
    assert load_yaml(f"n: {scalar}") == {"n": value}

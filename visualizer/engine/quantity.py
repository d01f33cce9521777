"""Resource quantities (`250m`, `1.5Gi`, `129e6`) parsed and printed as the API server does.

A port of apimachinery `pkg/api/resource/quantity.go` (`ParseQuantity`, `parseQuantityString`,
`CanonicalizeBytes`) and `suffix.go`:

- grammar `<signedNumber><suffix>`: an optional sign, digits with an optional `.` (`5.` and `.5` are fine),
  then a binary suffix `Ki Mi Gi Ti Pi Ei`, a decimal SI suffix `n u m "" k M G T P E`, or an exponent
  `e<int>` / `E<int>` (`129e6`, `2e-2`);
- the value is exact (an integer times a power of ten); anything finer than `1n` is rounded **up** (away from
  zero) to nano scale, so asking for a tiny amount still asks for some;
- printing keeps the family of the input (binary, decimal SI, exponent), uses the largest suffix that needs no
  fraction, and reuses the user's own text when it is already canonical (`+1` stays `+1`, `300Mi` stays);
- errors carry the API server's words: `quantities must match the regular expression …` (format) and
  `unable to parse quantity's suffix` (a suffix such as `1e` or `1K`).

In a manifest a bad quantity is a decode error, which `apiserver.admit` reports as the real server does:
`Pod in version "v1" cannot be handled as a Pod: quantities must match …` (see `first_error`).
"""

from __future__ import annotations

import contextlib
import functools
import json
from dataclasses import dataclass
from decimal import Decimal

FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
SUFFIX_ERROR = "unable to parse quantity's suffix"
NUMERIC_ERROR = "unable to parse numeric part of quantity"

DECIMAL_SI = "DecimalSI"
BINARY_SI = "BinarySI"
DECIMAL_EXPONENT = "DecimalExponent"

# suffix.go: decimal SI suffixes are powers of ten, binary ones powers of two.
_DEC_SUFFIX = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BIN_SUFFIX = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DEC_BY_EXP = {v: k for k, v in _DEC_SUFFIX.items()}
_BIN_BY_EXP = {v: k for k, v in _BIN_SUFFIX.items()}
_SUFFIX_CHARS = set("eEinumkKMGTP")
_DIGITS = set("0123456789")
_NANO = -9
_MAX_INT64_FACTORS = 18  # quantity.go maxInt64Factors: digits an int64 always holds
_MAX_BINARY = 2**63 - 1  # quantity.go maxAllowed: binary quantities are capped at the int64 maximum


class QuantityError(ValueError):
    """A text that is not a quantity; `str(error)` is the API server's own message."""


@dataclass(frozen=True)
class Quantity:
    """An exact quantity: `unscaled × 10**scale` (scale ≥ -9), its format family and, when the user's
    text was already canonical, that text (`s` in quantity.go) to print back unchanged."""

    unscaled: int
    scale: int
    format: str
    text: str | None = None

    @property
    def sign(self) -> int:
        """Returns -1, 0 or 1."""
        return (self.unscaled > 0) - (self.unscaled < 0)

    def scaled_value(self, scale: int) -> int:
        """Returns the value in units of 10**scale, rounded up away from zero (quantity.go `ScaledValue`)."""
        diff = self.scale - scale
        if diff >= 0:
            return self.unscaled * 10**diff
        div = 10 ** (-diff)
        q, r = divmod(abs(self.unscaled), div)
        return self.sign * (q + (1 if r else 0))

    def value(self) -> int:
        """Returns the value rounded up to an integer (bytes for memory/storage): quantity.go `Value`."""
        return self.scaled_value(0)

    def milli_value(self) -> int:
        """Returns the value in thousandths, rounded up (millicores for cpu): quantity.go `MilliValue`."""
        return self.scaled_value(-3)

    def __str__(self) -> str:
        return self.text if self.text is not None else canonical_text(self)


def _parse_quantity_string(text: str):
    """Returns (positive, value, num, denom, suffix) as quantity.go `parseQuantityString` splits them."""
    positive, pos, end = True, 0, len(text)
    if pos < end and text[0] in "+-":
        positive = text[0] == "+"
        pos += 1
    # Leading zeros are dropped; a number made only of zeros is zero.
    while True:
        if pos >= end:
            return positive, "0", "0", "", ""
        if text[pos] != "0":
            break
        pos += 1
    start = pos
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    num = text[start:pos] or "0"
    if pos >= end:
        return positive, text, num, "", ""
    denom = ""
    if text[pos] == ".":
        pos += 1
        start = pos
        while pos < end and text[pos] in _DIGITS:
            pos += 1
        denom = text[start:pos]
        if pos >= end:
            return positive, text, num, denom, ""
    value = text[:pos]
    suffix_start = pos
    while pos < end and text[pos] in _SUFFIX_CHARS:
        pos += 1
    if pos < end and text[pos] in "+-":
        pos += 1
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    if pos < end:
        raise QuantityError(FORMAT_ERROR)
    return positive, value, num, denom, text[suffix_start:]


def _interpret(suffix: str) -> tuple[int, int, str]:
    """Returns (base, exponent, format) for a suffix (suffix.go `interpret`); raises QuantityError."""
    if suffix in _DEC_SUFFIX:
        return 10, _DEC_SUFFIX[suffix], DECIMAL_SI
    if suffix in _BIN_SUFFIX:
        return 2, _BIN_SUFFIX[suffix], BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE":
        rest = suffix[1:]
        digits = rest[1:] if rest[0] in "+-" else rest
        if digits and all(ch in _DIGITS for ch in digits) and abs(int(rest)) <= 2**31 - 1:
            return 10, int(rest), DECIMAL_EXPONENT
    raise QuantityError(SUFFIX_ERROR)


@functools.lru_cache(maxsize=4096)
def parse_quantity(text: str) -> Quantity:
    """Returns the Quantity a text denotes, as apimachinery `ParseQuantity` does (after the JSON decoder's
    `strings.TrimSpace`).

    Raises QuantityError with `quantities must match the regular expression …`, `unable to parse
    quantity's suffix` or `unable to parse numeric part of quantity`.
    Source: kubernetes/apimachinery pkg/api/resource/quantity.go.
    """
    text = text.strip()
    if not text:
        raise QuantityError(FORMAT_ERROR)
    if text == "0":
        return Quantity(0, 0, DECIMAL_SI, "0")
    positive, value, num, denom, suffix = _parse_quantity_string(text)
    base, exponent, fmt = _interpret(suffix)
    # The fast path of ParseQuantity: small exact numbers keep the user's text when it is canonical.
    if fmt == BINARY_SI:
        scale, mantissa = 0, 1
        precision = 15 - len(num) - int(exponent * 3 / 10) - 1 if not denom else -1
        if not denom:
            mantissa = 1 << exponent
    else:
        scale, mantissa = exponent, 1
        precision = _MAX_INT64_FACTORS - (len(num) + len(denom))
    if precision >= 0:
        scale -= len(denom)
        if scale >= _NANO:
            shifted = num + denom
            result = int(shifted) * mantissa
            if abs(result) < 2**63:
                result = result if positive else -result
                if fmt == BINARY_SI:
                    reuse = exponent % 10 == 0 and int(shifted) & 0x07 != 0
                else:
                    reuse = scale % 3 == 0 and not shifted.endswith("000") and shifted[0] != "0"
                return Quantity(result, scale, fmt, text if reuse else None)
    # The general path (inf.Dec): exact arithmetic, then rounding up to nano scale.
    try:
        dec = Decimal(value)
    except ArithmeticError:
        raise QuantityError(NUMERIC_ERROR) from None
    if not dec.is_finite():
        raise QuantityError(NUMERIC_ERROR)
    sign_, digits, exp = dec.as_tuple()
    unscaled = int("".join(map(str, digits)) or "0")
    scale = exp
    if base == 10:
        scale += exponent
    else:
        unscaled <<= exponent
    if unscaled and scale < _NANO:
        div = 10 ** (_NANO - scale)
        q, r = divmod(unscaled, div)
        unscaled, scale = q + (1 if r else 0), _NANO
    if fmt == BINARY_SI:
        exact = unscaled * 10**scale if scale >= 0 else None
        if exact is not None and exact > _MAX_BINARY:
            unscaled, scale = _MAX_BINARY, 0
        elif unscaled and _lt_one(unscaled, scale):
            fmt = DECIMAL_SI  # a binary value below 1 would need rounding: shown as decimal
    if sign_:
        unscaled = -unscaled
    return Quantity(unscaled, scale, fmt)


def _lt_one(unscaled: int, scale: int) -> bool:
    return scale < 0 and abs(unscaled) < 10 ** (-scale)


def _remove_factors(value: int, base: int) -> tuple[int, int]:
    times = 0
    while value and value % base == 0:
        value //= base
        times += 1
    return value, times


def canonical_text(q: Quantity) -> str:
    """Returns the canonical form of a quantity (quantity.go `CanonicalizeBytes`): `1536Mi`, `500m`,
    `20e-3`, `1G`; binary quantities that are not whole numbers, or below 1024, print as decimal SI."""
    if q.unscaled == 0:
        return "0"
    fmt = q.format
    if fmt == BINARY_SI:
        whole = q.scale >= 0 or q.unscaled % 10 ** (-q.scale) == 0
        if not whole or abs(q.scaled_value(0)) < 1024:
            fmt = DECIMAL_SI
    if fmt == BINARY_SI:
        value = q.scaled_value(0)
        amount, times = _remove_factors(abs(value), 1024)
        return f"{'-' if value < 0 else ''}{amount}{_BIN_BY_EXP.get(times * 10, '')}"
    amount, times = _remove_factors(abs(q.unscaled), 10)
    exponent = q.scale + times
    r = exponent % 3  # move the exponent down to a multiple of three, as AsCanonicalBytes does
    amount *= 10**r
    exponent -= r
    number = f"{'-' if q.unscaled < 0 else ''}{amount}"
    if fmt == DECIMAL_EXPONENT:
        return number if exponent == 0 else f"{number}e{exponent}"
    return number + _DEC_BY_EXP.get(exponent, "")


def json_text(value) -> str:
    """Returns the text the API server's JSON decoder hands to ParseQuantity for a manifest value: strings
    as they are, integers in decimal, floats as Go's encoding/json writes them (no exponent between 1e-6
    and 1e21). Raises QuantityError for booleans and other non-numbers (they fail the same regular
    expression on a real server)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise QuantityError(FORMAT_ERROR)
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise QuantityError(FORMAT_ERROR)
    if value == 0 or 1e-6 <= abs(value) < 1e21:
        text = format(Decimal(repr(value)), "f")
        return text[:-2] if text.endswith(".0") else text
    return repr(value)


def canonical(value) -> str:
    """Returns the canonical text the API server stores for a manifest's quantity value (`0.5` → `500m`,
    `1.5Gi` → `1536Mi`, `129e6` → `129e6`); raises QuantityError."""
    return str(parse_quantity(json_text(value)))


# ---------------------------------------------------------------------------- quantities in a manifest
def _maps_in_pod_spec(spec) -> list[tuple[dict, str]]:
    out: list[tuple[dict, str]] = []
    if not isinstance(spec, dict):
        return out
    for field in ("initContainers", "containers", "ephemeralContainers"):
        for c in spec.get(field) or ():
            if isinstance(c, dict):
                _resources(c.get("resources"), out)
    _resources(spec.get("resources"), out)  # pod-level resources (PodLevelResources)
    _map(spec.get("overhead"), out)
    for v in spec.get("volumes") or ():
        if isinstance(v, dict) and isinstance(v.get("emptyDir"), dict) and "sizeLimit" in v["emptyDir"]:
            out.append((v["emptyDir"], "sizeLimit"))
    return out


def _resources(res, out) -> None:
    if isinstance(res, dict):
        _map(res.get("requests"), out)
        _map(res.get("limits"), out)


def _map(m, out) -> None:
    if isinstance(m, dict):
        out.extend((m, k) for k in m)


def _dig(obj, *path):
    for p in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(p)
    return obj


def quantity_slots(obj: dict) -> list[tuple[dict, str]]:
    """Returns (mapping, key) for every quantity-typed field of an object of a kind the engine knows:
    container requests/limits (pods and every pod template), pod overhead, emptyDir sizeLimit, PVC and
    volumeClaimTemplate requests/limits, PV capacity, ResourceQuota hard, LimitRange limits, HPA targets."""
    out: list[tuple[dict, str]] = []
    if not isinstance(obj, dict):
        return out
    kind, spec = obj.get("kind"), obj.get("spec")
    if kind == "Pod":
        out += _maps_in_pod_spec(spec)
    elif kind == "CronJob":
        out += _maps_in_pod_spec(_dig(spec, "jobTemplate", "spec", "template", "spec"))
    else:
        out += _maps_in_pod_spec(_dig(spec, "template", "spec"))
    if kind == "PersistentVolumeClaim":
        _resources(_dig(spec, "resources"), out)
    if kind == "StatefulSet":
        for t in _dig(spec, "volumeClaimTemplates") or ():
            _resources(_dig(t, "spec", "resources"), out)
    if kind == "PersistentVolume":
        _map(_dig(spec, "capacity"), out)
    if kind == "ResourceQuota":
        _map(_dig(spec, "hard"), out)
    if kind == "LimitRange":
        for item in _dig(spec, "limits") or ():
            for field in ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio"):
                _map(_dig(item, field), out)
    if kind == "HorizontalPodAutoscaler":
        for metric in _dig(spec, "metrics") or ():
            if not isinstance(metric, dict):
                continue
            for source in metric.values():
                target = _dig(source, "target")
                if isinstance(target, dict):
                    out.extend((target, k) for k in ("value", "averageValue") if k in target)
    return out


def first_error(obj: dict) -> str | None:
    """Returns the decode error of the first quantity of a manifest that does not parse (the API server
    stops decoding at the first one), or None. Null values are left alone, as the decoder does."""
    for mapping, key in quantity_slots(obj):
        value = mapping[key]
        if value is None:
            continue
        try:
            canonical(value)
        except QuantityError as exc:
            return str(exc)
    return None


def canonicalize(obj: dict) -> None:
    """Rewrites every quantity of a (private, decoded) object in place to the text the API server stores
    and prints back: `0.5` → `500m`, `2` → `2`, `1.5Gi` → `1536Mi`, `129e6` → `129e6`. Values that do
    not parse are left for `first_error` to report."""
    for mapping, key in quantity_slots(obj):
        value = mapping[key]
        if value is None:
            continue
        with contextlib.suppress(QuantityError):  # reported by first_error, never stored half-parsed
            mapping[key] = canonical(value)


def compare(a: Quantity, b: Quantity) -> int:
    """Returns -1, 0 or 1 as a is less than, equal to or greater than b (quantity.go `Cmp`)."""
    scale = min(a.scale, b.scale)
    x, y = a.unscaled * 10 ** (a.scale - scale), b.unscaled * 10 ** (b.scale - scale)
    return (x > y) - (x < y)


def resource_requirements_errors(resources: dict, path: str) -> list[str]:
    """Returns the API server's field errors for a container's `resources` (`path` is e.g.
    `spec.containers[0].resources`): a negative request or limit (`must be greater than or equal to 0`,
    ValidateNonnegativeQuantity) and a request above its limit (`must be less than or equal to cpu limit of
    1`). Source: kubernetes pkg/apis/core/validation/validation.go `ValidateResourceRequirements`."""
    errs: list[str] = []
    parsed: dict[str, dict[str, Quantity]] = {"requests": {}, "limits": {}}
    for section in ("limits", "requests"):
        values = resources.get(section) or {}
        if not isinstance(values, dict):
            continue
        for name, value in values.items():
            try:
                q = parse_quantity(json_text(value))
            except QuantityError as exc:  # normally refused earlier, as a decode error
                errs.append(f"{path}.{section}[{name}]: Invalid value: {json.dumps(value)}: {exc}")
                continue
            if q.sign < 0:
                errs.append(
                    f'{path}.{section}[{name}]: Invalid value: "{q}": must be greater than or equal to 0'
                )
            parsed[section][name] = q
    for name, request in parsed["requests"].items():
        limit = parsed["limits"].get(name)
        if limit is not None and compare(request, limit) > 0:
            errs.append(
                f'{path}.requests: Invalid value: "{request}": must be less than or equal to {name} limit of '
                f"{limit}"
            )
    return errs


# ------------------------------------------------------------------------------------ engine helpers
def to_millicores(value) -> int:
    """Returns millicores for a cpu quantity (`250m` → 250, `0.5` → 500, 2 → 2000), rounded up as
    `MilliValue` does; raises QuantityError (a ValueError) for a malformed or negative quantity."""
    return _millicores(value) if isinstance(value, str) else _nonnegative(value).milli_value()


def to_bytes(value) -> int:
    """Returns bytes for a memory/storage quantity (`128Mi`, `1Gi`, `500M`, `129e6`, 1024), rounded up as
    `Value` does; raises QuantityError (a ValueError) for a malformed or negative quantity."""
    return _bytes(value) if isinstance(value, str) else _nonnegative(value).value()


# The scheduler and the snapshot convert the same few texts over and over: cache them.
@functools.lru_cache(maxsize=4096)
def _millicores(text: str) -> int:
    return _nonnegative(text).milli_value()


@functools.lru_cache(maxsize=4096)
def _bytes(text: str) -> int:
    return _nonnegative(text).value()


def _nonnegative(value) -> Quantity:
    q = parse_quantity(json_text(value))
    if q.sign < 0:
        raise QuantityError("must be greater than or equal to 0")
    return q


def format_millicores(milli: int) -> str:
    """Returns the canonical text of a millicore count (`NewMilliQuantity(m, DecimalSI)`): `250m`, `2`."""
    return canonical_text(Quantity(milli, -3, DECIMAL_SI))


def format_binary(n: int) -> str:
    """Returns the canonical text of a byte count (`NewQuantity(n, BinarySI)`): `128Mi`, `4Gi`, `1000`."""
    return canonical_text(Quantity(n, 0, BINARY_SI))

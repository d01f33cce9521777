"""Object helpers: quantities, label selectors, generated names, template hashes, suggestions."""

import random

import pytest

from visualizer.engine import objects
from visualizer.engine.objects import (
    NAME_ALPHABET,
    did_you_mean,
    generate_name,
    matches,
    parse_bytes,
    parse_cpu,
    parse_selector,
    template_hash,
)


def test_cpu_quantities_parse_to_millicores():
    """250m, 0.5, 1 and 2 parse to 250, 500, 1000 and 2000 millicores."""
    assert [parse_cpu(v) for v in ("250m", "0.5", "1", 2)] == [250, 500, 1000, 2000]


def test_memory_quantities_parse_to_bytes():
    """128Mi, 1Gi and 500M parse to bytes with binary and decimal suffixes."""
    assert parse_bytes("128Mi") == 128 * 1024**2
    assert parse_bytes("1Gi") == 1024**3
    assert parse_bytes("500M") == 500_000_000


def test_bad_quantities_raise_value_error():
    """A quantity with an unknown suffix is refused."""
    with pytest.raises(ValueError):
        parse_cpu("10 cores")


def test_quantity_texts_are_remembered_in_bounded_caches_and_refusals_are_not(monkeypatch):
    """parse_cpu/parse_bytes keep parsed texts in plain dicts (cheaper than the lru_cache behind them), cleared
    when full; a refused text raises every time and is never kept."""
    monkeypatch.setattr(objects, "_QUANTITY_CACHE_MAX", 3)
    monkeypatch.setattr(objects, "_CPU_CACHE", {})
    monkeypatch.setattr(objects, "_BYTES_CACHE", {})
    for _ in range(2):
        with pytest.raises(ValueError):
            parse_cpu("-1")
        with pytest.raises(ValueError):
            parse_bytes("lots")
    assert objects._CPU_CACHE == {} and objects._BYTES_CACHE == {}
    assert [parse_cpu(v) for v in ("1m", "2m", "3m", "1m")] == [1, 2, 3, 1]
    assert objects._CPU_CACHE == {"1m": 1, "2m": 2, "3m": 3}
    assert parse_cpu("4m") == 4 and objects._CPU_CACHE == {"4m": 4}  # full: cleared, then kept
    assert parse_bytes("1Ki") == parse_bytes("1Ki") == 1024 and objects._BYTES_CACHE == {"1Ki": 1024}
    assert parse_cpu(3) == 3000 and 3 not in objects._CPU_CACHE  # numbers are not texts: converted directly


def test_selectors_support_equality_sets_and_existence():
    """`-l` selectors with =, !=, in, notin and existence match like kubectl's."""
    labels = {"app": "web", "tier": "front"}
    assert matches(parse_selector("app=web"), labels)
    assert not matches(parse_selector("app!=web"), labels)
    assert matches(parse_selector("tier in (front,back)"), labels)
    assert not matches(parse_selector("tier notin (front)"), labels)
    assert matches(parse_selector("app,!missing"), labels)


def test_generated_names_append_five_characters_from_the_safe_alphabet():
    """generateName appends 5 characters drawn from bcdfghjklmnpqrstvwxz2456789."""
    name = generate_name("web-7d4b9c8f5-", random.Random(1))
    suffix = name.rsplit("-", 1)[1]
    assert len(suffix) == 5 and set(suffix) <= set(NAME_ALPHABET)


def test_template_hash_ignores_the_hash_label_and_changes_with_the_template():
    """The pod-template-hash is stable, uses the safe alphabet, and changes when the image changes."""
    t1 = {
        "metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [{"name": "n", "image": "nginx:1.20"}]},
    }
    t2 = {"metadata": {"labels": {"app": "web", "pod-template-hash": "x"}}, "spec": t1["spec"]}
    t3 = {"metadata": t1["metadata"], "spec": {"containers": [{"name": "n", "image": "nginx:1.21"}]}}
    assert template_hash(t1) == template_hash(t2) != template_hash(t3)
    assert set(template_hash(t1)) <= set(NAME_ALPHABET)


def test_did_you_mean_suggests_close_words():
    """A one-letter typo suggests the intended word."""
    assert "get" in did_you_mean("gett", ["get", "apply", "delete"])

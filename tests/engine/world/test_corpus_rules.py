"""The real-world corpus keeps its rules: every case cites the kubernetes.io page it is modelled on."""

import importlib
import pkgutil

import pytest

import tests.engine.world as world


def _cases():
    for info in pkgutil.iter_modules(world.__path__):
        if not info.name.startswith("test_") or info.name == "test_corpus_rules":
            continue
        module = importlib.import_module(f"tests.engine.world.{info.name}")
        for name, func in vars(module).items():
            if name.startswith("test_") and callable(func):
                yield f"{info.name}::{name}", func


def _cited(func) -> list[str]:
    return [m.args[0] for m in getattr(func, "pytestmark", []) if m.name == "cites" and m.args]


@pytest.mark.parametrize("case", [name for name, _ in _cases()] or ["<none yet>"])
def test_every_case_cites_a_kubernetes_io_page(case):
    cases = dict(_cases())
    if case == "<none yet>":
        pytest.skip("no real-world cases collected yet")
    urls = _cited(cases[case])
    assert urls, f"{case} has no @pytest.mark.cites(url)"
    assert all(u.startswith("https://kubernetes.io/") for u in urls), urls


def test_the_corpus_holds_at_least_sixty_cases_from_at_least_twenty_pages():
    """Issue 10 asks for at least 60 real-world cases; they should model many pages, not one page 60 times."""
    cases = dict(_cases())
    pages = {url for func in cases.values() for url in _cited(func)}
    assert len(cases) >= 60, len(cases)
    assert len(pages) >= 20, sorted(pages)

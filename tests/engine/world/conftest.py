"""Real-world cases: manifests and command sequences modelled on kubernetes.io examples and tutorials.

Every test here is marked `@pytest.mark.cites("https://kubernetes.io/docs/…")` with the page it models, and
asserts what a real v1.3x cluster shows for that input (a status, a log line, an error's exact words, a
count of pods) — never only that nothing crashed. `test_corpus_rules.py` checks the citations.
"""

from tests.engine.conftest import cluster, get, ok, pods, running_ready  # noqa: F401 (shared fixtures)

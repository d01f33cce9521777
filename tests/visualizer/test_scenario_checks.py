"""Guided scenarios: the fixture, the check language, and each scenario driven through a real engine cluster.

Every scenario is played the way a student would: fresh cluster(s), the setup, then each step's action.
Before the action the step must stay open (however long the clock runs), a wrong action must leave it open,
and after the action it must complete only once the cluster's state shows it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from visualizer.engine import Cluster
from visualizer.scenario_checks import (
    CheckError,
    ScenarioProgress,
    apply_setup,
    evaluate,
    progress,
    setup_commands,
    start,
    validate_check,
    validate_scenario,
)

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "scenarios.json"
FEATURES = [
    "deployment",
    "service-discovery",
    "load-balancing",
    "auto-scaling",
    "health-checks",
    "rolling-update",
    "secrets",
    "storage",
]


def scenarios() -> dict[str, dict]:
    records = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return {r["fields"]["slug"]: r["fields"] for r in records}


def fresh(scenario: dict):
    if scenario.get("layout") == "pair":
        return {"a": Cluster(workers=3, seed=7), "b": Cluster(workers=3, seed=7)}
    return Cluster(workers=3, seed=7)


def sides(clusters) -> dict:
    return clusters if isinstance(clusters, dict) else {"a": clusters}


def advance(clusters, seconds: float) -> None:
    for cluster in sides(clusters).values():
        cluster.advance(seconds)


def run(cluster, command: str, stdin: str | None = None) -> None:
    result = cluster.run(command, stdin=stdin)
    assert result.ok, f"{command}: {result.output}"


def pod_names(cluster, selector: str) -> list[str]:
    out = cluster.run(f"kubectl get pods -l {selector} -o json")
    return [
        p["metadata"]["name"]
        for p in json.loads(out.output)["items"]
        if not p["metadata"].get("deletionTimestamp")
    ]


def pod_nodes(cluster, selector: str) -> set[str]:
    out = cluster.run(f"kubectl get pods -l {selector} -o json")
    return {p["spec"].get("nodeName") for p in json.loads(out.output)["items"]}


def step_yaml(scenario: dict, index: int) -> str:
    return scenario["steps"][index]["yaml"]


# ---------------------------------------------------------------------------------------------- drivers
# Per scenario and step: (action, wrong action or None). An action of None means "just wait": the step is
# completed by time passing (pods becoming ready), so there is nothing to withhold.
def _iv_drivers(sc):
    return [
        (lambda c: run(c["a"], sc["steps"][0]["hint"]), None),
        (lambda c: run(c["b"], sc["steps"][1]["hint"]), None),
        (
            lambda c: run(c["a"], "docker rm -f web1"),
            lambda c: run(c["a"], "docker run -d --name web2 nginx:1.21"),
        ),
        (
            lambda c: run(c["b"], f"kubectl delete pod {pod_names(c['b'], 'app=nginx')[0]}"),
            # Starting a pod by hand is not healing: it is not one of the Deployment's pods.
            lambda c: run(c["b"], "kubectl run extra --image=nginx:1.20"),
        ),
        (None, None),
    ]


def _deployment_drivers(sc):
    return [
        (lambda c: run(c, sc["steps"][0]["hint"]), lambda c: run(c, "docker run -d --name web nginx:1.20")),
        (None, None),
        (
            lambda c: run(c, sc["steps"][2]["hint"]),
            lambda c: run(c, "kubectl expose deployment web --port=80 --name=other"),
        ),
        (
            lambda c: run(c, sc["steps"][3]["hint"]),
            lambda c: run(c, "kubectl create deployment fine --image=nginx:1.21"),
        ),
    ]


def _discovery_drivers(sc):
    return [
        (
            lambda c: run(c, sc["steps"][0]["hint"]),
            lambda c: run(c, "kubectl create deployment cache --image=redis:7"),
        ),
        (
            lambda c: run(c, sc["steps"][1]["hint"]),
            lambda c: run(c, "kubectl expose deployment cache --port=6379"),
        ),
        (lambda c: run(c, sc["steps"][2]["hint"]), None),
        (lambda c: run(c, sc["steps"][3]["hint"]), lambda c: run(c, "kubectl delete pod client")),
    ]


def _lb_drivers(sc):
    return [
        (lambda c: run(c, sc["steps"][0]["hint"]), None),
        (lambda c: run(c, sc["steps"][1]["hint"]), lambda c: run(c, "sim traffic web 1")),
        (
            lambda c: run(c, sc["steps"][2]["hint"]),
            lambda c: run(c, "kubectl scale deployment web --replicas=4"),
        ),
        (lambda c: run(c, sc["steps"][3]["hint"]), None),
    ]


def _hpa_drivers(sc):
    return [
        (lambda c: run(c, sc["steps"][0]["hint"]), None),
        (lambda c: run(c, sc["steps"][1]["hint"]), lambda c: run(c, "sim load web 40")),
        (None, None),
        (lambda c: run(c, sc["steps"][3]["hint"]), None),
    ]


def _first_web_pod(c) -> str:
    return sorted(pod_names(c, "app=web"))[0]


def _health_drivers(sc):
    return [
        (None, None),
        (
            lambda c: run(c, f"sim probe-fail {_first_web_pod(c)} readiness"),
            lambda c: run(c, f"sim probe-ok {_first_web_pod(c)}"),
        ),
        (lambda c: run(c, f"sim probe-ok {_first_web_pod(c)}"), None),
        (
            lambda c: run(c, f"sim probe-fail {_first_web_pod(c)} liveness"),
            lambda c: (
                run(c, f"sim probe-fail {_first_web_pod(c)} readiness"),
                c.advance(30),
                run(c, f"sim probe-ok {_first_web_pod(c)}"),
            ),
        ),
        (lambda c: run(c, f"sim probe-ok {_first_web_pod(c)}"), None),
    ]


def _rolling_drivers(sc):
    return [
        (None, None),
        (
            lambda c: run(c, sc["steps"][1]["hint"]),
            lambda c: run(c, "kubectl set image deployment/web nginx=nginx:1.20"),
        ),
        (lambda c: run(c, sc["steps"][2]["hint"]), None),
        (lambda c: run(c, sc["steps"][3]["hint"]), None),
    ]


def _secrets_drivers(sc):
    return [
        (
            lambda c: run(c, sc["steps"][0]["hint"]),
            lambda c: run(c, "kubectl create secret generic other --from-literal=user=me"),
        ),
        (
            # The imperative Deployment is deleted first: applying over it would merge containers by name
            # and keep its `nginx` container first, as real kubectl does (the env check reads that one).
            lambda c: (
                run(c, "kubectl delete deployment api"),
                run(c, "kubectl apply -f -", step_yaml(sc, 1)),
            ),
            lambda c: run(c, "kubectl create deployment api --image=nginx:1.20"),
        ),
        (lambda c: run(c, sc["steps"][2]["hint"]), None),
        (lambda c: run(c, "kubectl apply -f -", step_yaml(sc, 3)), None),
        (lambda c: run(c, sc["steps"][4]["hint"]), None),
    ]


def _first_db_pod(c) -> str:
    return pod_names(c, "app=db")[0]


def _storage_drivers(sc):
    return [
        (lambda c: run(c, "kubectl apply -f -", step_yaml(sc, 0)), None),
        (
            lambda c: run(c, "kubectl apply -f -", step_yaml(sc, 1)),
            lambda c: run(c, "kubectl create deployment db --image=redis:7"),
        ),
        (
            lambda c: run(c, f'kubectl exec {_first_db_pod(c)} -- sh -c "echo hello > /data/hello.txt"'),
            lambda c: run(c, f'kubectl exec {_first_db_pod(c)} -- sh -c "echo hello > /tmp/hello.txt"'),
        ),
        (lambda c: run(c, sc["steps"][3]["hint"]), None),
    ]


def _free_worker(c) -> str:
    used = pod_nodes(c, "app=web")
    return next(f"worker-{i}" for i in (1, 2, 3) if f"worker-{i}" not in used)


def _busy_worker(c) -> str:
    return sorted(pod_nodes(c, "app=web"))[0]


def _six_step_drivers(sc):
    failed: list[str] = []

    def fail_busy(c):
        failed.append(_busy_worker(c))
        run(c, f"sim fail-node {failed[-1]}")

    def fail_free_then_recover(c):
        node = _free_worker(c)
        run(c, f"sim fail-node {node}")
        c.advance(60)
        run(c, f"sim recover-node {node}")

    return [
        (lambda c: run(c, sc["steps"][0]["hint"]), None),
        (None, None),
        (fail_busy, fail_free_then_recover),
        (None, None),
        (lambda c: run(c, f"sim recover-node {failed[-1]}"), None),
    ]


DRIVERS = {
    "imperative-vs-declarative": _iv_drivers,
    "deployment": _deployment_drivers,
    "service-discovery": _discovery_drivers,
    "load-balancing": _lb_drivers,
    "auto-scaling": _hpa_drivers,
    "health-checks": _health_drivers,
    "rolling-update": _rolling_drivers,
    "secrets": _secrets_drivers,
    "storage": _storage_drivers,
    "six-step-flow": _six_step_drivers,
}
# Simulated seconds a step may take to show in the state (HPA scale-in waits 5 min, node eviction ~6 min).
PATIENCE = {"auto-scaling": 900, "six-step-flow": 900}


def play(slug: str) -> list[dict]:
    """Plays a scenario through its drivers; returns the progress payload after each step."""
    sc = scenarios()[slug]
    clusters = fresh(sc)
    assert apply_setup(sc, clusters) == []
    tracker = ScenarioProgress(sc)
    tracker.update(clusters)
    payloads = []
    for i, (action, wrong) in enumerate(DRIVERS[slug](sc)):
        assert tracker.current == i, f"{slug}: step {i} should be current"
        if action is not None:
            advance(clusters, 20)
            assert tracker.update(clusters)["current"] == i, f"{slug}: step {i} completed without its action"
        if wrong is not None:
            wrong(clusters)
            advance(clusters, 60)
            assert tracker.update(clusters)["current"] == i, (
                f"{slug}: step {i} completed after a wrong action"
            )
        if action is not None:
            action(clusters)
        for _ in range(PATIENCE.get(slug, 120)):
            if tracker.update(clusters)["current"] > i:
                break
            advance(clusters, 1)
        payload = tracker.update(clusters)
        assert payload["current"] == i + 1, f"{slug}: step {i} ({sc['steps'][i]['title']}) never completed"
        assert [s["done"] for s in payload["steps"]] == [j <= i for j in range(len(sc["steps"]))]
        payloads.append(payload)
        json.dumps(tracker.state)  # The runtime persists it in a JSONField.
    assert payloads[-1]["complete"] is True
    return payloads


# ---------------------------------------------------------------------------------------------- fixture
def test_the_fixture_has_ten_scenarios_matching_the_lesson_figures():
    """The fixture holds the 8 features (figures 2–9), imperative-vs-declarative (1) and six-step-flow (10)."""
    found = scenarios()
    assert list(found) == ["imperative-vs-declarative", *FEATURES, "six-step-flow"]
    numbers = {slug: sc["diagram_number"] for slug, sc in found.items()}
    assert [numbers[f] for f in FEATURES] == list(range(2, 10))
    assert numbers["imperative-vs-declarative"] == 1 and numbers["six-step-flow"] == 10
    assert found["imperative-vs-declarative"]["layout"] == "pair"
    assert all(found[f]["feature"] == f for f in FEATURES)


def test_every_scenario_and_check_in_the_fixture_is_valid():
    """Every scenario validates: 3–6 steps with Korean title, text, hint and a check of the language."""
    for slug, sc in scenarios().items():
        validate_scenario(sc)
        assert 3 <= len(sc["steps"]) <= 6, slug
        for step in sc["steps"]:
            assert any("\uac00" <= ch <= "\ud7a3" for ch in step["title"] + step["text"]), (
                slug,
                step["title"],
            )
        assert any("\uac00" <= ch <= "\ud7a3" for ch in sc["title"] + sc["summary"]), slug


def test_every_setup_runs_cleanly_on_a_fresh_cluster():
    """Each scenario's setup commands succeed on a fresh cluster and leave the first step open."""
    for slug, sc in scenarios().items():
        clusters = fresh(sc)
        assert apply_setup(sc, clusters) == [], slug
        state: dict = {}
        payload = start(scenarios()[slug], fresh(sc), state)
        assert state["slug"] == slug and state["completed"] == []
        assert payload["current"] == 0 and not payload["steps"][0]["done"], slug


@pytest.mark.django_db
def test_the_fixture_loads_with_natural_keys():
    """`manage.py load_course` creates the ten Scenario rows, found again by slug; reloading is harmless."""
    from django.core.management import call_command

    from visualizer.models import Scenario

    call_command("load_course", verbosity=0)
    call_command("loaddata", str(FIXTURE), verbosity=0)
    assert Scenario.objects.count() == 10
    found = Scenario.objects.get_by_natural_key("rolling-update")
    assert found.diagram_number == 7 and found.steps[1]["hint"].startswith("kubectl set image")
    assert [s.slug for s in Scenario.objects.all()][0] == "imperative-vs-declarative"


# ---------------------------------------------------------------------------------------------- scenarios
@pytest.mark.parametrize("slug", list(DRIVERS))
def test_each_scenario_completes_step_by_step_only_when_the_state_shows_it(slug):
    """Each step stays open until its action, stays open after a wrong action, then completes from state."""
    payloads = play(slug)
    assert payloads[-1]["slug"] == slug
    assert set(payloads[0]["steps"][0]) >= {"title", "text", "hint", "done"}


def test_only_the_deployment_heals_in_the_pair_scenario():
    """In the pair scenario the docker container stays gone while the Deployment is back to 3 ready pods."""
    sc = scenarios()["imperative-vs-declarative"]
    clusters = fresh(sc)
    run(clusters["a"], "docker run -d --name web1 nginx:1.20")
    run(clusters["b"], "kubectl create deployment nginx --image=nginx:1.20 --replicas=3")
    advance(clusters, 30)
    run(clusters["a"], "docker rm -f web1")
    run(clusters["b"], f"kubectl delete pod {pod_names(clusters['b'], 'app=nginx')[0]}")
    advance(clusters, 60)
    assert evaluate({"bare_containers": {"running": 0, "count": 0}}, clusters["a"])
    assert evaluate({"deployment": "nginx", "ready": 3}, clusters["b"])
    assert not evaluate({"on": "a", "check": {"deployment": "nginx", "exists": True}}, clusters)


def test_a_check_on_a_side_that_was_not_passed_is_not_satisfied():
    """Evaluating a pair check with one cluster only answers False instead of failing."""
    cluster = Cluster(workers=1, seed=7)
    assert evaluate({"on": "a", "check": {"nodes": {"count": 1}}}, cluster)
    assert not evaluate({"on": "b", "check": {"nodes": {"count": 1}}}, cluster)
    assert progress(scenarios()["imperative-vs-declarative"], cluster, {})["current"] == 0


# ---------------------------------------------------------------------------------------------- progress
def test_completed_steps_stay_completed_when_the_state_changes_later():
    """A completed step stays done even after the cluster no longer shows it (the student moved on)."""
    sc = scenarios()["deployment"]
    cluster = fresh(sc)
    run(cluster, "kubectl create deployment web --image=nginx:1.20 --replicas=3")
    state: dict = {}
    payload = progress(sc, cluster, state)
    assert payload["current"] == 1
    run(cluster, "kubectl delete deployment web")
    payload = progress(sc, cluster, state)
    assert payload["steps"][0]["done"] and payload["current"] == 1


def test_a_later_step_cannot_complete_before_an_earlier_one():
    """Reaching a later step's state first does not tick it: steps complete in order."""
    sc = scenarios()["load-balancing"]
    cluster = fresh(sc)
    apply_setup(sc, cluster)
    run(cluster, "kubectl scale deployment web --replicas=5")
    cluster.advance(30)
    state: dict = {}
    payload = progress(sc, cluster, state)
    assert [s["done"] for s in payload["steps"]] == [False] * 4
    run(cluster, "kubectl expose deployment web --port=80")
    cluster.advance(5)
    payload = progress(sc, cluster, state)
    # Step 3's state (5 ready endpoints) already holds, but step 2 (traffic) is still open, so step 3 waits.
    assert [s["done"] for s in payload["steps"]] == [True, False, False, False]


def test_progress_state_is_json_and_resumes_after_a_restart():
    """The state survives a JSON round trip and a restored cluster; progress continues where it was."""
    sc = scenarios()["storage"]
    cluster = fresh(sc)
    run(cluster, "kubectl apply -f -", step_yaml(sc, 0))
    run(cluster, "kubectl apply -f -", step_yaml(sc, 1))
    cluster.advance(30)
    state: dict = {}
    payload = progress(sc, cluster, state)
    assert payload["current"] == 2 and state["completed"] == [0, 1]
    state = json.loads(json.dumps(state))
    restored = Cluster.from_dict(json.loads(json.dumps(cluster.to_dict())))
    run(restored, f'kubectl exec {_first_db_pod(restored)} -- sh -c "echo hello > /data/hello.txt"')
    payload = progress(sc, restored, state)
    assert payload["current"] == 3 and state["completed"] == [0, 1, 2]


def test_a_state_for_another_scenario_or_a_broken_state_starts_over():
    """A saved state of another slug, or completed indices with a gap, is reset to a valid prefix."""
    sc = scenarios()["deployment"]
    assert ScenarioProgress(sc, {"slug": "storage", "completed": [0, 1]}).current == 0
    assert ScenarioProgress(sc, {"slug": "deployment", "completed": [0, 2]}).current == 1
    assert ScenarioProgress(sc, {"slug": "deployment", "completed": "junk"}).current == 0


def test_a_broken_check_leaves_its_step_open_instead_of_raising():
    """A step whose check is outside the language (say, edited in the admin) never completes, never raises."""
    broken = {
        "slug": "broken",
        "title": "t",
        "steps": [{"title": "a", "text": "b", "hint": "c", "check": {"x": 1}}],
    }
    payload = progress(broken, Cluster(workers=1, seed=7), {})
    assert payload["current"] == 0 and payload["complete"] is False


def test_the_payload_has_the_protocol_shape():
    """The payload is {slug, title, steps: [{title, text, hint, done, yaml?, on?}], current, complete}."""
    sc = scenarios()["secrets"]
    payload = ScenarioProgress(sc).payload()
    assert set(payload) == {"slug", "title", "steps", "current", "complete"}
    assert payload["steps"][1]["yaml"].startswith("apiVersion")
    assert set(payload["steps"][0]) == {"title", "text", "hint", "done"}
    pair = ScenarioProgress(scenarios()["imperative-vs-declarative"]).payload()
    assert pair["steps"][0]["on"] == "a" and pair["steps"][1]["on"] == "b"


def test_checking_never_changes_the_cluster():
    """Evaluating every check of every scenario leaves the cluster's state exactly as it was."""
    cluster = Cluster(workers=3, seed=7)
    run(cluster, "kubectl create deployment web --image=nginx:1.20 --replicas=3")
    run(cluster, "kubectl expose deployment web --port=80")
    run(cluster, "kubectl create deployment db --image=redis:7")
    run(cluster, "docker run -d --name web1 nginx:1.20")
    cluster.advance(30)
    before = copy.deepcopy(cluster.to_dict())
    checks = [step["check"] for sc in scenarios().values() for step in sc["steps"]]
    for check in checks:
        evaluate(check, {"a": cluster, "b": cluster})
    assert cluster.to_dict() == before


def test_setup_entries_without_a_side_run_on_every_cluster_of_a_pair():
    """A setup string runs on both sides of a pair; an entry with `on` runs on that side only."""
    sc = {"slug": "x", "layout": "pair", "setup": ["sim wait 1", {"command": "sim images", "on": "b"}]}
    assert [c for c, _, _ in setup_commands(sc, "a")] == ["sim wait 1"]
    assert [c for c, _, _ in setup_commands(sc, "b")] == ["sim wait 1", "sim images"]


def test_setup_with_yaml_on_stdin_runs_on_a_single_cluster_of_a_given_side():
    """apply_setup feeds YAML on stdin and honours `on` when it is handed one cluster and its side."""
    yaml_text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  k: v\n"
    sc = {
        "slug": "x",
        "layout": "pair",
        "setup": [{"command": "kubectl apply -f -", "stdin": yaml_text, "on": "b"}],
    }
    a, b = Cluster(workers=1, seed=7), Cluster(workers=1, seed=7)
    assert apply_setup(sc, a, side="a") == [] and apply_setup(sc, b, side="b") == []
    assert not evaluate({"secret": "s", "exists": True}, a)
    assert evaluate({"secret": "s", "keys": ["k"]}, b)


# ---------------------------------------------------------------------------------------------- language
@pytest.mark.parametrize(
    "check",
    [
        {},
        {"pods": {"selector": "app=web", "redy": 3}},
        {"pods": {"selector": "app web"}},
        {"deployment": "web", "ready": -1},
        {"deployment": "web", "ready": True},
        {"deployment": "web", "pods": {"count": 1}},
        {"all": []},
        {"on": "c", "check": {"deployment": "web"}},
        {"event": {}},
        {"file": {"selector": "app=db", "path": "data/x"}},
        {"hpa": {"replicas_at_least": 3}},
        {"teleport": True},
    ],
)
def test_it_rejects_checks_outside_the_language(check):
    """Unknown types, unknown keys, bad numbers, bad selectors and bad sides raise CheckError."""
    with pytest.raises(CheckError):
        validate_check(check, sides=("a", "b")[:1])


def test_named_checks_accept_the_flat_and_the_nested_form():
    """{"deployment": "web", "ready": 3} and {"deployment": {"name": "web", "ready": 3}} mean the same."""
    cluster = Cluster(workers=3, seed=7)
    run(cluster, "kubectl create deployment web --image=nginx:1.20 --replicas=3")
    cluster.advance(30)
    for check in ({"deployment": "web", "ready": 3}, {"deployment": {"name": "web", "ready": 3}}):
        validate_check(check)
        assert evaluate(check, cluster)
    assert evaluate({"endpoints": {"service": "kubernetes", "count": 1}}, cluster)
    assert evaluate({"deployment": "nope", "exists": False}, cluster)
    assert not evaluate({"deployment": "nope", "ready": 0}, cluster)


def test_event_checks_only_count_events_after_the_step_started():
    """An event check ignores events older than the step's baseline."""
    from visualizer.scenario_checks import take_baseline

    cluster = Cluster(workers=3, seed=7)
    run(cluster, "kubectl create deployment web --image=nginx:1.20 --replicas=1")
    cluster.advance(20)
    check = {"event": {"reason": "Killing"}}
    base = take_baseline(cluster)
    assert not evaluate(check, cluster, {"a": base})
    run(cluster, f"kubectl delete pod {pod_names(cluster, 'app=web')[0]}")
    assert evaluate(check, cluster, {"a": base})
    assert not evaluate(check, cluster, {"a": take_baseline(cluster)})


def test_only_read_only_commands_run_inside_containers():
    """The view refuses anything but cat, ls, env and printenv inside a container."""
    from visualizer.scenario_checks import ClusterView

    view = ClusterView(Cluster(workers=1, seed=7))
    with pytest.raises(CheckError):
        view.exec_read("web", "sh -c 'echo x > /tmp/y'")

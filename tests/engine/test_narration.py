"""Narration: every template formats in Korean and English and names a lesson step."""

import string

from visualizer.engine.narration import STEP_TITLES, TEMPLATES, narrate


def test_every_template_formats_and_has_a_valid_step():
    """Each template fills its fields and maps to a step 1–6 or None."""
    for key, (step, ko, en) in TEMPLATES.items():
        fields = {f for text in (ko, en) for _, f, _, _ in string.Formatter().parse(text) if f}
        got_step, got_ko, got_en = narrate(key, **dict.fromkeys(fields, "X"))
        assert got_step == step and step in (None, *STEP_TITLES)
        assert "{" not in got_ko and "{" not in got_en


def test_the_scheduler_sentence_matches_the_lesson_example():
    """The scheduled narration reads like the issue's example sentence."""
    _, ko, _ = narrate(
        "scheduled",
        pod="web-7d4b9c8f5-x2k4p",
        node="worker-2",
        why_ko="남은 CPU 가장 많음",
        why_en="most CPU left",
    )
    assert ko == "스케줄러가 web-7d4b9c8f5-x2k4p 를 worker-2 에 배치했습니다 (남은 CPU 가장 많음)"


def test_the_six_steps_are_the_lessons():
    """STEP_TITLES lists the six 동작 원리 steps."""
    assert list(STEP_TITLES) == [1, 2, 3, 4, 5, 6]
    assert STEP_TITLES[3][0].startswith("스케줄러")


def _narrations(c, seconds):
    """Returns the English narration of every event (quiet ones included) during the next `seconds`."""
    return [e["en"] for e in c.advance(seconds)]


def test_a_ready_pod_joins_endpoints_only_when_a_service_selects_it():
    """A bare pod no Service selects is narrated as Ready without joining endpoints; once a Service selects
    the pods, a new ready pod is narrated as joining its Services' endpoints."""
    from tests.engine.conftest import ok
    from visualizer.engine import Cluster

    c = Cluster(workers=2, seed=7)
    ok(c, "kubectl run lonely --image=nginx:1.27")
    said = _narrations(c, 30)
    assert "lonely is Ready (no Service selects it)" in said
    assert not any("lonely is Ready and joins" in s for s in said)
    ok(c, "kubectl run member --image=nginx:1.27 --labels=app=web")
    ok(c, "kubectl create service clusterip web --tcp=80:80")
    said = _narrations(c, 30)
    assert "member is Ready and joins its Services' endpoints" in said


def test_kube_proxy_programs_no_rules_for_a_headless_service():
    """kube-proxy skips `clusterIP: None` Services: no "reprogrammed" narration for them, only for ClusterIPs."""
    from tests.engine.conftest import ok
    from visualizer.engine import Cluster

    c = Cluster(workers=2, seed=7)
    ok(c, "kubectl run member --image=nginx:1.27 --labels=app=web")
    headless = "apiVersion: v1\nkind: Service\nmetadata: {name: web-headless}\nspec:\n  clusterIP: None\n"
    ok(c, "kubectl apply -f -", headless + "  selector: {app: web}\n  ports: [{port: 80}]\n")
    ok(c, "kubectl create service clusterip web --tcp=80:80")
    said = _narrations(c, 30)
    assert any(s.startswith("kube-proxy reprogrammed web's rules") for s in said)
    assert not any("web-headless" in s and s.startswith("kube-proxy") for s in said)

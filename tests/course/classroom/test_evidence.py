"""세션 마무리 evidence from the visualizer: a student is linked to their browser's visualizer identity at join,
and the guided scenarios that identity completed tick the checklist; the class pages link the two apps."""

import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from course.classroom import checklist, state
from course.models import Student
from tests.course.classroom.conftest import online
from visualizer.identity import SESSION_KEY
from visualizer.models import ScenarioCompletion

pytestmark = pytest.mark.django_db

FEATURES = "features"


@pytest.fixture
def scenarios(db):
    call_command("loaddata", "scenarios", verbosity=0)


def join(client, klass, nickname="민수"):
    return client.post(
        reverse("course:classroom:join"), {"code": klass.code, "nickname": nickname, "level": "beginner"}
    )


def outcome(rows, name):
    return next(row for row in rows if row["outcome"] == name)


def test_joining_stores_the_browsers_visualizer_identity(client, klass):
    """The key is the one the visualizer gives this browser: its sandbox page owns the same clusters."""
    join(client, klass)
    student = Student.objects.get()
    assert student.visualizer_key == f"visitor:{client.session[SESSION_KEY]}"
    client.get(reverse("visualizer:sandbox"))
    from visualizer.models import ClusterRecord

    assert ClusterRecord.objects.filter(owner_key=student.visualizer_key, name="sandbox").exists()


def test_a_student_who_joined_before_the_link_gets_it_on_their_page(client, klass):
    join(client, klass)
    Student.objects.update(visualizer_key="")
    client.get(reverse("course:classroom:student", args=[klass.code]))
    assert Student.objects.get().visualizer_key.startswith("visitor:")


def test_completed_feature_scenarios_tick_the_features_outcome(klass, alice, bob, scenarios):
    """Two completed feature scenarios prove 8가지 핵심 기능 without a single quiz answer; one does not."""
    Student.objects.filter(pk=alice.pk).update(visualizer_key="visitor:alice")
    Student.objects.filter(pk=bob.pk).update(visualizer_key="visitor:bob")
    alice.refresh_from_db()
    ScenarioCompletion.objects.create(owner_key="visitor:alice", scenario="deployment")
    row = outcome(state.checklist_for_student(klass, alice)["outcomes"], FEATURES)
    assert not row["done"]
    ScenarioCompletion.objects.create(owner_key="visitor:alice", scenario="rolling-update")
    ScenarioCompletion.objects.create(owner_key="visitor:bob", scenario="deployment")
    mine = state.checklist_for_student(klass, alice)
    row = outcome(mine["outcomes"], FEATURES)
    assert row["done"] and row["by_scenario"] and row["answered"] == 0
    assert set(mine["scenarios"]) == {"컨테이너 배포 (Deployment)", "롤링 업데이트 (Rolling Update)"}
    klass_row = outcome(state.checklist_for_class(klass)["outcomes"], FEATURES)
    # Bob has no evidence yet and is not online: the class percentages are over Alice only.
    assert (klass_row["reached"], klass_row["by_scenario"], klass_row["students"]) == (1, 1, 1)
    online(bob)
    klass_row = outcome(state.checklist_for_class(klass)["outcomes"], FEATURES)
    assert (klass_row["reached"], klass_row["by_scenario"], klass_row["students"]) == (1, 1, 2)


def test_the_architecture_and_declarative_scenarios_prove_their_outcomes(klass, alice, scenarios):
    Student.objects.filter(pk=alice.pk).update(visualizer_key="user:7")
    ScenarioCompletion.objects.create(owner_key="user:7", scenario="six-step-flow")
    ScenarioCompletion.objects.create(owner_key="user:7", scenario="imperative-vs-declarative")
    assert checklist.scenario_evidence([alice.pk]) == {alice.pk: {"architecture", "declarative"}}


def test_someone_elses_completions_are_not_evidence(klass, alice, bob, scenarios):
    """Only the student's own identity counts; a student without one has no scenario evidence."""
    Student.objects.filter(pk=alice.pk).update(visualizer_key="visitor:alice")
    for slug in ("deployment", "rolling-update", "six-step-flow"):
        ScenarioCompletion.objects.create(owner_key="visitor:mallory", scenario=slug)
    assert checklist.scenario_evidence([alice.pk, bob.pk]) == {}


def test_outcomes_from_scenarios_is_pure():
    features = {"deployment", "rolling-update", "storage"}
    assert checklist.outcomes_from_scenarios({"deployment"}, features) == set()
    assert checklist.outcomes_from_scenarios({"deployment", "storage"}, features) == {"features"}
    assert checklist.outcomes_from_scenarios({"six-step-flow"}, features) == {"architecture"}


def test_the_wrap_up_shows_scenario_evidence_to_the_student(client, klass, scenarios):
    join(client, klass)
    student = Student.objects.get()
    ScenarioCompletion.objects.create(owner_key=student.visualizer_key, scenario="six-step-flow")
    page = client.get(reverse("course:classroom:fragment", args=[klass.code, "wrap-up"])).content.decode()
    assert "가이드 시나리오로 확인" in page and "동작 원리 6단계" in page


def test_the_student_page_links_to_the_sandbox_scenarios_and_the_demo(client, klass):
    join(client, klass)
    page = client.get(reverse("course:classroom:student", args=[klass.code])).content.decode()
    assert f'href="{reverse("visualizer:sandbox")}"' in page
    assert f'href="{reverse("visualizer:scenarios")}"' in page
    assert f'href="{reverse("visualizer:cluster", args=[klass.demo_cluster.public_id])}"' in page


def test_the_dashboard_embeds_the_demo_to_drive_and_the_projector_to_watch(klass, instructor):
    call_command("loaddata", "predictions", verbosity=0)
    client = Client()
    client.force_login(instructor)
    record = klass.demo_cluster
    for name, role in (("teach", "control"), ("projector", "view")):
        page = client.get(reverse(f"course:classroom:{name}", args=[klass.code])).content.decode()
        config = json.loads(
            page.split('id="viz-config" type="application/json">', 1)[1].split("</script>", 1)[0]
        )
        assert config["cluster"] == record.public_id and config["role"] == role
        assert 'class="viz-cluster"' in page and "js/visualizer/page" in page
        # The prompts (with their answers' actions) are offered on the dashboard only.
        assert ('value="predict-delete-pod"' in page) == (name == "teach")

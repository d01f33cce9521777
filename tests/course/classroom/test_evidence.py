"""세션 마무리 evidence from the visualizer: a student is linked to their browser's visualizer identity at join,
and the guided scenarios that identity completed tick the checklist; the class pages link the two apps."""

import json
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from course.classroom import actions, checklist, state
from course.models import Question, Student
from tests.course.classroom.conftest import online
from visualizer.identity import SESSION_KEY
from visualizer.models import ScenarioCompletion

pytestmark = pytest.mark.django_db

FEATURES = "features"


@pytest.fixture
def scenarios(lesson):
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
    assert checklist.scenario_evidence([alice.pk], klass.lesson_id) == {
        alice.pk: {"architecture", "declarative"}
    }


def test_someone_elses_completions_are_not_evidence(klass, alice, bob, scenarios):
    """Only the student's own identity counts; a student without one has no scenario evidence."""
    Student.objects.filter(pk=alice.pk).update(visualizer_key="visitor:alice")
    for slug in ("deployment", "rolling-update", "six-step-flow"):
        ScenarioCompletion.objects.create(owner_key="visitor:mallory", scenario=slug)
    assert checklist.scenario_evidence([alice.pk, bob.pk], klass.lesson_id) == {}


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


def test_the_lessons_task_list_is_never_pre_ticked_and_follows_the_evidence(client, klass, quizzes):
    """The wrap-up's Markdown task list renders ticked on the lesson page; in class each item is bound to
    the student's evidence: unticked until reached, ticked once, with the evidence beside it."""
    join_page = client.post(
        reverse("course:classroom:join"), {"code": klass.code, "nickname": "민수", "level": "beginner"}
    )
    assert join_page.status_code == 302
    url = reverse("course:classroom:fragment", args=[klass.code, "wrap-up"])
    page = client.get(url).content.decode()
    items = re.findall(r'<li class="task-item[^"]*"[^>]*>\s*<input[^>]*>', page)
    assert len(items) == 4 and not any("checked" in item for item in items)
    assert [re.search(r'data-outcome="(\w+)"', item).group(1) for item in items] == [
        "definition",
        "features",
        "architecture",
        "declarative",
    ]
    assert page.count('data-part="evidence">(퀴즈 0/0 정답)') == 4
    student = Student.objects.get()
    for key in ("definition", "why-tempo"):
        question = Question.objects.get(key=key)
        assert question.outcome == "definition"
        actions.submit_answer(klass, student, key, question.answer, 0)
    page = client.get(url).content.decode()
    ticked = re.findall(
        r'<li class="task-item cls-task" data-outcome="(\w+)" data-done="true"><input[^>]*checked>', page
    )
    assert ticked == ["definition"]
    assert "(퀴즈 2/2 정답)" in page


def test_an_unknown_task_item_loses_its_tick_and_the_outcome_is_listed_apart():
    rows = checklist.student_checklist([("definition", True), ("definition", True)])
    html_in = (
        '<ul><li class="task-item"><input type="checkbox" disabled="" checked=""> 다른 목표</li>'
        '<li class="task-item"><input type="checkbox" disabled="" checked=""> 오케스트레이션'
        '<span class="term-tip" role="tooltip"><strong>툴팁</strong> 설명</span>의 정확한 정의와 철학 이해</li></ul>'
    )
    out, unbound = checklist.bind_task_list(html_in, rows)
    assert "checked" in out.split("다른 목표")[1] and "checked" not in out.split("다른 목표")[0]
    assert 'data-outcome="definition" data-done="true"' in out
    assert [row["outcome"] for row in unbound] == ["features", "architecture", "declarative"]


@pytest.mark.django_db(transaction=True)
def test_a_completed_scenario_sends_the_student_and_the_dashboard_a_fresh_checklist(klass, alice, scenarios):
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    Student.objects.filter(pk=alice.pk).update(visualizer_key="visitor:alice")
    layer = get_channel_layer()

    async def listen_then_complete():
        mine = await layer.new_channel()
        staff = await layer.new_channel()
        await layer.group_add(state.student_group(alice.pk), mine)
        await layer.group_add(state.staff_group(klass.pk), staff)
        from channels.db import database_sync_to_async

        await database_sync_to_async(ScenarioCompletion.objects.create)(
            owner_key="visitor:alice", scenario="six-step-flow"
        )
        return json.loads((await layer.receive(mine))["text"]), json.loads(
            (await layer.receive(staff))["text"]
        )

    own, klass_list = async_to_sync(listen_then_complete)()
    assert own["type"] == "checklist" and "동작 원리 6단계" in " ".join(own["scenarios"])
    assert outcome(own["outcomes"], "architecture")["done"]
    assert outcome(klass_list["outcomes"], "architecture")["reached"] == 1

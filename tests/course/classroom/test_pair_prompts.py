"""The pair discussion comes from the class's lesson: the parser (no server), the document's shape per
lesson, old pairs keeping their text, and a class on a second lesson asking, storing and exporting its own
prompts."""

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pycrdt import Doc, Text

from course.classroom import actions, answers, discussion, export, pair_doc, state
from course.classroom.discussion import discussion_of, source_discussion
from course.models import Pair, Section
from tests.corpus.corpus import lesson_files
from tests.course.classroom.conftest import student_cookie
from tests.course.lessons import make_lesson

FIRST_LESSON = Path(settings.BASE_DIR) / "course" / "content" / "week2-day4-session2.md"
FEATURE_KEYS = [
    "deployment",
    "discovery",
    "load-balancing",
    "auto-scaling",
    "health-check",
    "rolling-update",
    "secrets",
    "storage",
]

# What each corpus lesson's discussion must yield: (label, question, note) per prompt; None = 토론 메모 only.
CORPUS_PROMPTS = {
    "week1-day2-session1.md": [
        ("캐시 전략", "우리 팀 Dockerfile에서 가장 자주 바뀌는 줄은 어디에 있어야 할까?", ""),
        ("베이스 이미지", "slim과 alpine 중 무엇을 고를까?", ""),
        ("보안", "이미지 안에 비밀번호가 들어가면 어떤 일이 생길까?", ""),
    ],
    # No 함께 생각해보기: both 페어 토론 parts, in reading order (an unordered list, a trailing note).
    "week2-day1-session3.md": [
        ("", "로그 수집기를 같은 Pod에 넣을까, 다른 Pod로 뺄까?", ""),
        ("", "Pod를 직접 만들면 노드가 죽었을 때 어떻게 될까?", ""),
        ("", "실습에서 본 이벤트 순서를 개념 1의 흐름도와 맞춰 보기", ""),
        ("", "Pod 삭제 후 다시 살아나게 하려면 무엇이 필요할까?", "→ 다음 세션 예고"),
    ],
    "week2-day5-session1.md": [
        ("", "DB도 Service로 노출해야 할까? 어떤 종류로?", ""),
        ("", "NodePort를 운영에서 쓰면 어떤 문제가 생길까?", ""),
    ],
    "week3-day1-session2.md": [
        ("", "values에 비밀번호를 넣어도 될까?", ""),
        ("", "Chart 버전과 앱 버전(appVersion)은 왜 따로 있을까?", ""),
    ],
    # 함께 생각해보기 holds a practice and a share, no 페어 토론: a free 토론 메모.
    "week3-day3-session4.md": None,
}


def test_the_first_lesson_has_a_picker_of_its_8_features_with_the_stored_keys_and_two_texts():
    found = source_discussion(FIRST_LESSON.read_text(encoding="utf-8"))
    assert found.authored
    first, second, third = found.prompts
    assert (first.label, first.question) == (
        "기능 우선순위",
        "8가지 기능 중 가장 중요하다고 생각하는 3가지는?",
    )
    assert first.pick == 3 and [c.key for c in first.choices] == FEATURE_KEYS
    assert (first.choices[0].label, first.choices[0].en) == ("컨테이너 배포", "Deployment")
    assert (second.label, second.question, second.pick) == (
        "실무 적용",
        "우리 프로젝트에서 가장 필요한 기능은?",
        0,
    )
    assert third.question == "어디까지 자동화되면 좋을까?"
    # The roots stored documents already use.
    assert [p.root for p in found.prompts] == ["features", "practice", "automation"]


@pytest.mark.parametrize("path", lesson_files(), ids=lambda p: p.name)
def test_every_corpus_lesson_yields_its_own_prompts(path):
    found = source_discussion(path.read_text(encoding="utf-8"))
    wanted = CORPUS_PROMPTS[path.name]
    if wanted is None:
        assert not found.authored and [p.question for p in found.prompts] == [discussion.FREE_PROMPT]
        return
    assert found.authored
    assert [(p.label, p.question, p.note) for p in found.prompts] == wanted
    assert [p.number for p in found.prompts] == list(range(1, len(wanted) + 1))
    assert not any(p.pick for p in found.prompts)  # none asks to choose K of M


def test_the_list_rules_labels_quotes_caps_and_fences():
    body = (
        "## 💭 함께 생각해보기\n### 🤝 페어 토론\n```\n**토론 주제**:\n1. 코드 안의 목록\n```\n"
        "토론 주제:\n"
        + "".join(f"{n}. **라벨{n}**: “질문 {n}?”\n" for n in range(1, 8))
        + "\n다른 글\n- 목록 밖\n"
    )
    found = discussion_of([("discussion", body)])
    assert len(found.prompts) == discussion.MAX_PROMPTS
    assert [(p.label, p.question) for p in found.prompts[:2]] == [("라벨1", "질문 1?"), ("라벨2", "질문 2?")]
    assert [p.root for p in found.prompts] == ["prompt-1", "practice", "automation", "prompt-4", "prompt-5"]
    assert {p.section for p in found.prompts} == {"discussion"}


def test_a_picker_needs_a_section_with_exactly_m_numbered_headings():
    topic = '## 💭 함께 생각해보기\n**토론 주제**:\n1. "3가지 도구 중 2가지를 고른다면?"\n2. "왜?"\n'
    tools = "### 도구\n#### 🧰 1. 헬름 (Helm)\n#### 2. 커스터마이즈 (Kustomize)\n#### ⚙️ 3. 직접 작성\n"
    found = discussion_of([("tools", tools), ("discussion", topic)])
    picker = found.picker
    assert picker is not None and picker.number == 1 and picker.pick == 2
    assert [(c.key, c.label, c.en) for c in picker.choices] == [
        ("helm", "헬름", "Helm"),
        ("kustomize", "커스터마이즈", "Kustomize"),
        ("item-3", "직접 작성", ""),
    ]
    assert found.prompts[1].root == "practice"
    # Four numbered headings for "3가지": no picker, a text prompt.
    more = tools + "#### 4. 기타 (Other)\n"
    assert discussion_of([("tools", more), ("discussion", topic)]).picker is None


def test_an_old_first_lesson_document_loads_under_the_lessons_discussion_without_losing_text():
    """A pair document written before prompts came from the lesson (roots features / practice / automation)
    keeps every answer, and the next edit stores them by prompt number."""
    found = source_discussion(FIRST_LESSON.read_text(encoding="utf-8"))
    old = Doc()
    old.get("practice", type=Text).insert(0, "배포 자동화")
    old.get("automation", type=Text).insert(0, "테스트까지")
    state_ = old.get_update()
    browser = Doc()
    browser.apply_update(state_)
    before = browser.get_state()
    text = browser.get("automation", type=Text)
    text.insert(len(str(text).encode()), " 자동으로")
    applied = pair_doc.apply_update(state_, browser.get_update(before), None, found)
    assert applied.fields.answers(found) == {"1": [], "2": "배포 자동화", "3": "테스트까지 자동으로"}


def test_a_lesson_with_text_prompts_only_refuses_picks_and_limits_every_text():
    found = discussion_of([("d", '## 💭 함께 생각해보기\n**토론 주제**:\n1. "하나?"\n2. "둘?"\n')])
    browser = Doc()
    browser.get("prompt-1", type=Text).insert(0, "첫 답")
    applied = pair_doc.apply_update(b"", browser.get_update(), None, found)
    assert applied.fields.answers(found) == {"1": "첫 답", "2": ""}
    with pytest.raises(pair_doc.Refused):
        pair_doc.apply_update(
            applied.state, pair_doc.replace_field(applied.state, "features", ["x"]), None, found
        )
    with pytest.raises(pair_doc.Refused):
        too_long = pair_doc.replace_field(applied.state, "prompt-1", "가" * 600)
        pair_doc.apply_update(applied.state, too_long, None, found)


@pytest.fixture
def second_lesson(db):
    """A small lesson of its own: a picker of 3 tools (choose 2) and a free-text prompt 2."""
    lesson = make_lesson(
        "helm-intro", week=3, day=1, session=2, sections=[("tools", 10, 0), ("discussion", 10, 0)]
    )
    Section.objects.filter(lesson=lesson, slug="tools").update(
        body_markdown="### 도구\n#### 1. 헬름 (Helm)\n#### 2. 커스터마이즈 (Kustomize)\n#### 3. 직접 작성 (Plain YAML)\n"
    )
    Section.objects.filter(lesson=lesson, slug="discussion").update(
        body_markdown=(
            "## 💭 함께 생각해보기\n### 🤝 페어 토론\n**토론 주제**:\n"
            '1. **도구 고르기**: "3가지 도구 중 2가지를 고른다면?"\n2. "values에 비밀번호를 넣어도 될까?"\n'
        )
    )
    return lesson


def test_a_class_on_a_second_lesson_asks_stores_shows_and_exports_its_own_prompts(
    client, lesson, second_lesson, instructor
):
    first_class = actions.start_class(instructor, lesson, "오전반")
    klass = actions.start_class(instructor, second_lesson, "오후반")
    alice, _ = actions.join(klass, "Alice", "beginner")
    bob, _ = actions.join(klass, "Bob", "advanced")
    actions.form_pairs(klass)
    alice.refresh_from_db()
    actions.update_pair(klass, alice, "1", ["helm", "plain-yaml"])
    actions.update_pair(klass, alice, "2", "아니요, 시크릿으로")
    with pytest.raises(actions.ProtocolError):
        actions.update_pair(klass, alice, "1", ["helm", "kustomize", "plain-yaml"])  # pick limit 2
    with pytest.raises(actions.ProtocolError):
        actions.update_pair(klass, alice, "automation", "없는 질문")  # this lesson has no prompt 3
    pair = Pair.objects.get(session=klass)
    assert pair.answers == {"1": ["helm", "plain-yaml"], "2": "아니요, 시크릿으로"}

    # The student page asks this lesson's prompts, not the first lesson's.
    client.cookies.load(student_cookie(alice))
    page = client.get(reverse("course:classroom:student", args=[klass.code])).content.decode()
    assert "3가지 도구 중 2가지를 고른다면?" in page and "values에 비밀번호를 넣어도 될까?" in page
    assert 'data-pick="2"' in page and 'value="kustomize"' in page
    assert "8가지 기능 중" not in page and "우리 프로젝트에서" not in page
    # The other class (first lesson) still asks its own.
    carol, _ = actions.join(first_class, "Carol", "beginner")
    client.cookies.load(student_cookie(carol))
    page = client.get(reverse("course:classroom:student", args=[first_class.code])).content.decode()
    assert "8가지 기능 중 가장 중요하다고 생각하는 3가지는?" in page and 'value="secrets"' in page

    # The share board, the chart and the projector's prompts.
    hello = state.staff_hello(klass, timezone.now())
    assert [p["question"] for p in hello["prompts"]] == [
        "3가지 도구 중 2가지를 고른다면?",
        "values에 비밀번호를 넣어도 될까?",
    ]
    assert hello["board"][0]["answers"] == {"1": ["helm", "plain-yaml"], "2": "아니요, 시크릿으로"}
    assert [(r["key"], r["count"]) for r in hello["chart"]] == [
        ("helm", 1),
        ("plain-yaml", 1),
        ("kustomize", 0),
    ]

    # The export.
    client.force_login(instructor)
    text = client.get(reverse("course:classroom:export", args=[klass.code])).content.decode("utf-8")
    rows = [
        dict(zip(export.HEADER, r, strict=True))
        for r in list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1:]
    ]
    pair_rows = [r for r in rows if r["구분"] == "페어 토론"]
    assert [(r["문제"], r["문제 키"], r["섹션"], r["응답"]) for r in pair_rows] == [
        ("3가지 도구 중 2가지를 고른다면?", "prompt-1", "discussion", "헬름 / 직접 작성"),
        ("values에 비밀번호를 넣어도 될까?", "prompt-2", "discussion", "아니요, 시크릿으로"),
    ]


def test_a_pair_stored_before_prompts_came_from_the_lesson_keeps_its_text(lesson, instructor):
    """Columns and a document from before `Pair.answers`: the board and the export read them through the
    lesson's roots, and the next edit keeps them."""
    klass = actions.start_class(instructor, lesson, "오전반")
    alice, _ = actions.join(klass, "Alice", "beginner")
    actions.form_pairs(klass)
    alice.refresh_from_db()
    old = Doc()
    old.get("practice", type=Text).insert(0, "예전 답")
    Pair.objects.filter(session=klass).update(
        ydoc=old.get_update(), practice="예전 답", automation="예전 자동화", features=["secrets"], answers={}
    )
    pair = Pair.objects.get(session=klass)
    found = answers.discussion_for(klass)
    assert answers.answers_of(pair, found) == {"1": ["secrets"], "2": "예전 답", "3": "예전 자동화"}
    assert [r[9] for r in export.rows(klass) if r[0] == "페어 토론"] == [
        "시크릿 관리",
        "예전 답",
        "예전 자동화",
    ]
    actions.update_pair(klass, alice, "3", "배포까지")
    pair.refresh_from_db()
    assert pair.answers["2"] == "예전 답" and pair.answers["3"] == "배포까지"


def test_a_lesson_reimported_with_other_prompts_does_not_lock_a_pair_out():
    """A stored document holding a root and picks the lesson no longer names still takes edits; its old
    picks are left alone rather than trimmed to a limit of 0."""
    old = source_discussion(FIRST_LESSON.read_text(encoding="utf-8"))
    browser = Doc()
    state_ = pair_doc.apply_update(
        b"", pair_doc.replace_field(b"", "features", ["deployment"]), None, old
    ).state
    browser.apply_update(state_)
    browser.get("automation", type=Text).insert(0, "예전")
    state_ = pair_doc.apply_update(state_, browser.get_update(Doc().get_state()), None, old).state
    now = discussion_of([("d", '## 💭 함께 생각해보기\n**토론 주제**:\n1. "하나?"\n2. "둘?"\n')])
    before = browser.get_state()
    browser.get("prompt-1", type=Text).insert(0, "새 답")
    applied = pair_doc.apply_update(state_, browser.get_update(before), None, now)
    assert applied.fields.answers(now) == {"1": "새 답", "2": ""} and not applied.notice
    assert pair_doc.load(applied.state).get("features", type=pair_doc.Array).to_py() == ["deployment"]


def test_a_lesson_without_prompts_gives_pairs_one_free_discussion_note(client, db, instructor):
    bare = make_lesson("no-discussion", week=1, day=1, session=1)
    klass = actions.start_class(instructor, bare, "메모반")
    alice, _ = actions.join(klass, "Alice", "beginner")
    actions.join(klass, "Bob", "advanced")
    actions.form_pairs(klass)
    alice.refresh_from_db()
    client.cookies.load(student_cookie(alice))
    page = client.get(reverse("course:classroom:student", args=[klass.code])).content.decode()
    assert "토론 메모" in page and 'data-field="prompt-1"' in page and 'id="pair-features"' not in page
    actions.update_pair(klass, alice, "1", "오늘 배운 것 정리")
    assert Pair.objects.get(session=klass).answers == {"1": "오늘 배운 것 정리"}
    assert state.chart(klass) == []
    assert [(r[5], r[6], r[9]) for r in export.rows(klass) if r[0] == "페어 토론"] == [
        ("토론 메모", "prompt-1", "오늘 배운 것 정리")
    ]

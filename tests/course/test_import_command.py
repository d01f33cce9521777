"""`manage.py import_lesson` and `load_course`: files and folders, the report, refusals, errors without tracebacks."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from course.models import Diagram, GlossaryTerm, Lesson, LoadedFixture, Section, TimedPart

ROOT = Path(__file__).resolve().parents[2]
LESSON = ROOT / "course" / "content" / "week2-day4-session2.md"

pytestmark = pytest.mark.django_db


def lesson_text(week: int, day: int, session: int, topic: str = "주제", minutes: int = 10) -> str:
    return (
        f"# Week {week} Day {day} Session {session}: {topic}\n\n"
        f"## 🕘 세션 정보\n**시간**: 09:00-09:50 (50분)\n\n"
        f"### 🤔 왜 필요한가? ({minutes}분)\n글\n\n## 🔑 핵심 키워드\n- **파드(Pod)**: 작은 단위\n"
    )


def run(*args, **options):
    """Run the command; return (stdout, stderr, CommandError or None)."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("import_lesson", *map(str, args), stdout=out, stderr=err, **options)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


def test_the_bare_markdown_imports_without_an_outline(tmp_path):
    """A copy of the lesson with no outline beside it imports: 8 pages, 10 diagrams, 9 terms, 5+5 parts."""
    copy = tmp_path / "week2-day4-session2.md"
    copy.write_text(LESSON.read_text(encoding="utf-8"), encoding="utf-8")
    out, _, error = run(copy)
    assert error is None
    lesson = Lesson.objects.get(slug="week2-day4-session2")
    assert (lesson.week, lesson.day, lesson.session, lesson.total_minutes) == (2, 4, 2, 50)
    assert list(lesson.sections.values_list("slug", flat=True)) == [
        "overview",
        "why",
        "concept-1",
        "concept-2",
        "concept-3",
        "discussion",
        "keywords",
        "wrap-up",
    ]
    assert Diagram.objects.count() == 10 and GlossaryTerm.objects.count() == 9
    assert TimedPart.objects.filter(section__slug="discussion").count() == 2
    assert "5+12+12+11+10=50" in out and "created" in out


def test_the_report_is_a_table_with_the_agenda_and_warnings(tmp_path):
    short = tmp_path / "short.md"
    short.write_text(lesson_text(1, 1, 1, minutes=35), encoding="utf-8")
    out, _, error = run(short)
    assert error is None
    header, rule, row = out.splitlines()[:3]
    assert header.split() == ["slug", "title", "pages", "minutes", "diagrams", "terms", "result"]
    assert set(rule.replace(" ", "")) == {"-"}
    assert row.split()[0] == "week1-day1-session1" and "35=35" in row and row.split()[-1] == "created"
    assert "week1-day1-session1: warning: minutes add up to 35, not 50 as the lesson states" in out


def test_the_same_text_again_is_unchanged(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(lesson_text(1, 1, 1), encoding="utf-8")
    run(path)
    ids = list(Section.objects.values_list("pk", flat=True))
    out, _, error = run(path)
    assert error is None and "unchanged" in out
    assert list(Section.objects.values_list("pk", flat=True)) == ids


def test_another_text_under_the_same_slug_needs_replace(tmp_path):
    """Refused with the lesson named and --replace suggested; nothing changes; --replace replaces."""
    path = tmp_path / "a.md"
    path.write_text(lesson_text(1, 1, 1, "처음"), encoding="utf-8")
    run(path)
    path.write_text(lesson_text(1, 1, 1, "바뀜"), encoding="utf-8")
    _, err, error = run(path)
    assert error is not None and "1 of 1" in str(error)
    assert "'week1-day1-session1' (Week 1 Day 1 Session 1: 처음) already exists" in err and "--replace" in err
    assert Lesson.objects.get(slug="week1-day1-session1").title.endswith("처음")
    out, _, error = run(path, replace=True)
    assert error is None and "replaced" in out
    assert Lesson.objects.get(slug="week1-day1-session1").title.endswith("바뀜")


def test_slug_option_names_the_lesson(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(lesson_text(1, 1, 1), encoding="utf-8")
    run(path, slug="my-lesson")
    assert Lesson.objects.filter(slug="my-lesson").exists() and not Lesson.objects.filter(slug="a").exists()


def test_a_folder_imports_in_course_order_past_a_broken_file(tmp_path):
    """Recursively, sorted by week/day/session; a broken file is reported as file:line, the rest import,
    and the command fails at the end."""
    (tmp_path / "w2").mkdir()
    (tmp_path / "w2" / "zeta.md").write_text(lesson_text(2, 1, 1), encoding="utf-8")
    (tmp_path / "alpha.md").write_text(lesson_text(3, 1, 1), encoding="utf-8")
    (tmp_path / "beta.md").write_text(lesson_text(1, 5, 2), encoding="utf-8")
    (tmp_path / "broken.md").write_text(
        "# Week 1 Day 1 Session 1: 깨짐\n\n## 가\n```bash\n## 나\n", encoding="utf-8"
    )
    (tmp_path / "README.md").write_text("# 안내\n", encoding="utf-8")

    out, err, error = run(tmp_path)

    assert error is not None and "1 of 4 lesson files failed" in str(error)
    assert f"{tmp_path / 'broken.md'}:4: code fence is never closed" in err
    assert "Traceback" not in out + err
    progress = [line for line in out.splitlines() if line.startswith("[")]
    assert [line.split()[1].rsplit("/", 1)[-1].rstrip(":") for line in progress] == [
        "beta.md",
        "zeta.md",
        "alpha.md",
        "broken.md",  # unreadable: its place in the course is unknown, so last
    ]
    assert progress[0].startswith("[1/4]") and progress[-1].startswith("[4/4]")
    assert list(Lesson.objects.values_list("slug", flat=True)) == [  # Meta.ordering: the course's order
        "week1-day5-session2",  # beta.md
        "week2-day1-session1",  # zeta.md
        "week3-day1-session1",  # alpha.md
    ]


def test_two_files_making_one_slug_in_a_folder(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "s.md").write_text(lesson_text(1, 1, 1, "처음"), encoding="utf-8")
    (tmp_path / "b" / "s.md").write_text(lesson_text(1, 1, 1, "또"), encoding="utf-8")
    _, err, error = run(tmp_path)
    assert error is not None and "is also made by" in err
    assert Lesson.objects.count() == 1


def test_the_authors_folder_layout_gives_each_lesson_its_place(tmp_path):
    """Every file of the author's course is 'session_N.md' in week/day folders: the title's (or else the
    folders') place names the lesson, so two sessions never claim one address."""
    for week, day in ((1, 1), (1, 2)):
        folder = tmp_path / f"week{week}" / f"day{day}"
        folder.mkdir(parents=True)
        (folder / "session_1.md").write_text(lesson_text(week, day, 1), encoding="utf-8")
    (tmp_path / "week3" / "day2").mkdir(parents=True)
    (tmp_path / "week3" / "day2" / "session_4.md").write_text("# Helm 기초\n\n## 가\n글\n", encoding="utf-8")
    _, err, error = run(tmp_path)
    assert error is None, err
    assert sorted(Lesson.objects.values_list("slug", flat=True)) == [
        "week1-day1-session1",
        "week1-day2-session1",
        "week3-day2-session4",
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.md", None, "no such file or folder"),
        ("latin1.md", b"# T\xe9\n", "not UTF-8 text"),
        ("오케스트레이션.md", "# 주제\n\n## 가\n글\n".encode(), "give one with --slug"),
        ("no-title.md", "글\n".encode(), "no '# Week N Day N Session N: 주제' title"),
        ("a.outline.json", b"{}", "give the lesson's .md file"),
    ],
)
def test_bad_files_get_a_clear_error_and_change_nothing(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    _, err, error = run(path)
    assert error is not None and message in err
    assert Lesson.objects.count() == 0


def test_a_broken_outline_is_reported(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(lesson_text(1, 1, 1), encoding="utf-8")
    (tmp_path / "a.outline.json").write_text("{", encoding="utf-8")
    _, err, error = run(path)
    assert error is not None and "a.outline.json line 1: not valid JSON" in err


@pytest.mark.parametrize(
    ("outline", "message"),
    [
        ([], "must be a JSON object"),
        ({"sections": [{"heading": "🕘 세션 정보"}]}, '"sections" item 1'),
        ({"sections": [{"slug": "a b", "heading": "🕘 세션 정보"}]}, "is not a slug"),
        ({"glossary_slugs": ["파드"]}, '"glossary_slugs" must be an object'),
        ({"sections": [{"slug": "x", "heading": "없는 제목"}]}, "its pages are: '🕘 세션 정보'"),
    ],
)
def test_a_wrong_outline_is_reported_not_a_traceback(tmp_path, outline, message):
    path = tmp_path / "a.md"
    path.write_text(lesson_text(1, 1, 1), encoding="utf-8")
    (tmp_path / "a.outline.json").write_text(json.dumps(outline, ensure_ascii=False), encoding="utf-8")
    _, err, error = run(path)
    assert error is not None and message in err and Lesson.objects.count() == 0


def test_dry_run_stores_nothing_and_says_what_an_import_would_do(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(lesson_text(1, 1, 1, "처음"), encoding="utf-8")
    out, _, error = run(path, dry_run=True)
    assert error is None and "would create" in out and Lesson.objects.count() == 0
    run(path)
    out, _, error = run(path, dry_run=True)
    assert error is None and out.splitlines()[2].split()[-1] == "unchanged"
    # Another text: the dry run meets the refusal the import would meet, and changes nothing.
    path.write_text(lesson_text(1, 1, 1, "바뀜"), encoding="utf-8")
    _, err, error = run(path, dry_run=True)
    assert error is not None and "already exists with a different text" in err and "--replace" in err
    out, _, error = run(path, dry_run=True, replace=True)
    assert error is None and "would replace" in out
    assert Lesson.objects.get().title.endswith("처음")


def test_the_same_file_again_keeps_the_admins_edits(tmp_path):
    """An instructor edits a page in the admin, then imports the unchanged file again: the edit stays
    (result "unchanged"); --replace rebuilds the page from the file ("rebuilt")."""
    path = tmp_path / "a.md"
    path.write_text(lesson_text(1, 1, 1), encoding="utf-8")
    run(path)
    Section.objects.filter(slug="why").update(body_markdown="### 🤔 왜 필요한가? (10분)\n고친 글\n")
    out, _, error = run(path)
    assert error is None and out.splitlines()[2].split()[-1] == "unchanged"
    assert "고친 글" in Section.objects.get(slug="why").body_markdown
    out, _, error = run(path, replace=True)
    assert error is None and out.splitlines()[2].split()[-1] == "rebuilt"
    assert "고친 글" not in Section.objects.get(slug="why").body_markdown


def test_load_course_renders_stored_pages_again_when_the_renderer_changed():
    """After an upgrade that renders Markdown differently, the stored pages get the new HTML, rendered from
    their stored Markdown, so admin edits stay."""
    call_command("load_course", verbosity=0)
    why = Section.objects.get(lesson__slug="week2-day4-session2", slug="why")
    why.body_markdown += "\n관리자가 더한 문장\n- 목록\n"
    why.body_html = "<p>이전 렌더러의 HTML</p>"
    why.save()
    LoadedFixture.objects.filter(name="renderer").update(sha256="an older renderer")
    call_command("load_course", verbosity=0)
    why.refresh_from_db()
    assert "이전 렌더러" not in why.body_html
    assert "<p>관리자가 더한 문장</p>\n<ul>\n<li>목록</li>" in why.body_html
    # The same renderer again: pages are left alone.
    Section.objects.filter(pk=why.pk).update(body_html="<p>그대로</p>")
    call_command("load_course", verbosity=0)
    assert Section.objects.get(pk=why.pk).body_html == "<p>그대로</p>"


def test_the_fixture_matches_a_fresh_import(tmp_path):
    """fixtures/lesson.json (the tests' snapshot of the shipped lesson) is what the importer makes today.

    When rendering changes, regenerate it:
    python manage.py import_lesson course/content/week2-day4-session2.md --write-fixture
    """
    fresh = tmp_path / "lesson.json"
    run(LESSON, write_fixture=str(fresh))
    committed = ROOT / "fixtures" / "lesson.json"
    assert json.loads(fresh.read_text(encoding="utf-8")) == json.loads(
        committed.read_text(encoding="utf-8")
    ), (
        "fixtures/lesson.json is stale: run `python manage.py import_lesson "
        "course/content/week2-day4-session2.md --write-fixture`"
    )


def test_load_course_imports_the_content_once():
    """load_course imports course/content/*.md, then skips it while its sha256 is unchanged."""
    call_command("load_course", verbosity=0)
    call_command("load_course", verbosity=0)
    assert Lesson.objects.count() == 1
    assert Section.objects.count() == 8 and Diagram.objects.count() == 10
    assert LoadedFixture.objects.filter(name="lesson:week2-day4-session2.md").exists()


def test_load_course_keeps_admin_edits_until_the_shipped_text_changes():
    """An unchanged lesson file is not reimported (admin edits stay); --force reloads it."""
    call_command("load_course", verbosity=0)
    Section.objects.filter(slug="why").update(title="강사가 고친 제목")
    call_command("load_course", verbosity=0)
    assert Section.objects.get(slug="why").title == "강사가 고친 제목"
    call_command("load_course", force=True, verbosity=0)
    assert Section.objects.get(slug="why").title == "🤔 왜 필요한가?"


def test_a_lesson_slug_must_be_ascii(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(lesson_text(1, 1, 1), encoding="utf-8")
    _, err, error = run(path, slug="수업")
    assert error is not None and "'수업' is its web address" in err and Lesson.objects.count() == 0

"""Plain classroom logic: codes, nicknames, pairing, grading, timers, results, CSV, QR, checklist."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course.classroom import codes, export, features, grading, nicknames, pairing, results, timer
from course.classroom.checklist import class_checklist, reached, student_checklist
from course.classroom.qr import qr_svg

T0 = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)


def test_join_codes_avoid_ambiguous_characters():
    for _ in range(200):
        code = codes.new_code()
        assert len(code) == 6
        assert not set(code) & set("01OIL")


def test_normalize_accepts_spaces_dashes_and_lower_case():
    assert codes.normalize(" ab-c 23d ") == "ABC23D"
    assert codes.normalize("") == ""


def test_nickname_is_cleaned_and_limited():
    assert nicknames.clean("  민수\u0000  \n 김 ") == "민수 김"
    assert len(nicknames.clean("가" * 100)) == 20
    with pytest.raises(nicknames.NicknameError):
        nicknames.clean(" \t\u200b")  # a zero-width space is a format character: nothing printable left


def test_duplicate_nicknames_get_a_number():
    assert nicknames.unique("민수", set()) == "민수"
    assert nicknames.unique("민수", {"민수"}) == "민수 (2)"
    assert nicknames.unique("민수", {"민수", "민수 (2)"}) == "민수 (3)"


RANK = {"b": 0, "i": 1, "a": 2}


def test_pairs_mix_the_weakest_with_the_strongest():
    people = ["b1", "b2", "a1", "a2"]
    groups = pairing.mixed_pairs(people, lambda p: RANK[p[0]], seed=1)
    assert len(groups) == 2
    for group in groups:
        assert sorted(p[0] for p in group) == ["a", "b"]


def test_an_odd_count_makes_exactly_one_trio():
    people = ["b1", "b2", "i1", "a1", "a2"]
    groups = pairing.mixed_pairs(people, lambda p: RANK[p[0]], seed=3)
    assert sorted(len(g) for g in groups) == [2, 3]
    assert sorted(p for g in groups for p in g) == sorted(people)


@given(st.lists(st.sampled_from("bia"), min_size=0, max_size=40), st.integers(0, 100))
def test_pairing_places_everyone_once_in_groups_of_two_or_three(levels, seed):
    people = [f"{lvl}{i}" for i, lvl in enumerate(levels)]
    groups = pairing.mixed_pairs(people, lambda p: RANK[p[0]], seed=seed)
    assert sorted(p for g in groups for p in g) == sorted(people)
    if len(people) >= 2:
        assert all(len(g) in (2, 3) for g in groups)
        assert sum(1 for g in groups if len(g) == 3) == len(people) % 2


def test_single_choice_grading():
    assert grading.grade("single", ["a", "b"], 1, 1).correct
    assert not grading.grade("single", ["a", "b"], 1, 0).correct


@pytest.mark.parametrize("response", [5, -1, "1", True, None, [1]])
def test_single_choice_rejects_malformed_responses(response):
    with pytest.raises(grading.Invalid):
        grading.grade("single", ["a", "b"], 1, response)


def test_multiple_choice_ignores_order_and_duplicates():
    assert grading.grade("multiple", list("abcd"), [0, 2], [2, 0, 2]).correct
    assert not grading.grade("multiple", list("abcd"), [0, 2], [0]).correct


def test_ordering_needs_every_step_once():
    assert grading.grade("ordering", list("abc"), None, [0, 1, 2]).correct
    assert not grading.grade("ordering", list("abc"), None, [1, 0, 2]).correct
    with pytest.raises(grading.Invalid):
        grading.grade("ordering", list("abc"), None, [0, 0, 1])


def test_matching_compares_each_left_item():
    choices = {"left": ["x", "y"], "right": ["1", "2"]}
    assert grading.grade("matching", choices, [1, 0], [1, 0]).correct
    assert not grading.grade("matching", choices, [1, 0], [1, 1]).correct
    with pytest.raises(grading.Invalid):
        grading.grade("matching", choices, [1, 0], [1])


def test_unknown_kind_is_invalid():
    with pytest.raises(grading.Invalid):
        grading.grade("essay", [], None, "x")


def test_time_accumulates_across_visits_and_overruns():
    spent = timer.leave_section({}, "why", T0, T0 + timedelta(minutes=3))
    assert spent == {"why": 180.0}
    clock = timer.section_clock(spent, "why", 5, T0 + timedelta(minutes=10), T0 + timedelta(minutes=14))
    assert clock.elapsed == 7 * 60
    assert clock.overrun == 120
    assert clock.remaining == 0


def test_agenda_marks_the_current_section():
    rows = timer.agenda(
        [("why", "왜", 5), ("concept-1", "개념 1", 12)],
        {"why": 400},
        "concept-1",
        T0,
        T0 + timedelta(seconds=30),
    )
    assert rows[0] == {
        "slug": "why",
        "title": "왜",
        "planned": 300,
        "elapsed": 400,
        "overrun": 100,
        "current": False,
    }
    assert rows[1]["elapsed"] == 30 and rows[1]["current"]


def test_format_seconds():
    assert timer.format_seconds(65) == "1:05"
    assert timer.format_seconds(-5) == "-0:05"


def test_summary_counts_bars_percent_and_who_is_missing():
    question = {"key": "q", "kind": "single", "choices": ["a", "b", "c"], "answer": 1}
    rows = [results.AnswerRow(1, 1, True), results.AnswerRow(2, 0, False)]
    summary = results.summarize(question, rows, {1: "Alice", 2: "Bob", 3: "Chris"})
    assert [bar["count"] for bar in summary["bars"]] == [1, 1, 0]
    assert summary["percent_correct"] == 50
    assert summary["not_answered"] == ["Chris"]
    public = results.public_view(summary)
    assert "not_answered" not in public and public["not_answered_count"] == 1
    assert "Chris" not in repr(public)


def test_csv_has_a_bom_and_neutralises_formulas():
    text = export.to_csv([["quiz", "ABC", '=HYPERLINK("x")', "", "", "q", "s", 0, "민수", "1", ""]])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == export.HEADER
    assert rows[1][2].startswith("'=")
    assert rows[1][8] == "민수"


def test_feature_picks_are_cleaned_and_charted():
    assert features.clean_pick(["storage", "nope", "storage", "secrets", "discovery", "deployment"]) == [
        "storage",
        "secrets",
        "discovery",
    ]
    assert features.clean_pick("storage") == []
    chart = features.class_chart([["storage", "secrets"], ["storage"]])
    assert chart[0] == {"key": "storage", "label": "스토리지 관리", "en": "Storage Management", "count": 2}
    assert len(chart) == 8


def test_qr_is_inline_svg_with_an_escaped_title():
    svg = qr_svg("http://127.0.0.1:8000/class/ABCDEF/", title="<b>")
    assert svg.startswith("<svg") and "&lt;b&gt;" in svg


def test_an_outcome_needs_two_answers_and_two_thirds_right():
    assert reached([("features", True)]) == set()
    assert reached([("features", True), ("features", False)]) == set()
    assert reached([("features", True), ("features", True), ("features", False)]) == {"features"}
    rows = student_checklist([("architecture", True), ("architecture", True)])
    assert [r["done"] for r in rows] == [False, False, True, False]
    klass = class_checklist({1: [("definition", True), ("definition", True)], 2: []})
    assert klass[0]["reached"] == 1 and klass[0]["percent"] == 50

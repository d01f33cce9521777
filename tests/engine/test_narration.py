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

"""Grading of every question kind; returns correctness only (no speed score, by design).

A response is what the browser sends, untrusted: anything malformed is `Invalid`, never an exception
further up. Shapes per kind are documented on `course.models.Question`.
"""

from dataclasses import dataclass

YAML_MAX = 4000


class Invalid(ValueError):
    """The response does not have the shape the question kind expects."""


@dataclass(frozen=True)
class Grade:
    correct: bool
    response: object  # the cleaned response, as stored
    detail: str = ""  # extra Korean feedback, e.g. what the YAML produced


def _index(value, size: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < size:
        raise Invalid("선택지 번호가 올바르지 않습니다.")
    return value


def grade(kind: str, choices, answer, response) -> Grade:
    """Return the grade of `response` for a question of `kind`; raise Invalid on a malformed response."""
    if kind == "single":
        chosen = _index(response, len(choices))
        return Grade(chosen == answer, chosen)
    if kind == "multiple":
        if not isinstance(response, list) or len(response) > len(choices):
            raise Invalid("선택 목록이 올바르지 않습니다.")
        chosen = sorted({_index(v, len(choices)) for v in response})
        return Grade(chosen == sorted(answer), chosen)
    if kind == "ordering":
        # The response lists the original indices in the order the student put them; correct is 0..n-1.
        if not isinstance(response, list) or len(response) != len(choices):
            raise Invalid("모든 단계를 순서대로 배치하세요.")
        order = [_index(v, len(choices)) for v in response]
        if sorted(order) != list(range(len(choices))):
            raise Invalid("각 단계를 한 번씩 배치하세요.")
        return Grade(order == list(range(len(choices))), order)
    if kind == "matching":
        left, right = choices["left"], choices["right"]
        if not isinstance(response, list) or len(response) != len(left):
            raise Invalid("모든 항목을 짝지으세요.")
        matched = [_index(v, len(right)) for v in response]
        return Grade(matched == list(answer), matched)
    if kind == "yaml":
        if not isinstance(response, str) or not response.strip():
            raise Invalid("YAML을 입력하세요.")
        if len(response) > YAML_MAX:
            raise Invalid(f"YAML은 {YAML_MAX}자 이하로 입력하세요.")
        from course.classroom.yaml_task import check_manifest

        ok, detail = check_manifest(response, answer or {})
        return Grade(ok, response, detail)
    raise Invalid("알 수 없는 문제 유형입니다.")


def correct_response(kind: str, choices, answer):
    """Return the response that would be graded correct (shown after answering), or None for YAML."""
    if kind == "ordering":
        return list(range(len(choices)))
    if kind == "yaml":
        return None
    return answer

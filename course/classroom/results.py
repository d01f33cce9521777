"""Live quiz results: per-question histogram, % correct and who has not answered yet.

Pure functions over plain values so the dashboard payload is testable without a database. The projector's
payload is the same without any names (`public_view`).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class AnswerRow:
    student_id: int
    response: object
    correct: bool


def histogram(kind: str, choices, rows: list[AnswerRow]) -> list[dict]:
    """Return the bars to draw: one per choice for single/multiple, else 정답/오답."""
    if kind in ("single", "multiple"):
        counts = [0] * len(choices)
        for row in rows:
            picked = row.response if isinstance(row.response, list) else [row.response]
            for index in picked:
                if isinstance(index, int) and 0 <= index < len(counts):
                    counts[index] += 1
        return [{"label": str(label), "count": count} for label, count in zip(choices, counts, strict=True)]
    right = sum(1 for row in rows if row.correct)
    return [
        {"label": "정답", "count": right, "correct": True},
        {"label": "오답", "count": len(rows) - right, "correct": False},
    ]


def summarize(question: dict, rows: list[AnswerRow], roster: dict[int, str], round_: int = 0) -> dict:
    """Return the dashboard payload of one question and round.

    `question` has key, kind, choices, answer; `roster` maps student id to nickname for the students present
    (`state.present_names`: online now or among those who answered), so `students` is the m of "응답 n/m",
    `percent_answered` is n/m in % (None when nobody is present) and `not_answered` names the present
    students still to answer.
    """
    answered = {row.student_id for row in rows}
    right = sum(1 for row in rows if row.correct)
    return {
        "question": question["key"],
        "round": round_,
        "answered": len(rows),
        "students": len(roster),
        "percent_answered": round(100 * len(answered & set(roster)) / len(roster)) if roster else None,
        "correct": right,
        "percent_correct": round(100 * right / len(rows)) if rows else None,
        "bars": histogram(question["kind"], question["choices"], rows),
        "answer": question["answer"] if question["kind"] in ("single", "multiple") else None,
        "not_answered": sorted(name for sid, name in roster.items() if sid not in answered),
    }


def public_view(summary: dict) -> dict:
    """Return the summary for the projector: counts only, no names."""
    public = {key: value for key, value in summary.items() if key != "not_answered"}
    public["not_answered_count"] = len(summary["not_answered"])
    return public

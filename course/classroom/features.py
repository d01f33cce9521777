"""The class chart of a picker prompt's choices, and the 8 핵심 기능 of the first lesson's 개념 2.

The pickers of a class come from its lesson (course.classroom.discussion). FEATURES / FEATURES_EN / PICK are
the shape pair documents had before that (the default of course.classroom.pair_doc without a discussion);
their keys are the ones discussion.choice_key derives from the first lesson's headings.
"""

FEATURES: dict[str, str] = {
    "deployment": "컨테이너 배포",
    "discovery": "서비스 디스커버리",
    "load-balancing": "로드 밸런싱",
    "auto-scaling": "자동 확장",
    "health-check": "헬스 체크",
    "rolling-update": "롤링 업데이트",
    "secrets": "시크릿 관리",
    "storage": "스토리지 관리",
}
FEATURES_EN: dict[str, str] = {
    "deployment": "Deployment",
    "discovery": "Service Discovery",
    "load-balancing": "Load Balancing",
    "auto-scaling": "Auto Scaling",
    "health-check": "Health Check",
    "rolling-update": "Rolling Update",
    "secrets": "Secret Management",
    "storage": "Storage Management",
}
PICK = 3


def clean_pick(raw) -> list[str]:
    """Return the valid, distinct feature keys of `raw` in the order given, at most PICK of them."""
    if not isinstance(raw, list):
        return []
    picked: list[str] = []
    for key in raw:
        if isinstance(key, str) and key in FEATURES and key not in picked:
            picked.append(key)
    return picked[:PICK]


def class_chart(picks: list[list[str]], choices: list[dict] | None = None) -> list[dict]:
    """Return every choice ({key, label, en}; the 8 features when None) with how many pairs picked it, most
    picked first (ties in lesson order). No choices (a lesson without a picker): []."""
    if choices is None:
        choices = [{"key": k, "label": v, "en": FEATURES_EN[k]} for k, v in FEATURES.items()]
    counts = {c["key"]: 0 for c in choices}
    for pick in picks:
        for key in dict.fromkeys(pick):
            if key in counts:
                counts[key] += 1
    order = list(counts)
    rows = [{**c, "count": counts[c["key"]]} for c in choices]
    return sorted(rows, key=lambda row: (-row["count"], order.index(row["key"])))

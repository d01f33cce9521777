"""The 8 핵심 기능 of 개념 2, as keys the pair discussion's prompt 1 stores."""

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


def class_chart(picks: list[list[str]]) -> list[dict]:
    """Return every feature with how many pairs picked it, most picked first (ties in lesson order)."""
    counts = dict.fromkeys(FEATURES, 0)
    for pick in picks:
        for key in pick:
            if key in counts:
                counts[key] += 1
    order = list(FEATURES)
    rows = [{"key": k, "label": FEATURES[k], "en": FEATURES_EN[k], "count": c} for k, c in counts.items()]
    return sorted(rows, key=lambda row: (-row["count"], order.index(row["key"])))

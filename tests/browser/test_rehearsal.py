"""A whole class, rehearsed in real browsers: one instructor and six students run the 50-minute flow, compressed.

The instructor drives the dashboard on a laptop (1366×768) and the presenter view on the projector
(1920×1080); six students of mixed levels join through the join link — three on laptops, three on phones
(390 px). Along the way the class does what a live class leans on hardest: self-paced answers while a
peer-instruction question is open, a reload mid-answer and mid-vote, the instructor moving on while a student
types YAML and another picks a matching row, two rounds of peer instruction, predict → observe on the demo
cluster, partners typing Korean into the same pair field at the same moment (through an IME), and a phone
that goes offline and comes back with what it typed.

At the end every answer, vote, prediction and pair character that was sent must be stored (the database),
shown (the dashboard, the projector, the partners' screens) and exported (the CSV file), and the screens must
agree with each other. Screenshots: the presenter view during a live question, a phone during a live
question, the dashboard at 1366×768 (docs/screenshots/rehearsal-*.png).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest

from course.classroom.export import KIND_PREDICTION, KIND_QUIZ, KIND_VOTE, ROUND_LABELS
from course.models import Answer, ClassSession, Pair, Student
from course.models.classroom import PredictionVote
from tests.browser.conftest import open_page, sign_in
from tests.browser.ime import JAMO, Typist, type_together
from tests.course.classroom.test_yaml_task import RIGHT as YAML

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844, "is_mobile": True, "has_touch": True}
LAPTOP = {"width": 1366, "height": 768}
FIRST_SENTENCE = "우리 쇼핑몰은 자동 확장이 제일 급해요."
SECOND_SENTENCE = "롤링 업데이트로 무중단 배포!"
OFFLINE_TEXT = "지하철에서 쓴 답: 배포와 복구까지 자동화"


@dataclass
class Seat:
    """One student at one device: the nickname, the level they pick and their page."""

    nickname: str
    level: str
    device: str
    page: object = None
    context: object = None
    watch: object = None


def opened(page) -> None:
    page.wait_for_selector("#socket-status[data-state=open]")


def keys(page, *presses: str) -> None:
    """Press dashboard shortcuts with nothing focused (shortcuts are ignored while typing in a field)."""
    for key in presses:
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        page.keyboard.press(key)


def at_section(page, slug: str) -> None:
    try:
        page.wait_for_selector(f"article.cls-section[data-section={slug}]")
    except Exception as exc:  # say where the page is instead, and why it did not move
        where = page.evaluate(
            """() => ({section: document.querySelector('article.cls-section')?.dataset.section,
                      follow: document.getElementById('follow')?.checked,
                      banner: !document.getElementById('follow-banner')?.hidden,
                      focus: document.activeElement?.id || document.activeElement?.tagName})"""
        )
        raise AssertionError(f"{page.url} never showed {slug}: {where}") from exc


def answer(seat: Seat, key: str, value: str) -> None:
    """Pick the choice whose value (the original index, whatever the student's shuffle) is `value`; submit."""
    form = seat.page.locator(f"#quiz-{key}")
    form.locator(f"input[value='{value}']").check()
    form.locator("button[type=submit]").click()
    seat.page.wait_for_selector(
        f"#quiz-{key} .quiz-feedback[data-correct=true], #quiz-{key} .quiz-feedback[data-correct=false]"
    )


def vote(seat: Seat, value: str) -> None:
    seat.page.wait_for_selector("#live-panel:not([hidden])")
    seat.page.locator(f"#live-form input[value='{value}']").check()
    seat.page.locator("#live-form button[type=submit]").click()
    seat.page.wait_for_function(
        "() => document.querySelector('#live-form .quiz-feedback')?.textContent.includes('투표했습니다')"
    )


def teacher_waits(teacher, selector: str, text: str, timeout: int = 15_000) -> None:
    teacher.wait_for_function(
        "([sel, text]) => document.querySelector(sel)?.textContent.includes(text)",
        arg=[selector, text],
        timeout=timeout,
    )


def test_a_whole_class_rehearsed_end_to_end(browser, asgi_server, instructor_account, screenshot_dir):
    # The instructor signs in and starts a class; the projector opens the presenter view.
    teacher_ctx, teacher, teacher_watch = open_page(browser, asgi_server, **LAPTOP)
    sign_in(teacher)
    teacher.locator("#start-title").fill("리허설 반")
    teacher.locator("#start-form button[type=submit]").click()
    opened(teacher)
    code = teacher.locator("#class-code").inner_text().strip()
    join_url = teacher.locator("#join-url").inner_text().strip()
    projector = teacher_ctx.new_page()
    projector.set_viewport_size({"width": 1920, "height": 1080})
    projector_errors: list[str] = []
    projector.on("console", lambda m: projector_errors.append(m.text) if m.type == "error" else None)
    projector.on("pageerror", lambda exc: projector_errors.append(str(exc)))
    projector.goto(f"/class/{code}/projector/")
    opened(projector)

    # Six students, mixed levels, laptops and phones, all through the join link the QR code encodes.
    seats = [
        Seat("지민", "초급", "laptop"),
        Seat("보라", "고급", "phone"),
        Seat("민수", "중급", "laptop"),
        Seat("서연", "초급", "phone"),
        Seat("하준", "고급", "laptop"),
        Seat("유나", "중급", "phone"),
    ]
    for seat in seats:
        seat.context, seat.page, seat.watch = open_page(
            browser, asgi_server, **(PHONE if seat.device == "phone" else LAPTOP)
        )
        seat.page.goto(join_url)
        assert seat.page.locator("#join-code").input_value() == code
        seat.page.get_by_label("닉네임").fill(seat.nickname)
        seat.page.get_by_label(seat.level).check()
        seat.page.locator("#join-form button[type=submit]").click()
        opened(seat.page)
    by_name = {seat.nickname: seat for seat in seats}
    teacher.wait_for_function("() => document.getElementById('online-count').textContent === '6'")
    assert teacher.locator("#student-count").inner_text() == "6"

    # What the class sends, as it sends it: (nickname, question, round) → (response, correct).
    sent: dict[tuple[str, str, int], tuple[object, bool]] = {}
    predictions: dict[str, int] = {}

    # Pacing with the keyboard: → twice reaches 개념 1; every student follows, at the top of the section.
    keys(teacher, "ArrowRight", "ArrowRight")
    for seat in seats:
        at_section(seat.page, "concept-1")
        assert seat.page.evaluate("() => window.scrollY") < 200
    projector.wait_for_function("() => document.getElementById('now-title').textContent.includes('개념 1')")

    # A reload mid-answer: 하준 ticks two boxes of a multiple-choice question, the laptop reloads, the ticks are
    # still there.
    hajun = by_name["하준"].page
    for value in ("0", "1"):
        hajun.locator(f"#quiz-after-orchestration input[value='{value}']").check()
    hajun.reload()
    opened(hajun)
    for value, ticked in (("0", True), ("1", True), ("2", False), ("3", False)):
        assert hajun.locator(f"#quiz-after-orchestration input[value='{value}']").is_checked() is ticked

    # Self-paced quiz: four right, two wrong; instant feedback for each.
    for name, value in [("지민", 1), ("보라", 1), ("민수", 1), ("서연", 1), ("하준", 0), ("유나", 2)]:
        answer(by_name[name], "definition", str(value))
        sent[(name, "definition", 0)] = (value, value == 1)

    # Peer instruction opens while the class is working on its own quizzes.
    teacher.locator("#live-question").select_option("etcd-role")
    keys(teacher, "o")
    for seat in seats:
        seat.page.wait_for_selector("#live-panel:not([hidden])")
    # A self-paced answer while the live question is open is accepted and stored.
    answer(by_name["민수"], "declarative-meaning", "1")
    sent[("민수", "declarative-meaning", 0)] = (1, True)
    assert (
        by_name["민수"].page.locator("#quiz-declarative-meaning .quiz-feedback").get_attribute("data-correct")
        == "true"
    )
    # Round 1: 보라 picks, reloads before voting (the pick survives), then votes; 서연 votes, then reloads
    # and sees her recorded vote.
    bora = by_name["보라"].page
    bora.wait_for_selector("#live-panel:not([hidden])")
    bora.locator("#live-form input[value='1']").check()
    bora.reload()
    opened(bora)
    bora.wait_for_selector("#live-panel:not([hidden])")
    assert bora.locator("#live-form input[value='1']").is_checked()
    round_1 = {"지민": 1, "보라": 1, "민수": 2, "서연": 1, "하준": 0, "유나": 1}
    for name, value in round_1.items():
        vote(by_name[name], str(value))
        sent[(name, "etcd-role", 1)] = (value, value == 1)
    seoyeon = by_name["서연"].page
    seoyeon.reload()
    opened(seoyeon)
    seoyeon.wait_for_selector("#live-panel:not([hidden])")
    assert seoyeon.locator("#live-form input[value='1']").is_checked()
    teacher_waits(teacher, "#live-rounds", "응답 6/6")
    projector.wait_for_selector("#pj-live:not([hidden])")
    by_name["유나"].page.screenshot(path=str(screenshot_dir / "rehearsal-phone-live-390.png"))
    keys(teacher, "r")  # reveal round 1
    projector.wait_for_selector("#pj-live-rounds .cls-round")
    assert "정답률 67%" in projector.locator("#pj-live-rounds").inner_text()
    # The revealed answer itself and its explanation, not only the tally.
    revealed = projector.locator("#pj-live-rounds .cls-revealed").inner_text()
    assert "etcd" in revealed and "클러스터" in revealed
    for seat in seats:
        seat.page.wait_for_selector("#live-results .cls-round")
        assert "결과가 공개되었습니다" in seat.page.locator("#live-form .quiz-feedback").inner_text()
        assert "etcd" in seat.page.locator("#live-results .cls-revealed").inner_text()
        assert seat.page.locator("#live-form button[type=submit]").is_disabled()  # the round is closed
    projector.screenshot(path=str(screenshot_dir / "rehearsal-projector-live-1920.png"))

    # Round 2 after the pairs talked: the two who were wrong change their minds; everyone votes again.
    keys(teacher, "n")
    for seat in seats:
        seat.page.wait_for_function("() => document.getElementById('live-round').textContent.includes('2')")
    round_2 = {**round_1, "민수": 1, "하준": 1}
    for name, value in round_2.items():
        vote(by_name[name], str(value))
        sent[(name, "etcd-role", 2)] = (value, value == 1)
    teacher_waits(teacher, "#live-rounds .cls-round[data-round='2']", "응답 6/6")
    keys(teacher, "r")
    projector.wait_for_function(
        "() => document.querySelector('#pj-live-rounds .cls-round[data-round=\"2\"]')?.textContent.includes('100%')"
    )
    keys(teacher, "Escape")  # close the live question
    for seat in seats:
        seat.page.wait_for_selector("#live-panel", state="hidden")

    # The instructor moves on while 지민 types YAML (focus in the field, unsent) and 유나 picks a matching row.
    jimin, yuna = by_name["지민"].page, by_name["유나"].page
    yaml_box = jimin.locator("#yaml-yaml-nginx")
    yaml_box.click()
    yaml_box.fill(YAML)
    matching = yuna.locator("#quiz-declarative-vs-imperative select").first
    matching.select_option("0")
    keys(teacher, "ArrowRight")  # → 개념 2
    for seat in seats:
        if seat.nickname not in ("지민", "유나"):
            at_section(seat.page, "concept-2")
    # 지민 was typing: the page stayed, a banner offers to follow, the YAML is all there.
    jimin.wait_for_selector("#follow-banner:not([hidden])")
    assert jimin.locator("article.cls-section").get_attribute("data-section") == "concept-1"
    assert jimin.locator("#yaml-yaml-nginx").input_value() == YAML
    jimin.locator("#quiz-yaml-nginx button[type=submit]").click()
    jimin.wait_for_selector("#quiz-yaml-nginx .quiz-feedback[data-correct=true]", timeout=30_000)
    sent[("지민", "yaml-nginx", 0)] = (YAML, True)
    jimin.locator("#follow-go").click()
    at_section(jimin, "concept-2")
    assert jimin.evaluate("() => window.scrollY") < 200
    # 유나's pick survived wherever she is now; she goes back, finishes the question and follows again.
    yuna.locator(".cls-sections a[data-slug=concept-1]").click()
    at_section(yuna, "concept-1")
    rows = yuna.locator("#quiz-declarative-vs-imperative select")
    assert rows.first.input_value() == "0"
    for index, target in enumerate([0, 1, 0, 1]):
        rows.nth(index).select_option(str(target))
    yuna.locator("#quiz-declarative-vs-imperative button[type=submit]").click()
    yuna.wait_for_selector("#quiz-declarative-vs-imperative .quiz-feedback[data-correct=true]")
    sent[("유나", "declarative-vs-imperative", 0)] = ([0, 1, 0, 1], True)
    yuna.locator("#back-to-live").click()
    at_section(yuna, "concept-2")

    # Predict → observe on the demo cluster: delete a pod. 서연 reloads with her pick unsent (it survives);
    # 하준 does not predict.
    keys(teacher, "1")
    teacher.locator("#predict-prompt").select_option("predict-delete-pod")
    teacher.locator("#predict-open").click()
    for seat in seats:
        seat.page.wait_for_selector("#predict-panel:not([hidden])")
    projector.wait_for_selector(".viz-cluster[data-pods='3']", timeout=20_000)
    seoyeon.locator("#predict-form input[value='1']").check()
    seoyeon.reload()
    opened(seoyeon)
    seoyeon.wait_for_selector("#predict-panel:not([hidden])")
    assert seoyeon.locator("#predict-form input[value='1']").is_checked()
    for name, choice in [("지민", 1), ("보라", 1), ("민수", 0), ("서연", 1), ("유나", 2)]:
        page = by_name[name].page
        page.locator(f"#predict-form input[value='{choice}']").check()
        page.locator("#predict-form button[type=submit]").click()
        page.wait_for_function(
            "() => document.querySelector('#predict-form .quiz-feedback')?.textContent.includes('저장')"
        )
        predictions[name] = choice
    teacher_waits(teacher, "#predict-state", "5/6")
    teacher.locator("#predict-play").click()
    # The class sees the deleted pod Terminating beside its replacement before the three are Ready again.
    projector.wait_for_selector(".viz-cluster[data-pods='4']", timeout=20_000)
    projector.wait_for_selector("#pj-predict-result .cls-round")
    assert "정답률 60%" in projector.locator("#pj-predict-result").inner_text()  # 3 of the 5 who predicted
    for name in predictions:
        by_name[name].page.wait_for_selector("#predict-result .cls-round")
    assert "내 예측이 맞았습니다" in jimin.locator("#predict-result").inner_text()
    teacher.locator("#predict-close").click()

    # 함께 생각해보기: pairs mixing levels, the 5-minute timer on every screen.
    teacher.locator("[data-goto=discussion]").click()
    keys(teacher, "3")
    teacher.locator("#form-pairs").click()
    keys(teacher, "d")
    for seat in seats:
        seat.page.wait_for_selector("#pair-box:not([hidden])")
        seat.page.wait_for_selector("#pair-sync[data-state=saved]", timeout=15_000)
    session = ClassSession.objects.get(code=code)
    pairs = list(Pair.objects.filter(session=session).prefetch_related("members"))
    assert len(pairs) == 3
    for pair in pairs:  # weakest with strongest
        levels = sorted(m.level for m in pair.members.all())
        assert len(levels) == 2 and levels != ["beginner", "beginner"], levels
    first_pair = pairs[0]
    partners = [by_name[m.nickname] for m in first_pair.members.all()]
    # Both partners type Korean into the same field at the same moment, through the IME.
    a = Typist(partners[0].page, "#pair-practice", FIRST_SENTENCE)
    b = Typist(partners[1].page, "#pair-practice", SECOND_SENTENCE)
    assert type_together(a, b) > 5
    expected = len(FIRST_SENTENCE) + len(SECOND_SENTENCE)
    for seat in partners:
        seat.page.wait_for_function(
            "(n) => document.getElementById('pair-practice').value.length === n", arg=expected, timeout=15_000
        )
        seat.page.wait_for_selector("#pair-sync[data-state=saved]", timeout=15_000)
    shared_text = partners[0].page.locator("#pair-practice").input_value()
    assert partners[1].page.locator("#pair-practice").input_value() == shared_text
    assert FIRST_SENTENCE in shared_text and SECOND_SENTENCE in shared_text and not JAMO.search(shared_text)
    for key in ("health-check", "rolling-update", "auto-scaling"):
        partners[0].page.locator(f"#pair-features input[value={key}]").check()
    partners[1].page.wait_for_function(
        "() => document.querySelectorAll('#pair-features input:checked').length === 3"
    )

    # A phone in another pair goes offline (a tunnel), types its answer, and comes back.
    phone_seat = next(
        seat
        for pair in pairs[1:]
        for seat in (by_name[m.nickname] for m in pair.members.all())
        if seat.device == "phone"
    )
    offline_pair = Pair.objects.get(members__nickname=phone_seat.nickname, session=session)
    phone_seat.context.set_offline(True)
    phone_seat.page.wait_for_function("() => navigator.onLine === false")
    phone_seat.page.locator("#pair-automation").fill(OFFLINE_TEXT)
    phone_seat.page.wait_for_selector("#pair-sync[data-state=offline]")
    phone_seat.context.set_offline(False)
    phone_seat.page.wait_for_selector("#pair-sync[data-state=saved]", timeout=20_000)
    partner_of_phone = next(
        by_name[m.nickname] for m in offline_pair.members.all() if m.nickname != phone_seat.nickname
    )
    partner_of_phone.page.wait_for_function(
        "(t) => document.getElementById('pair-automation').value === t", arg=OFFLINE_TEXT, timeout=15_000
    )

    # 전체 공유: the first pair goes up on the projector, without names.
    teacher_waits(teacher, "#board", SECOND_SENTENCE)
    teacher.locator(f"#pair-{first_pair.pk} button", has_text="프로젝터에 표시").click()
    projector.wait_for_selector("#pj-spotlight:not([hidden])")
    spotlight = projector.locator("#pj-spotlight").inner_text()
    assert FIRST_SENTENCE in spotlight and SECOND_SENTENCE in spotlight
    assert not any(seat.nickname in spotlight for seat in seats)

    # 세션 마무리.
    # Those still typing in a pair field get the banner instead of being moved; they follow with 이동.
    teacher.locator("[data-goto=wrap-up]").click()
    typing = {seat.nickname for seat in partners} | {phone_seat.nickname}
    for seat in seats:
        if seat.nickname in typing and seat.page.evaluate(
            "() => document.activeElement?.tagName === 'TEXTAREA'"
        ):
            seat.page.wait_for_selector("#follow-banner:not([hidden])")
            seat.page.locator("#follow-go").click()
        at_section(seat.page, "wrap-up")

    # --- Stored: the database holds exactly what was sent. ---------------------------------------------------
    stored = {
        (a.student.nickname, a.question.key, a.round): (a.response, a.correct)
        for a in Answer.objects.filter(session=session).select_related("student", "question")
    }
    assert stored == sent
    assert {
        v.student.nickname: v.choice
        for v in PredictionVote.objects.filter(session=session).select_related("student")
    } == predictions
    first_pair.refresh_from_db()
    offline_pair.refresh_from_db()
    assert first_pair.practice == shared_text
    assert sorted(first_pair.features) == ["auto-scaling", "health-check", "rolling-update"]
    assert offline_pair.automation == OFFLINE_TEXT
    assert Student.objects.filter(session=session).count() == 6

    # --- Shown: every screen agrees with the database. ------------------------------------------------------
    for seat in partners:
        assert seat.page.locator("#pair-practice").input_value() == first_pair.practice
    assert first_pair.practice in projector.locator("#pj-spotlight").inner_text()
    for name in (
        "지민",
        "보라",
        "민수",
        "서연",
        "하준",
        "유나",
    ):  # each student's own feedback, after a reload
        page = by_name[name].page
        page.reload()
        opened(page)
        page.locator(".cls-sections a[data-slug=concept-1]").click()
        at_section(page, "concept-1")
        verdict = page.locator("#quiz-definition .quiz-feedback").get_attribute("data-correct")
        assert verdict == ("true" if sent[(name, "definition", 0)][1] else "false"), name
    # Everyone is still here after all the reloads and the offline phone: six online, on every count.
    teacher.wait_for_function(
        "() => document.getElementById('online-count').textContent === '6'", timeout=10_000
    )
    keys(teacher, "2")  # results tab
    teacher_waits(teacher, "#result-definition", "응답 6/6")
    teacher_waits(teacher, "#result-definition", "정답률 67%")
    teacher_waits(teacher, "#result-why-tempo", "응답 0/6")
    teacher.screenshot(path=str(screenshot_dir / "rehearsal-dashboard-1366.png"))

    # --- Exported: the CSV has every answer, vote, prediction and pair answer. ------------------------------
    response = teacher_ctx.request.get(f"/class/{code}/export.csv")
    assert response.status == 200
    rows = list(csv.DictReader(io.StringIO(response.text().lstrip("\ufeff"))))
    quiz_rows = {
        (r["닉네임"], r["문제 키"], r["라운드"]): r["정답"]
        for r in rows
        if r["구분"] in (KIND_QUIZ, KIND_VOTE)
    }
    assert len(quiz_rows) == len(sent)
    for (name, key, round_), (_, correct) in sent.items():
        assert quiz_rows[(name, key, ROUND_LABELS[round_])] == ("O" if correct else "X"), (name, key, round_)
    predicted = {r["닉네임"] for r in rows if r["구분"] == KIND_PREDICTION}
    assert predicted == set(predictions)
    exported_text = "\n".join(r["응답"] for r in rows)
    for text in (shared_text, OFFLINE_TEXT):
        assert text in exported_text

    # Nothing went wrong on any screen.
    teacher_watch.assert_clean()
    for seat in seats:
        seat.watch.assert_clean()
    assert projector_errors == []
    for ctx in [teacher_ctx] + [seat.context for seat in seats]:
        ctx.close()

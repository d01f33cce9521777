"""The pair page over its budget of saves, over a real WebSocket (docs/protocol.md, "Budgets"): a `pair.update`
past the student's budget (course/classroom/ratelimit.py FRAME_BUDGETS["pair"], 30 at once then 2 a second) is
answered `too_fast` with `retry_after`; the page (static/js/classroom/pair.js) keeps the edits, shows the
server's Korean message under the answer, sends nothing before `retry_after` seconds have passed, then sends
everything typed meanwhile merged in one frame, and clears the message once the server acknowledged it.

Most of the budget is spent the way a second tab of the same student would spend it (all tabs share it): a
socket opened from the page sends 25 empty Yjs updates, each acknowledged and writing nothing. Then the page
types a character every 0.2 s (one save each, more than the 2 a second the budget refills) until the server
refuses one: the refusal comes from the page's own rhythm, whatever the bucket's fraction of a token.
"""

import json
import time

import pytest

from course.classroom import actions
from course.classroom.ratelimit import FRAME_BUDGETS, TOO_FAST
from course.models import ClassSession, Pair
from tests.browser.conftest import join_class, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Empty Yjs updates (`AAA=` = [0, 0], which changes nothing) from another socket of the same student, fewer than
# the burst: all acknowledged, so no `error` is spent (errors have a budget of their own).
SPEND_BUDGET = """async ([url, pair, count]) => {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
  const codes = [];
  const done = new Promise((resolve) => {
    ws.onmessage = (event) => {
      const msg = JSON.parse(event.data);
      if (msg.type === "pair.ack" || (msg.type === "error" && msg.ref >= 900000)) codes.push(msg.code || "ack");
      if (codes.length === count) resolve();
    };
  });
  for (let i = 0; i < count; i++) {
    ws.send(JSON.stringify({ v: 1, type: "pair.update", pair, update: "AAA=", id: 900000 + i }));
  }
  await done;
  ws.close();
  return codes;
}"""


def test_over_budget_edits_wait_for_retry_after_and_go_merged(browser, asgi_server, klass, screenshot_dir):
    rate, burst = FRAME_BUDGETS["pair"]
    assert burst > 25 and 1 / rate > 0.2  # the page below saves faster than the budget refills
    ctx, page, watch = open_page(browser, asgi_server)
    other_ctx, other, _ = open_page(browser, asgi_server)
    join_class(page, klass.code, "지민")
    join_class(other, klass.code, "보라")
    actions.form_pairs(ClassSession.objects.get(pk=klass.pk))
    pair = Pair.objects.get(session=klass)

    # Every frame of the page's own socket, with the monotonic time it crossed.
    frames: list[tuple[float, str, dict]] = []
    sockets = []

    def on_socket(ws):
        sockets.append(ws.url)
        if len(sockets) == 1:  # the page's socket; later ones are the budget spender's
            ws.on("framesent", lambda f: frames.append((time.monotonic(), "sent", json.loads(f))))
            ws.on("framereceived", lambda f: frames.append((time.monotonic(), "received", json.loads(f))))

    page.on("websocket", on_socket)
    page.reload()
    page.wait_for_selector("#pair-box:not([hidden])")
    page.wait_for_selector("#pair-sync[data-state=saved]", timeout=15_000)
    area = page.locator("#pair-practice")

    assert page.evaluate(SPEND_BUDGET, [sockets[0], pair.pk, 25]) == ["ack"] * 25
    typed = ""
    for i in range(100):  # one save per character (150 ms after the key) until the server refuses one
        if any(f[1] == "received" and f[2].get("code") == "too_fast" for f in frames):
            break
        area.type("abcdefghij"[i % 10])
        typed += "abcdefghij"[i % 10]
        page.wait_for_timeout(200)
    error = page.wait_for_function(
        "() => !document.getElementById('pair-notice').hidden && document.getElementById('pair-notice').textContent"
    ).json_value()
    assert error == TOO_FAST["pair"]  # the server's Korean message, under the answer
    page.locator("#pair-box").screenshot(path=str(screenshot_dir / "pair-too-fast-laptop.png"))
    refused = next(f for f in frames if f[1] == "received" and f[2].get("code") == "too_fast")
    retry_after = refused[2]["retry_after"]
    assert retry_after >= 1
    area.type("Z")  # while waiting: kept for the resend, not sent now
    typed += "Z"
    page.wait_for_selector("#pair-sync[data-state=saved]", timeout=15_000)
    page.wait_for_selector("#pair-notice", state="hidden")

    later = [f for f in frames if f[0] > refused[0]]
    sends = [f for f in later if f[1] == "sent" and f[2]["type"] == "pair.update"]
    acks = [f for f in later if f[1] == "received" and f[2]["type"] == "pair.ack"]
    assert sends and acks
    # nothing before retry_after; then one frame with everything typed meanwhile, acknowledged
    assert sends[0][0] - refused[0] >= retry_after - 0.1, (sends[0][0] - refused[0], retry_after)
    assert [s for s in sends if s[0] < acks[0][0]] == sends[:1]
    assert acks[0][2]["id"] == sends[0][2]["id"]
    pair.refresh_from_db()
    assert pair.practice == typed
    assert area.input_value() == typed
    watch.assert_clean()
    for c in (ctx, other_ctx):
        c.close()

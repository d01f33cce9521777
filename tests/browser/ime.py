"""A Korean IME in a real browser: syllables composed step by step over a CDP session, then committed.

Playwright's `keyboard.type` and `fill` never compose, so they cannot show what a remote edit does to a
composition in progress. `Typist` drives Chromium's own IME path: `Input.imeSetComposition` shows ㅋ → 쿠 → 쿨
as a Korean IME does, and `Input.insertText` commits the syllable.
"""

import re

CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
JAMO = re.compile("[\u3131-\u318e\u1100-\u11ff]")


def ime_stages(syllable: str) -> list[str]:
    """What a Korean IME shows while composing one syllable: ㅋ → 쿠 → 쿨."""
    code = ord(syllable) - 0xAC00
    if not 0 <= code < 11172:
        return []
    lead, rest = divmod(code, 21 * 28)
    vowel, tail = divmod(rest, 28)
    stages = [CHOSEONG[lead], chr(0xAC00 + (lead * 21 + vowel) * 28)]
    if tail:
        stages.append(syllable)
    return stages


class Typist:
    """Types a sentence into a textarea through the page's IME, one composition step at a time."""

    def __init__(self, page, selector: str, sentence: str):
        self.page, self.selector, self.sentence = page, selector, sentence
        self.cdp = page.context.new_cdp_session(page)
        self.steps = []
        for ch in sentence:
            for stage in ime_stages(ch):
                self.steps.append(("compose", stage))
            self.steps.append(("commit", ch))

    def focus(self):
        self.page.locator(self.selector).click()
        self.page.evaluate(
            "(sel) => { const a = document.querySelector(sel); a.setSelectionRange(a.value.length, a.value.length); }",
            self.selector,
        )

    def step(self) -> bool:
        """Do the next composition step; return False when the sentence is typed."""
        if not self.steps:
            return False
        kind, text = self.steps.pop(0)
        if kind == "compose":
            self.cdp.send(
                "Input.imeSetComposition",
                {"text": text, "selectionStart": len(text), "selectionEnd": len(text)},
            )
        else:
            self.cdp.send("Input.insertText", {"text": text})
        return True

    def compose(self) -> bool:
        """Run the composition steps of the next character; return whether there were any."""
        composed = False
        while self.steps and self.steps[0][0] == "compose":
            self.step()
            composed = True
        return composed

    def commit(self) -> None:
        if self.steps:
            self.step()


def type_together(a: Typist, b: Typist) -> int:
    """Type both partners' sentences at the same time; return how many syllables met a remote edit mid-way.

    One partner starts a syllable; the other types a whole syllable meanwhile, whose update reaches the first
    while it is still composing; then the first commits. Roles swap every syllable.
    """
    a.focus()
    b.focus()
    mid_composition = 0
    turn = 0
    while a.steps or b.steps:
        first, second = (a, b) if turn % 2 == 0 else (b, a)
        composing = first.compose()
        second.compose()
        second.commit()
        first.page.wait_for_timeout(60)
        mid_composition += composing
        first.commit()
        turn += 1
    return mid_composition

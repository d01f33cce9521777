"""Nicknames students pick at join: cleaned, length-limited, and made unique within a class."""

import unicodedata

from django.utils.translation import gettext

from course.models.classroom import NICKNAME_MAX


class NicknameError(ValueError):
    """The nickname is empty once cleaned."""


def clean(raw: str) -> str:
    """Return the nickname without control characters, with runs of spaces collapsed, cut to NICKNAME_MAX.

    Raise NicknameError when nothing printable is left. Escaping for HTML is the template's job; this only
    keeps names readable on a roster and a projector.
    """
    text = unicodedata.normalize("NFC", raw or "")
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = " ".join(text.split())[:NICKNAME_MAX].strip()
    if not text:
        raise NicknameError(gettext("닉네임을 입력하세요."))
    return text


def unique(nickname: str, taken: set[str]) -> str:
    """Return `nickname`, or `nickname (2)`, `(3)`… — the first form not in `taken`."""
    if nickname not in taken:
        return nickname
    n = 2
    while f"{nickname} ({n})" in taken:
        n += 1
    return f"{nickname} ({n})"

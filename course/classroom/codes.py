"""Short join codes that survive being read aloud and typed on a phone: no 0/O, 1/I/L."""

import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6
PAIR_CODE_LENGTH = 4


def new_code(length: int = JOIN_CODE_LENGTH) -> str:
    """Return a random code of `length` characters from the unambiguous alphabet."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalize(raw: str) -> str:
    """Return the code the user meant: upper case, without spaces or dashes, at most 12 characters."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[:12]

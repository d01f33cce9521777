"""Short codes that survive being read aloud and typed on a phone: no 0/O, 1/I/L.

A join code (6 characters, 31**6 ≈ 887 million) is shown to the whole room and only has to be unique. A pair
code is private to two students, and a classmate who guessed it would sit in their pair: 8 characters give
31**8 ≈ 8.5 × 10**11 codes (40 bits; 4 characters gave 923,521, found in minutes). At the pair-code rate limit
(60 tries per 10 minutes per address, course.classroom.ratelimit) hitting any of a dozen pairs' codes takes
about 20,000 years on average, and still about 2 years at the ~1,000 tries a second of an unlimited server.
Typed codes may carry spaces, dashes or lower case (`normalize`).
"""

import math
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6
PAIR_CODE_LENGTH = 8


def new_code(length: int = JOIN_CODE_LENGTH) -> str:
    """Return a random code of `length` characters from the unambiguous alphabet (a CSPRNG draw)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalize(raw: str) -> str:
    """Return the code the user meant: upper case, without spaces or dashes, at most 12 characters."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[:12]


def entropy_bits(length: int) -> float:
    """Return the bits of entropy of a random code of `length` characters (log2 of the number of codes)."""
    return length * math.log2(len(ALPHABET))

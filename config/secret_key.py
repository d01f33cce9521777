"""The secret key when SECRET_KEY is not set: generated on first run, kept in a local file only its owner reads.

The key signs the students' class cookies and every session: anyone who knows it can sign in as any student
(their ids are sequential) or any instructor. A key written in the source is known to everyone, so the app
never uses one: a fresh clone draws its own key the first time it starts and keeps it in `var/secret_key`
(mode 0600), so restarts, and several Daphne processes on the same machine, share it. Machines that must
share a key (several hosts behind one address) set SECRET_KEY instead.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 50  # Django's own get_random_secret_key() draws 50 characters; 50 bytes → 67 characters here
MIN_LENGTH = 40


def load_or_create(path: Path) -> str:
    """Return the key stored at `path`, creating the file (mode 0600, directory included) on first use.

    Two processes starting at once both end up with the same key: the file is written to a temporary name
    and linked into place, which fails for the second writer, who then reads the first one's key.
    Raises ImproperlyConfigured when the file cannot be read or written, or holds too short a key.
    """
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    except OSError as exc:  # unreadable, or a file where a directory should be
        raise ImproperlyConfigured(
            f"Could not read the secret key file {path} ({exc}); set SECRET_KEY."
        ) from exc
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key-")  # mode 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(KEY_BYTES) + "\n")
            with contextlib.suppress(FileExistsError):  # another process won the race: use its key
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
        return _read(path)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"Could not create the secret key file {path} ({exc}); set SECRET_KEY or SECRET_KEY_FILE."
        ) from exc


def _read(path: Path) -> str:
    key = path.read_text().strip()
    if len(key) < MIN_LENGTH:
        raise ImproperlyConfigured(
            f"The secret key in {path} is shorter than {MIN_LENGTH} characters; delete the file to draw a new one."
        )
    return key

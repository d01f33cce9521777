"""config.secret_key: a key drawn once, private to its owner, the same for every process on the machine."""

import stat
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import secret_key


def test_the_key_is_created_private_and_then_reused(tmp_path):
    path = tmp_path / "var" / "secret_key"
    key = secret_key.load_or_create(path)
    assert len(key) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key.load_or_create(path) == key
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_processes_starting_together_share_one_key(tmp_path):
    """Daphne processes started at once race to create the file; all of them end up with the same key."""
    path = tmp_path / "secret_key"
    keys: list[str] = []
    start = threading.Barrier(8)

    def load():
        start.wait()
        keys.append(secret_key.load_or_create(path))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1


def test_a_truncated_key_file_is_refused(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("short\n")
    with pytest.raises(ImproperlyConfigured, match="shorter than"):
        secret_key.load_or_create(path)


def test_an_unwritable_place_is_a_clear_configuration_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ImproperlyConfigured, match="set SECRET_KEY"):
        secret_key.load_or_create(blocker / "secret_key")  # a file where the directory should be

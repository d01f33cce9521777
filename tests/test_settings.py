"""Settings come from the environment with embedded defaults; unsafe production settings refuse to start."""

import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from config import lan

ROOT = Path(__file__).resolve().parent.parent


SET_BY_TESTS = {
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "DEBUG",
    "ALLOWED_HOSTS",
    "BIND_HOST",
    "PUBLIC_URL",
    "SECURE_COOKIES",
    "SECURE_HSTS_SECONDS",
    "CSRF_TRUSTED_ORIGINS",
}


def settings_in_subprocess(env: dict[str, str], expression: str, key_file: Path | None = None):
    """Import the settings afresh with only `env` set and print `expression`.

    The generated secret key goes to `key_file` (a throw-away file unless given), never to var/secret_key.
    """
    clean = {k: v for k, v in os.environ.items() if k not in SET_BY_TESTS}
    with tempfile.TemporaryDirectory() as scratch:
        key_path = key_file or Path(scratch) / "secret_key"
        return subprocess.run(
            [sys.executable, "-c", f"import config.settings as s; print({expression})"],
            cwd=ROOT,
            env={**clean, "SECRET_KEY_FILE": str(key_path), **env},
            capture_output=True,
            text=True,
            timeout=60,
        )


def test_defaults_are_sqlite_and_the_in_memory_layer():
    """With nothing set, the app runs on SQLite and the in-memory channel layer."""
    out = settings_in_subprocess(
        {}, "s.DATABASES['default']['ENGINE'], s.CHANNEL_LAYERS['default']['BACKEND'], s.DEBUG"
    )
    assert out.stdout.strip() == "django.db.backends.sqlite3 channels.layers.InMemoryChannelLayer True"


def test_database_url_and_redis_url_switch_to_real_services():
    """DATABASE_URL selects PostgreSQL; REDIS_URL selects channels_redis with a large connection pool."""
    out = settings_in_subprocess(
        {"DATABASE_URL": "postgres://u@db.example:5433/lab", "REDIS_URL": "redis://cache.example:6379/2"},
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.CHANNEL_LAYERS['default']['BACKEND'], "
        "s.CHANNEL_LAYERS['default']['CONFIG']['hosts'][0]['max_connections']",
    )
    assert (
        out.stdout.strip() == "django.db.backends.postgresql lab channels_redis.core.RedisChannelLayer 1000"
    )


def test_production_refuses_the_default_secret_key():
    """DEBUG off with the built-in (public) development key stops the app with a clear message."""
    out = settings_in_subprocess(
        {"DEBUG": "0", "SECRET_KEY": "orchestra-lab-insecure-development-key-change-me"}, "1"
    )
    assert out.returncode != 0
    assert "SECRET_KEY" in out.stderr and "ImproperlyConfigured" in out.stderr


def test_without_secret_key_a_key_is_generated_kept_private_and_reused(tmp_path):
    """No SECRET_KEY: the first start draws a key into a 0600 file; the next start (or process) reuses it."""
    key_file = tmp_path / "var" / "secret_key"
    first = settings_in_subprocess({"DEBUG": "0"}, "s.SECRET_KEY", key_file)
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert len(key) >= 50 and key != "orchestra-lab-insecure-development-key-change-me"
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = settings_in_subprocess({}, "s.SECRET_KEY", key_file)
    assert again.stdout.strip() == key
    # Another clone (another file) gets another key: nothing about it is in the source.
    assert settings_in_subprocess({}, "s.SECRET_KEY").stdout.strip() != key


def test_an_explicit_secret_key_wins_over_the_file(tmp_path):
    key_file = tmp_path / "secret_key"
    out = settings_in_subprocess({"DEBUG": "0", "SECRET_KEY": "k" * 60}, "s.SECRET_KEY", key_file)
    assert out.stdout.strip() == "k" * 60 and not key_file.exists()


def test_loopback_bind_keeps_development_mode():
    """`make run` (HOST=127.0.0.1) is a developer at their machine: DEBUG on, loopback hosts only."""
    out = settings_in_subprocess({"BIND_HOST": "127.0.0.1"}, "s.DEBUG, s.LAN_MODE, s.LAN_ADDRESSES")
    assert out.stdout.strip() == "True False []"


def test_binding_beyond_loopback_is_production_mode_with_the_lan_addresses_allowed():
    """`make run HOST=0.0.0.0`: DEBUG off, a generated key, and this machine's LAN addresses in ALLOWED_HOSTS
    (which the websocket origin check reads too)."""
    out = settings_in_subprocess(
        {"BIND_HOST": "0.0.0.0"},
        "s.DEBUG, s.LAN_MODE, s.SECRET_KEY != s.DEFAULT_SECRET_KEY, '|', s.ALLOWED_HOSTS",
    )
    assert out.returncode == 0, out.stderr
    flags, hosts = out.stdout.split("|")
    assert flags.split() == ["False", "True", "True"]
    expected = lan.reachable_addresses("0.0.0.0")
    if not expected:
        pytest.skip("this machine has no LAN address to check for")
    for address in expected:
        assert repr(lan.url_host(address)) in hosts
    assert "'127.0.0.1'" in hosts and "'localhost'" in hosts  # the instructor's own browser still works


def test_a_specific_bind_address_is_allowed_and_nothing_else_from_the_lan():
    out = settings_in_subprocess({"BIND_HOST": "10.11.12.13"}, "s.DEBUG, s.LAN_ADDRESSES, s.ALLOWED_HOSTS")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("False ['10.11.12.13'] ") and "'10.11.12.13'" in out.stdout


def test_debug_is_refused_beyond_loopback():
    """Students must never see a traceback: DEBUG=1 with a LAN bind does not start."""
    out = settings_in_subprocess({"BIND_HOST": "0.0.0.0", "DEBUG": "1"}, "1")
    assert out.returncode != 0 and "DEBUG is on while serving beyond loopback" in out.stderr


def test_the_development_key_is_refused_beyond_loopback():
    out = settings_in_subprocess(
        {"BIND_HOST": "0.0.0.0", "SECRET_KEY": "orchestra-lab-insecure-development-key-change-me"}, "1"
    )
    assert out.returncode != 0 and "development key" in out.stderr


def test_public_url_is_allowed_and_trusted_and_a_malformed_one_refused():
    out = settings_in_subprocess(
        {"PUBLIC_URL": "https://lab.example:8443/"},
        "s.PUBLIC_URL, s.ALLOWED_HOSTS[-1], s.CSRF_TRUSTED_ORIGINS",
    )
    assert out.stdout.strip() == "https://lab.example:8443 lab.example ['https://lab.example:8443']"
    bad = settings_in_subprocess({"PUBLIC_URL": "lab.example"}, "1")
    assert bad.returncode != 0 and "PUBLIC_URL must look like" in bad.stderr


def test_secure_cookies_and_hsts_follow_the_environment():
    """Behind HTTPS, SECURE_COOKIES marks every cookie Secure; HSTS is off unless SECURE_HSTS_SECONDS is set."""
    default = settings_in_subprocess(
        {"DEBUG": "0"}, "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS"
    )
    assert default.stdout.strip() == "False False 0"
    secure = settings_in_subprocess(
        {"DEBUG": "0", "SECURE_COOKIES": "1", "SECURE_HSTS_SECONDS": "31536000"},
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS",
    )
    assert secure.stdout.strip() == "True True 31536000"


def test_the_content_security_policy_allows_no_inline_script():
    out = settings_in_subprocess({}, "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src']")
    assert out.stdout.strip() == "[\"'self'\"]"


def test_production_starts_with_its_own_secret_key_and_hosts():
    """DEBUG off, a real key and a host list are accepted."""
    out = settings_in_subprocess(
        {"DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "lab.example, 10.0.0.5"},
        "s.ALLOWED_HOSTS",
    )
    assert out.stdout.strip() == "['lab.example', '10.0.0.5']"


def test_a_malformed_boolean_is_a_configuration_error():
    """DEBUG=maybe is refused rather than guessed."""
    out = settings_in_subprocess({"DEBUG": "maybe"}, "1")
    assert out.returncode != 0 and "DEBUG must be one of" in out.stderr


def test_the_new_visitor_limit_and_the_proxy_switch_are_read_and_checked():
    """RATE_LIMIT_SANDBOX_ADDRESS is COUNT/SECONDS or off (anything else stops the app with a clear message);
    TRUST_X_FORWARDED_FOR is off unless set."""
    out = settings_in_subprocess({}, "s.RATE_LIMIT_SANDBOX_ADDRESS, s.TRUST_X_FORWARDED_FOR")
    assert out.stdout.strip() == "60/600 False"
    out = settings_in_subprocess(
        {"RATE_LIMIT_SANDBOX_ADDRESS": "off", "TRUST_X_FORWARDED_FOR": "1"},
        "s.RATE_LIMIT_SANDBOX_ADDRESS, s.TRUST_X_FORWARDED_FOR",
    )
    assert out.stdout.strip() == "off True"
    out = settings_in_subprocess({"RATE_LIMIT_SANDBOX_ADDRESS": "sixty"}, "1")
    assert out.returncode != 0
    assert "RATE_LIMIT_SANDBOX_ADDRESS" in out.stderr and "ImproperlyConfigured" in out.stderr

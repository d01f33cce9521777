"""Settings come from the environment with embedded defaults; unsafe production settings refuse to start."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def settings_in_subprocess(env: dict[str, str], expression: str) -> subprocess.CompletedProcess:
    """Import the settings afresh with only `env` set and print `expression`."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}
    }
    return subprocess.run(
        [sys.executable, "-c", f"import config.settings as s; print({expression})"],
        cwd=ROOT,
        env={**clean, **env},
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
    """DEBUG off with the built-in key stops the app with a clear message."""
    out = settings_in_subprocess({"DEBUG": "0"}, "1")
    assert out.returncode != 0
    assert "SECRET_KEY" in out.stderr and "ImproperlyConfigured" in out.stderr


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

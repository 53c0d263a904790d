"""Settings from the environment: a bad value stops start-up naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_int, env_list, env_str, parse_database_url

REPO = Path(__file__).resolve().parents[3]
VAR = "FAZHI_TEST_VALUE"


@pytest.fixture
def setenv(monkeypatch):
    def _set(value: str) -> None:
        monkeypatch.setenv(VAR, value)

    monkeypatch.delenv(VAR, raising=False)
    return _set


def _raises_naming_variable(func, *args, **kwargs) -> str:
    with pytest.raises(ImproperlyConfigured) as excinfo:
        func(*args, **kwargs)
    message = str(excinfo.value)
    assert VAR in message
    return message


# --- Helpers ---


def test_env_str(setenv):
    assert env_str(VAR, "fallback") == "fallback"
    _raises_naming_variable(env_str, VAR)
    setenv("value")
    assert env_str(VAR) == "value"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("Yes", True),
        (" on ", True),
        ("0", False),
        ("false", False),
        ("NO", False),
        ("off", False),
        ("", False),
    ],
)
def test_env_bool_accepts(setenv, raw, expected):
    setenv(raw)
    assert env_bool(VAR, not expected) is expected


@pytest.mark.parametrize("raw", ["maybe", "2", "yess", "t"])
def test_env_bool_refuses(setenv, raw):
    setenv(raw)
    assert repr(raw) in _raises_naming_variable(env_bool, VAR, False)


def test_env_bool_default(setenv):
    assert env_bool(VAR, True) is True


def test_env_int(setenv):
    assert env_int(VAR, 7) == 7
    setenv("12")
    assert env_int(VAR, 7, minimum=1, maximum=12) == 12


@pytest.mark.parametrize("raw", ["abc", "1.5", "", "10 MB"])
def test_env_int_refuses_non_numbers(setenv, raw):
    setenv(raw)
    assert "whole number" in _raises_naming_variable(env_int, VAR, 5)


@pytest.mark.parametrize(
    ("raw", "minimum", "maximum", "words"),
    [
        ("0", 1, None, ">= 1"),
        ("-3", 0, None, ">= 0"),
        ("5", 1, 4, "between 1 and 4"),
        ("0", 1, 4, "between 1 and 4"),
    ],
)
def test_env_int_refuses_out_of_range(setenv, raw, minimum, maximum, words):
    setenv(raw)
    assert words in _raises_naming_variable(env_int, VAR, 1, minimum=minimum, maximum=maximum)


def test_env_choice(setenv):
    assert env_choice(VAR, "a", ("a", "b")) == "a"
    setenv("b")
    assert env_choice(VAR, "a", ("a", "b")) == "b"
    setenv("c")
    assert "one of a, b" in _raises_naming_variable(env_choice, VAR, "a", ("a", "b"))


def test_env_list(setenv):
    assert env_list(VAR, ["x"]) == ["x"]
    setenv(" a.example , b.example ")
    assert env_list(VAR, []) == ["a.example", "b.example"]


@pytest.mark.parametrize("raw", ["a,,b", "a,", ",a", ""])
def test_env_list_refuses_empty_items(setenv, raw):
    setenv(raw)
    assert "empty items" in _raises_naming_variable(env_list, VAR, [])


# --- DATABASE_URL ---


def test_sqlite_relative_path_is_under_the_base_dir(tmp_path):
    config = parse_database_url(VAR, "sqlite:///var/fazhi.sqlite3", tmp_path)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "var" / "fazhi.sqlite3")


def test_sqlite_absolute_path(tmp_path):
    config = parse_database_url(VAR, "sqlite:////srv/fazhi/db.sqlite3", tmp_path)
    assert config["NAME"] == "/srv/fazhi/db.sqlite3"
    options: Any = config["OPTIONS"]
    assert "journal_mode=WAL" in options["init_command"]


def test_postgres_url(tmp_path):
    config = parse_database_url(
        VAR, "postgres://fazhi:p%40ss%2Fw@db.internal:6543/fazhi_prod", tmp_path
    )
    assert config == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "fazhi_prod",
        "USER": "fazhi",
        "PASSWORD": "p@ss/w",
        "HOST": "db.internal",
        "PORT": "6543",
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "pgsql"])
def test_postgres_url_without_credentials_or_port(tmp_path, scheme):
    config = parse_database_url(VAR, f"{scheme}://localhost/fazhi", tmp_path)
    assert (
        config["NAME"],
        config["USER"],
        config["PASSWORD"],
        config["HOST"],
        config["PORT"],
    ) == ("fazhi", "", "", "localhost", "")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://u@h/db", "unsupported scheme 'mysql'"),
        ("/var/fazhi.sqlite3", "unsupported scheme ''"),
        ("postgres://u@localhost/", "needs a database name"),
        ("postgres://u@localhost", "needs a database name"),
        ("postgres://u@localhost:port/db", "port is not a number"),
        ("postgres://u@localhost:99999/db", "port is not a number"),
        ("sqlite://", "needs a file path"),
        ("sqlite:///", "needs a file path"),
    ],
)
def test_bad_database_urls_are_refused(tmp_path, url, words):
    message = _raises_naming_variable(parse_database_url, VAR, url, tmp_path)
    assert words in message


# --- Start-up ---


def _import_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "FAZHI_ENV", "DATABASE_URL", "AUDIT_ANCHOR_KEY"}
    }
    clean.update({"FAZHI_VAR_DIR": str(tmp_path), "PYTHONPATH": str(REPO)}, **env)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_settings_import_fails_on_a_bad_variable(tmp_path):
    result = _import_settings(tmp_path, DEBUG="maybe")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DEBUG must be true or false, not 'maybe'" in result.stderr


def test_settings_import_fails_on_a_bad_database_url(tmp_path):
    result = _import_settings(tmp_path, DATABASE_URL="mysql://localhost/fazhi")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_production_without_secret_key_fails(tmp_path):
    result = _import_settings(tmp_path, FAZHI_ENV="production")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when FAZHI_ENV=production" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_short_secret_key_fails(tmp_path):
    result = _import_settings(tmp_path, FAZHI_ENV="production", SECRET_KEY="short")
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 32 characters" in result.stderr


def test_production_with_a_secret_key_starts(tmp_path):
    result = _import_settings(
        tmp_path,
        FAZHI_ENV="production",
        SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://h/fazhi",
        AUDIT_ANCHOR_KEY="a" * 40,
    )
    assert result.returncode == 0, result.stderr


def test_development_keeps_a_generated_key(tmp_path):
    assert _import_settings(tmp_path).returncode == 0
    key_file = tmp_path / "secret_key"
    assert len(key_file.read_text().strip()) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"

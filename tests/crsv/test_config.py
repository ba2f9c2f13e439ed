"""The typed environment readers fail loudly on bad values."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from crsv import config


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("1", True), ("off", False), ("", False)])
def test_env_bool(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("X_FLAG", raw)
    assert config.env_bool("X_FLAG", not expected) is expected


def test_env_bool_refuses_garbage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG='maybe' is not a boolean"):
        config.env_bool("X_FLAG", False)


def test_env_int(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_INT", "12")
    assert config.env_int("X_INT", 1) == 12
    monkeypatch.setenv("X_INT", "twelve")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        config.env_int("X_INT", 1)
    monkeypatch.setenv("X_INT", "-1")
    with pytest.raises(ImproperlyConfigured, match="below the minimum"):
        config.env_int("X_INT", 1, minimum=0)


def test_env_str_reads_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert config.env_str("X_SECRET") == "s3cret"


def test_env_str_refuses_both_and_unreadable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("X_SECRET", "a")
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="not both"):
        config.env_str("X_SECRET")
    monkeypatch.delenv("X_SECRET")
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        config.env_str("X_SECRET")


def test_env_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("X_NEEDED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_NEEDED"):
        config.env_required("X_NEEDED")


def test_env_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_ENV", "staging")
    with pytest.raises(ImproperlyConfigured, match="must be one of development, production"):
        config.env_choice("X_ENV", ("development", "production"), "production")


def test_database_url() -> None:
    db = config.database_from_url("postgresql://app:p%40ss@db.internal:6432/crsv?sslmode=require")
    assert db["NAME"] == "crsv"
    assert db["USER"] == "app"
    assert db["PASSWORD"] == "p@ss"
    assert db["HOST"] == "db.internal"
    assert db["PORT"] == "6432"
    assert db["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.parametrize("url", ["sqlite:///db.sqlite3", "postgresql://host/", "postgresql://h:x/db"])
def test_database_url_refuses(url: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        config.database_from_url(url)

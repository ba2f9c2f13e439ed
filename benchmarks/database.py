"""The benchmark database: its own database on the same server, migrated, filled by COPY."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "crsv_bench")


def bench_environment() -> dict[str, str]:
    """The environment every benchmark process runs with: development settings, bench database."""
    from crsv import devenv

    base = os.environ.get("DATABASE_URL") or devenv.EMBEDDED_DATABASE_URL
    parts = urlsplit(base)
    url = urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))
    env = {**os.environ, "CRSV_ENV": "development", "DATABASE_URL": url, "DEBUG": "false"}
    env.setdefault("REDIS_URL", os.environ.get("REDIS_URL") or devenv.EMBEDDED_REDIS_URL)
    env["LOG_LEVEL"] = "WARNING"
    # The seals' heads of the bench database in a file of their own: never in the development
    # database's head file, which verify_audit compares with that database's seals.
    env.setdefault("CRSV_AUDIT_SEAL_FILE", str(devenv.DATA / f"{BENCH_DATABASE}-audit-seals.log"))
    return env


def prepare(env: dict[str, str]) -> None:
    """Create the bench database if missing and migrate it (in a subprocess, with `env`)."""
    import psycopg2

    parts = urlsplit(env["DATABASE_URL"])
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    admin.close()
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v0"], env=env, check=True
    )
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "bootstrap"], env=env, check=True, stdout=subprocess.DEVNULL
    )


def omitted_columns(model: Any, columns: Sequence[str]) -> tuple[list[str], list[object]]:
    """The NOT NULL columns of `model` that a set-based loader leaves out of `columns`, with the
    value the ORM would write for each (its default, or "" for a blank text field).

    COPY bypasses the ORM: without this, a migration adding a NOT NULL column with a Python-side
    default broke `make bench` (survivors' `erasure_reason`). A column with no default to take
    stops the load with its name, so the loader is updated rather than guessed at.
    """
    from django.db.models import NOT_PROVIDED

    given = set(columns)
    names: list[str] = []
    values: list[object] = []
    for field in model._meta.concrete_fields:
        if field.column in given or field.null or field.primary_key or field.db_default is not NOT_PROVIDED:
            continue
        value = field.get_default()
        if value is None:
            raise RuntimeError(
                f"benchmarks: {model._meta.db_table}.{field.column} is NOT NULL without a default; "
                "the loader must fill it"
            )
        names.append(field.column)
        values.append(value)
    return names, values


def copy_rows(cursor: object, model: Any, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """COPY `rows` into `model`'s table (text format; bytes as \\x hex; None as \\N); the NOT NULL
    columns left out of `columns` get the value the ORM would write (`omitted_columns`)."""
    omitted, defaults = omitted_columns(model, columns)
    tail = [_copy_value(value) for value in defaults]
    buffer = io.StringIO()
    count = 0
    for row in rows:
        buffer.write("\t".join([*(_copy_value(value) for value in row), *tail]))
        buffer.write("\n")
        count += 1
    buffer.seek(0)
    cursor.copy_expert(  # type: ignore[attr-defined]
        f"COPY {model._meta.db_table} ({', '.join([*columns, *omitted])}) FROM STDIN", buffer
    )
    return count


def _copy_value(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bytes):
        return "\\\\x" + value.hex()
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

"""The benchmark database: its own database on the same server, migrated, filled by COPY."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
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


def copy_rows(cursor: object, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """COPY `rows` into `table` (text format; bytes as \\x hex; None as \\N)."""
    buffer = io.StringIO()
    count = 0
    for row in rows:
        buffer.write("\t".join(_copy_value(value) for value in row))
        buffer.write("\n")
        count += 1
    buffer.seek(0)
    cursor.copy_expert(  # type: ignore[attr-defined]
        f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer
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

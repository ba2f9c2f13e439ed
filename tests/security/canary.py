"""Search every place survivor data could leak to for canary strings.

Used by the canary tests: they write unique canaries through the real pages, API and services,
then call `leaks()` and expect an empty list.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection

from crsv import devenv


def _db_hits(canaries: list[str]) -> list[str]:
    """Every text, bytea, json and numeric column of every table of the current database
    (numeric: an exact coordinate is a canary too)."""
    hits = []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name, c.column_name, c.data_type
            FROM information_schema.columns c
            JOIN information_schema.tables t
              ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
              AND c.data_type IN (
                'text', 'character varying', 'character', 'bytea', 'json', 'jsonb', 'ARRAY', 'numeric'
              )
            """
        )
        columns = cursor.fetchall()
        for table, column, data_type in columns:
            if data_type == "bytea":  # search the raw bytes, not their hex text
                condition = f"position(convert_to(%s, 'UTF8') in \"{column}\") > 0"
            else:
                condition = f'strpos("{column}"::text, %s) > 0'
            for canary in canaries:
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" WHERE {condition}',  # noqa: S608  (names from the catalogue)
                    [canary],
                )
                if cursor.fetchone()[0]:
                    hits.append(f"database {table}.{column}: {canary}")
    return hits


def _decoded(value: bytes) -> Iterable[bytes]:
    yield value
    with contextlib.suppress(binascii.Error, ValueError):
        yield base64.b64decode(value, validate=False)
    with contextlib.suppress(binascii.Error, ValueError):
        yield base64.urlsafe_b64decode(value + b"=" * (-len(value) % 4))


def _redis_hits(canaries: list[str]) -> list[str]:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    hits = []
    blobs: list[tuple[bytes, bytes]] = []
    for key in client.scan_iter(count=1000):
        blobs.append((key, key))
        kind = client.type(key)
        if kind == b"string":
            blobs.append((key, client.get(key) or b""))
        elif kind == b"list":
            blobs += [(key, item) for item in client.lrange(key, 0, -1)]
        elif kind == b"hash":
            blobs += [(key, b"%s=%s" % pair) for pair in client.hgetall(key).items()]
        elif kind == b"set":
            blobs += [(key, item) for item in client.smembers(key)]
        elif kind == b"zset":
            blobs += [(key, item) for item in client.zrange(key, 0, -1)]
    for key, blob in blobs:
        for variant in _decoded(blob):
            for canary in canaries:
                if canary.encode() in variant:
                    hits.append(f"redis {key!r}: {canary}")
    return hits


def _session_hits(canaries: list[str]) -> list[str]:
    hits = []
    for session in Session.objects.all():
        decoded = repr(session.get_decoded())
        hits += [f"session {session.pk[:6]}…: {c}" for c in canaries if c in decoded]
    return hits


def postgres_log_path() -> Path | None:
    """The embedded server's log; for another server, its current log file if readable."""
    port = str(settings.DATABASES["default"]["PORT"])
    if port == str(devenv.PG_PORT) and devenv.PG_LOG.exists():
        return devenv.PG_LOG
    return None


def _text_hits(where: str, text: str, canaries: list[str]) -> list[str]:
    return [f"{where}: {c}" for c in canaries if c in text]


def leaks(canaries: list[str], *, logs: str, pg_log_offset: int = 0) -> list[str]:
    """Where any canary turned up: database, sessions, Redis, the given log text, PG's log."""
    found = _db_hits(canaries) + _session_hits(canaries) + _redis_hits(canaries)
    found += _text_hits("log output", logs, canaries)
    path = postgres_log_path()
    if path is not None:
        with path.open("rb") as handle:
            handle.seek(pg_log_offset)
            found += _text_hits("postgresql log", handle.read().decode("utf-8", "replace"), canaries)
    return found


def pg_log_size() -> int:
    path = postgres_log_path()
    return path.stat().st_size if path is not None else 0

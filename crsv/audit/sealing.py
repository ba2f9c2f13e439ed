"""Sealing the audit trail: a keyed hash chain over each append-only table, written by a beat task.

Design (issue 12 item 4):

- **One chain per table** (`audit.auditevent`, `audit.accessevent`), each in id order: the two
  tables fill at very different rates, and a chain per table keeps each verification a single
  ordered scan of one primary key.
- **Link**: `link_n = HMAC-SHA256(CRSV_AUDIT_KEY, link_{n-1} || row_bytes(row_n))`, starting from
  32 zero bytes. The key lives outside the database (environment or `_FILE`, like the master
  keys), so someone who can write the tables cannot recompute the chain.
- **Canonical row bytes** (`row_bytes`): the table's label, then every column in `COLUMNS` order,
  each as a 4-byte big-endian length and its UTF-8 text, or `ff ff ff ff` for NULL. Text forms:
  integers in decimal; times in UTC, ISO 8601 with microseconds (`2026-11-30T06:28:00.123456+00:00`);
  UUIDs lower-case with hyphens; IP addresses as PostgreSQL prints them; JSON with sorted keys, no
  spaces, non-ASCII kept. A new column must be added to `COLUMNS` (a test compares it with the model)
  and changes the encoding: bump `ENCODING`.
- **A seal per batch** of up to `BATCH` rows (`AuditSeal`): its head, its id range, its row count
  and per row the id and a keyed 8-byte digest of the content without the id (so verification can
  tell a changed row from two swapped ones). Each head is also written outside the database: an
  INFO line on the `crsv.audit.seal` logger and a line appended to `AUDIT_SEAL_FILE`.
- **No lock on the write path**: only rows older than `AUDIT_SEAL_MARGIN` are sealed. Every row
  with a smaller id was inserted before such a row, by a transaction that has ended since: the
  database's statement and idle-in-transaction timeouts, gunicorn's worker timeout and Celery's
  hard time limit keep every transaction far below the margin, so no late commit lands below a
  sealed head. Sealers take `pg_advisory_xact_lock` against each other, never against writers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import struct
import time
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.models import Max
from django.db.models.functions import Cast
from django.utils import timezone

from crsv.audit.models import AccessEvent, AuditEvent, AuditSeal

logger = logging.getLogger("crsv.audit.seal")

ENCODING = b"crsv-audit-seal-v1"
GENESIS = bytes(32)
BATCH = 10_000
# Any constant: the advisory lock key the sealers share (here: "crsvseal" as a 64-bit integer).
SEAL_LOCK_ID = int.from_bytes(b"crsvseal", "big") & 0x7FFF_FFFF_FFFF_FFFF
NULL = b"\xff\xff\xff\xff"
DIGEST_ENTRY = struct.Struct(">q8s")

MODELS: dict[str, type[models.Model]] = {
    AuditSeal.Table.AUDIT_EVENT: AuditEvent,
    AuditSeal.Table.ACCESS_EVENT: AccessEvent,
}
# Every column of each table, in the order they enter the chain; `id` first.
COLUMNS: dict[str, tuple[str, ...]] = {
    AuditSeal.Table.AUDIT_EVENT: (
        "id",
        "public_id",
        "occurred_at",
        "actor_id",
        "action",
        "object_type",
        "object_public_id",
        "ip_address",
        "changes",
    ),
    AuditSeal.Table.ACCESS_EVENT: (
        "id",
        "occurred_at",
        "actor_id",
        "survivor_public_id",
        "kind",
        "ip_address",
    ),
}


def audit_key() -> bytes:
    """`CRSV_AUDIT_KEY`: at least 32 bytes, URL-safe base64 (like `CRSV_BLIND_INDEX_KEY`)."""
    value = getattr(settings, "CRSV_AUDIT_KEY", None)
    if not value:
        raise ImproperlyConfigured(
            "CRSV_AUDIT_KEY (or CRSV_AUDIT_KEY_FILE) must be set to seal the audit trail."
        )
    try:
        key = base64.urlsafe_b64decode(value.strip() + "=" * (-len(value.strip()) % 4))
    except ValueError as exc:
        raise ImproperlyConfigured("CRSV_AUDIT_KEY must be URL-safe base64.") from exc
    if len(key) < 32:
        raise ImproperlyConfigured("CRSV_AUDIT_KEY must hold at least 32 random bytes.")
    return key


_LENGTH = struct.Struct(">I").pack


def _text(value: Any) -> bytes:
    # The common types first, by exact type (a chain is millions of values); then the rest.
    kind = type(value)
    if kind is str:
        return value.encode()
    if kind is int:
        return b"%d" % value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds").encode()
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    if isinstance(value, uuid.UUID):
        return str(value).encode()
    return str(value).encode()


def content_bytes(table: str, row: Sequence[Any]) -> bytes:
    """The canonical bytes of a row's columns after `id` (see the module docstring)."""
    parts = [table.encode()]
    append = parts.append
    for value in row[1:]:
        if value is None:
            append(NULL)
        else:
            text = _text(value)
            append(_LENGTH(len(text)))
            append(text)
    return b"".join(parts)


def row_bytes(table: str, row: Sequence[Any]) -> bytes:
    """The canonical bytes of a whole row: its id, then its content."""
    ident = str(row[0]).encode()
    return len(ident).to_bytes(4, "big") + ident + content_bytes(table, row)


class Chain:
    """The running head of one table's chain, and the per-row content digests."""

    def __init__(self, key: bytes, table: str, head: bytes = GENESIS) -> None:
        self.key = key
        self.table = table
        self.head = head
        # A key of its own for the row digests (domain separation from the chain's HMAC).
        self.digest_key = hmac.new(key, b"crsv-audit-row-digest", "sha256").digest()

    def add(self, row: Sequence[Any]) -> bytes:
        """Extend the chain by `row`; returns the row's 8-byte content digest."""
        content = content_bytes(self.table, row)
        ident = str(row[0]).encode()
        self.head = hmac.new(
            self.key, self.head + len(ident).to_bytes(4, "big") + ident + content, "sha256"
        ).digest()
        return hashlib.blake2b(content, key=self.digest_key, digest_size=8).digest()


def _read_as(table: str) -> list[str | Cast]:
    """What to select for `COLUMNS[table]`: the UUID columns as their text, which PostgreSQL
    prints as `str(uuid.UUID)` does (lower case, hyphens): the same bytes, without building a
    UUID object per value (a fifth of the sealer's and the verifier's time per row)."""
    fields = {field.column: field for field in MODELS[table]._meta.concrete_fields}
    return [
        Cast(column, output_field=models.TextField())
        if fields[column].get_internal_type() == "UUIDField"
        else column
        for column in COLUMNS[table]
    ]


def table_rows(table: str, *, after: int, upto: int | None = None) -> models.QuerySet[Any, tuple[Any, ...]]:
    """The table's rows with `after < id <= upto`, in id order, as tuples in `COLUMNS` order."""
    rows = MODELS[table].objects.filter(id__gt=after)  # type: ignore[attr-defined]  # both models have one
    if upto is not None:
        rows = rows.filter(id__lte=upto)
    return rows.order_by("id").values_list(*_read_as(table))


def _last_seal(table: str) -> AuditSeal | None:
    return AuditSeal.objects.filter(table=table).order_by("-last_id").defer("digests").first()


def seal_line(seal: AuditSeal) -> str:
    """One line of the head file: time, table, first id, last id, rows, head."""
    fields = (seal.sealed_at.isoformat(), seal.table, seal.first_id, seal.last_id, seal.row_count, seal.link)
    return " ".join(str(value) for value in fields) + "\n"


def _publish(seal: AuditSeal) -> None:
    """The head outside the database: the log, and the append-only file an operator ships."""
    logger.info("audit seal table=%s last_id=%s head=%s", seal.table, seal.last_id, seal.link)
    path = settings.AUDIT_SEAL_FILE
    if not path:
        return
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, seal_line(seal).encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _seal_batch(key: bytes, table: str, cutoff: datetime, batch: int) -> AuditSeal | None:
    """Seal the next batch of one table (in the caller's transaction, under the sealers' lock)."""
    last = _last_seal(table)
    after = last.last_id if last else 0
    model = MODELS[table]
    upto = model.objects.filter(id__gt=after, occurred_at__lt=cutoff).aggregate(top=Max("id"))["top"]  # type: ignore[attr-defined]
    if upto is None:
        return None
    chain = Chain(key, table, bytes.fromhex(last.link) if last else GENESIS)
    digests = bytearray()
    first_id = last_id = 0
    count = 0
    for row in table_rows(table, after=after, upto=upto)[:batch]:
        digests += DIGEST_ENTRY.pack(row[0], chain.add(row))
        first_id = first_id or row[0]
        last_id = row[0]
        count += 1
    seal = AuditSeal.objects.create(
        table=table,
        first_id=first_id,
        last_id=last_id,
        row_count=count,
        link=chain.head.hex(),
        digests=bytes(digests),
    )
    transaction.on_commit(lambda: _publish(seal))
    return seal


def audit_seal_pending(
    *,
    now: datetime | None = None,
    budget_seconds: float = 40.0,
    batch: int = BATCH,
    tables: Iterable[str] = MODELS,
) -> list[AuditSeal]:
    """Seal every row older than the margin, a batch per transaction, for at most `budget_seconds`
    (the next run goes on). Idempotent: what is sealed is never sealed again. Returns the seals."""
    key = audit_key()
    cutoff = (now or timezone.now()) - settings.AUDIT_SEAL_MARGIN
    started = time.monotonic()
    sealed: list[AuditSeal] = []
    pending = list(tables)
    while pending and time.monotonic() - started < budget_seconds:
        for table in list(pending):
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK_ID])
                seal = _seal_batch(key, table, cutoff, batch)
            if seal is None or seal.row_count < batch:
                pending.remove(table)
            if seal is not None:
                sealed.append(seal)
    return sealed

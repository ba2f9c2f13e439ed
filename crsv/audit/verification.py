"""Verifying the sealed audit trail (`manage.py verify_audit`): recompute each chain, compare.

Each table's sealed rows are read once, in id order, through one server-side cursor; the chain is
recomputed row by row and compared with each seal's head; each row's content digest is compared
with the one its seal recorded, which names the row: `changed` (its content is not what was
sealed), `reordered` (it holds another sealed row's content), `inserted` (a row no seal
recorded) or `missing` (a sealed row is gone). Then the head file (`AUDIT_SEAL_FILE`), kept
outside the database, is compared with the seals: deleting the newest rows together with their
seals leaves their heads in the file. The first break found is reported.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from crsv.audit.models import AuditSeal
from crsv.audit.sealing import DIGEST_ENTRY, MODELS, Chain, audit_key, table_rows

CHUNK = 10_000
# The progress callback is called every this many rows, and at the end of each table.
PROGRESS_EVERY = 100_000
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Break:
    """The first broken link: where, and what was done there."""

    table: str
    row_id: int
    what: str  # changed, missing, inserted, reordered
    detail: str

    def __str__(self) -> str:
        return f"{self.table} id {self.row_id}: {self.what} ({self.detail})"


@dataclass
class TableReport:
    table: str
    sealed_rows: int = 0
    seals: int = 0
    unsealed_rows: int = 0


@dataclass
class VerifyReport:
    tables: list[TableReport] = field(default_factory=list)
    broken: Break | None = None
    file_heads: int | None = None  # heads checked against the file; None when no file is set


@dataclass(frozen=True)
class _Seal:
    pk: int
    first_id: int
    last_id: int
    row_count: int
    link: str


class _SealCursor:
    """The expected rows of the seal being compared: ids and content digests, in id order."""

    def __init__(self, seal: _Seal) -> None:
        blob = bytes(AuditSeal.objects.values_list("digests", flat=True).get(pk=seal.pk))
        self.seal = seal
        # A blob of the wrong length was not written by the sealer: no row matches it, and the
        # first row of the seal is reported (the head decides anyway).
        entries = DIGEST_ENTRY.iter_unpack(blob) if len(blob) % DIGEST_ENTRY.size == 0 else ()
        self.expected: deque[tuple[int, bytes]] = deque(entries)
        self.digests = {digest for _, digest in self.expected}


def _check_row(table: str, current: _SealCursor, row_id: int, digest: bytes) -> Break | None:
    expected = current.expected
    if row_id < current.seal.first_id:
        return Break(table, row_id, "inserted", "a row in no seal: inserted, or its seal is gone")
    if expected and expected[0][0] < row_id:
        return Break(table, expected[0][0], "missing", "a sealed row is gone")
    if not expected or expected[0][0] != row_id:
        return Break(table, row_id, "inserted", "a row its seal does not hold")
    _, sealed_digest = expected.popleft()
    if sealed_digest == digest:
        return None
    if digest in current.digests:
        return Break(table, row_id, "reordered", "the row holds another sealed row's content")
    return Break(table, row_id, "changed", "the row differs from the one sealed")


def _finish_seal(table: str, current: _SealCursor, head: bytes) -> Break | None:
    if current.expected:
        return Break(table, current.expected[0][0], "missing", "a sealed row is gone")
    if head.hex() != current.seal.link:
        return Break(table, current.seal.last_id, "changed", "the chain does not reach the seal's head")
    return None


def _verify_table(
    key: bytes, report: TableReport, seals: list[_Seal], progress: Progress | None
) -> Break | None:
    table = report.table
    chain = Chain(key, table)
    total = sum(seal.row_count for seal in seals)
    index = 0
    current = _SealCursor(seals[0])
    done = 0
    for row in table_rows(table, after=0, upto=seals[-1].last_id).iterator(chunk_size=CHUNK):
        row_id = row[0]
        while row_id > current.seal.last_id:
            if broken := _finish_seal(table, current, chain.head):
                return broken
            index += 1
            current = _SealCursor(seals[index])
        if broken := _check_row(table, current, row_id, chain.add(row)):
            return broken
        done += 1
        if progress and done % PROGRESS_EVERY == 0:
            progress(table, done, total)
    while True:
        if broken := _finish_seal(table, current, chain.head):
            return broken
        index += 1
        if index == len(seals):
            break
        current = _SealCursor(seals[index])
    report.sealed_rows = done
    if progress and done % PROGRESS_EVERY:
        progress(table, done, total)
    return None


def _seals(table: str) -> tuple[list[_Seal], Break | None]:
    rows = AuditSeal.objects.filter(table=table).order_by("last_id")
    seals = [_Seal(*values) for values in rows.values_list("pk", "first_id", "last_id", "row_count", "link")]
    for before, after in itertools.pairwise(seals):
        if after.first_id <= before.last_id:
            return seals, Break(table, after.first_id, "inserted", "two seals overlap")
    return seals, None


def _check_file(path: Path, sealed: dict[str, list[_Seal]]) -> tuple[int, Break | None]:
    """Every head in the file must be a seal's head in the database."""
    heads = {(table, seal.last_id): seal.link for table, seals in sealed.items() for seal in seals}
    if not path.exists():
        if heads:
            return 0, Break("-", 0, "missing", f"the head file {path} is gone")
        return 0, None
    found: list[Break] = []
    checked = 0
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            _, table, first, last, _, link = line.split()
            first_id, last_id = int(first), int(last)
        except ValueError:
            return checked, Break("-", 0, "changed", f"line {number} of the head file is not a head")
        checked += 1
        if table not in sealed:
            found.append(Break(table, first_id, "changed", "the head file names an unknown table"))
        elif (table, last_id) not in heads:
            top = max((seal.last_id for seal in sealed[table]), default=0)
            if last_id > top:
                what = f"rows {first_id}-{last_id} and their seals are gone (head file)"
            else:
                what = f"the seal of rows {first_id}-{last_id} is gone (head file)"
            found.append(Break(table, first_id, "missing", what))
        elif heads[(table, last_id)] != link:
            found.append(Break(table, last_id, "changed", "the seal's head differs from the head file"))
    return checked, min(found, key=lambda broken: (broken.table, broken.row_id), default=None)


def audit_verify(*, progress: Progress | None = None) -> VerifyReport:
    """Recompute every sealed chain and compare it with the seals and the head file."""
    key = audit_key()
    report = VerifyReport()
    sealed: dict[str, list[_Seal]] = {}
    # One transaction: the server-side cursor needs no WITH HOLD copy, and every read sees one
    # snapshot (a seal committed meanwhile is seen by the next run).
    with transaction.atomic():
        for table, model in MODELS.items():
            table_report = TableReport(table)
            report.tables.append(table_report)
            seals, broken = _seals(table)
            sealed[table] = seals
            table_report.seals = len(seals)
            top = seals[-1].last_id if seals else 0
            table_report.unsealed_rows = model.objects.filter(id__gt=top).count()  # type: ignore[attr-defined]
            if broken is None and seals:
                broken = _verify_table(key, table_report, seals, progress)
            if broken is not None and report.broken is None:
                report.broken = broken
    if settings.AUDIT_SEAL_FILE:
        checked, broken = _check_file(Path(settings.AUDIT_SEAL_FILE), sealed)
        report.file_heads = checked
        if report.broken is None:
            report.broken = broken
    return report

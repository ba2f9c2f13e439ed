"""The sealed audit trail (issue 12 item 4): the chain, the head file, and the tamper drill."""

from __future__ import annotations

import io
import itertools
import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from crsv.accounts.models import User
from crsv.audit.models import AccessEvent, AuditEvent, AuditSeal
from crsv.audit.sealing import COLUMNS, MODELS, SEAL_LOCK_ID, audit_seal_pending, row_bytes
from crsv.audit.services import access_record, audit_record

pytestmark = pytest.mark.django_db

ACCESS = AuditSeal.Table.ACCESS_EVENT
LATER = timedelta(minutes=10)  # "now" for the sealer: every row written by the test is old enough


@pytest.fixture(autouse=True)
def head_file(settings: Any, tmp_path: Path) -> Path:
    settings.AUDIT_SEAL_FILE = str(tmp_path / "audit-seals.log")
    return tmp_path / "audit-seals.log"


def _accesses(actor: User, count: int) -> list[int]:
    """`count` access events (one page view), their ids."""
    before = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    access_record(actor=actor, survivor_public_ids=[uuid.uuid4() for _ in range(count)], kind="list")
    return list(AccessEvent.objects.filter(id__gt=before).order_by("id").values_list("id", flat=True))


def _seal(batch: int = 5) -> list[AuditSeal]:
    return audit_seal_pending(now=timezone.now() + LATER, batch=batch)


def verify() -> tuple[int, str]:
    """Run `manage.py verify_audit`: its exit code and its output."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


@pytest.fixture
def sealed(wpa: User, django_capture_on_commit_callbacks: Callable[..., Any]) -> list[int]:
    """23 access events and 3 audit events, sealed in batches of 5; the access ids."""
    for action in (AuditEvent.Action.LOGIN, AuditEvent.Action.LOGOUT, AuditEvent.Action.LOGIN):
        audit_record(actor=wpa, action=action, obj=wpa)
    ids = _accesses(wpa, 12)
    with connection.cursor() as cursor:  # a gap, as a rolled-back insert leaves one
        cursor.execute("SELECT nextval('audit_accessevent_id_seq')")
    ids += _accesses(wpa, 11)
    with django_capture_on_commit_callbacks(execute=True):
        _seal()
    return ids


@contextmanager
def triggers_off() -> Iterator[Any]:
    """As the database superuser, with the append-only triggers disabled (the drill's attacker)."""
    tables = ("audit_accessevent", "audit_auditevent", "audit_auditseal")
    with connection.cursor() as cursor:
        # The test's own inserts leave deferred foreign-key checks pending, which ALTER TABLE refuses.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        try:
            yield cursor
        finally:
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER ALL")


def test_the_chain_covers_every_column_of_each_table() -> None:
    for table, model in MODELS.items():
        columns = {field.column for field in model._meta.concrete_fields}
        assert set(COLUMNS[table]) == columns, table
        assert COLUMNS[table][0] == "id"


def test_canonical_bytes_are_fixed_and_unambiguous() -> None:
    when = datetime(2026, 11, 30, 6, 28, 0, 123456, tzinfo=UTC)
    row = (7, when, 3, uuid.UUID(int=1), "list", None)
    assert row_bytes(ACCESS, row) == (
        b"\x00\x00\x00\x017audit.accessevent"
        b"\x00\x00\x00\x202026-11-30T06:28:00.123456+00:00\x00\x00\x00\x013"
        b"\x00\x00\x00\x2400000000-0000-0000-0000-000000000001\x00\x00\x00\x04list\xff\xff\xff\xff"
    )
    # An empty string and NULL differ.
    assert row_bytes(ACCESS, (*row[:5], "")) != row_bytes(ACCESS, row)


def test_database_sessions_end_long_statements_and_idle_transactions() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('statement_timeout'), "
            "current_setting('idle_in_transaction_session_timeout')"
        )
        statement, idle = cursor.fetchone()
    assert (statement, idle) == ("2min", "1min")
    margin = django_settings.AUDIT_SEAL_MARGIN
    assert timedelta(minutes=2) < margin and timedelta(minutes=1) < margin


def test_sealing_is_incremental_and_idempotent(
    sealed: list[int], wpa: User, head_file: Path, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    seals = list(AuditSeal.objects.filter(table=ACCESS).order_by("last_id"))
    assert [seal.row_count for seal in seals] == [5, 5, 5, 5, 3]
    assert seals[0].first_id == sealed[0] and seals[-1].last_id == sealed[-1]
    assert AuditSeal.objects.filter(table=AuditSeal.Table.AUDIT_EVENT).exists()
    count = AuditSeal.objects.count()
    assert _seal() == []  # nothing new: nothing sealed twice
    assert AuditSeal.objects.count() == count

    more = _accesses(wpa, 4)
    assert audit_seal_pending(batch=5) == []  # younger than the margin: left to the triggers
    code, output = verify()
    assert code == 0, output
    assert "4 rows newer than the margin (or not yet sealed), protected by the triggers only" in output

    with django_capture_on_commit_callbacks(execute=True):
        (seal,) = _seal()
    assert (seal.first_id, seal.last_id, seal.row_count) == (more[0], more[-1], 4)
    lines = head_file.read_text().splitlines()
    assert len(lines) == AuditSeal.objects.count()
    assert lines[-1].split()[1:] == [ACCESS, str(more[0]), str(more[-1]), "4", seal.link]
    code, output = verify()
    assert code == 0, output
    assert "audit.accessevent: 27 sealed rows in 6 seals" in output
    assert "audit trail intact" in output


def test_each_seal_head_is_logged(
    wpa: User, caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    _accesses(wpa, 3)
    with (
        caplog.at_level(logging.INFO, logger="crsv.audit.seal"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        seals = _seal()
    access_seal = next(seal for seal in seals if seal.table == ACCESS)
    assert (
        f"audit seal table={ACCESS} last_id={access_seal.last_id} head={access_seal.link}" in caplog.messages
    )


def test_the_seals_are_append_only(sealed: list[int]) -> None:
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditseal")


def test_without_the_key_nothing_is_sealed(settings: Any, wpa: User) -> None:
    settings.CRSV_AUDIT_KEY = None
    _accesses(wpa, 1)
    with pytest.raises(ImproperlyConfigured, match="CRSV_AUDIT_KEY"):
        _seal()


def test_an_intact_trail_verifies(sealed: list[int]) -> None:
    code, output = verify()
    assert code == 0, output
    assert "audit.accessevent: 23 sealed rows in 5 seals" in output
    assert f"head file: {AuditSeal.objects.count()} heads checked" in output


def test_another_key_breaks_the_first_link(sealed: list[int], settings: Any) -> None:
    settings.CRSV_AUDIT_KEY = "A" * 43
    code, output = verify()
    assert code == 1
    assert "changed" in output


# --- The tamper drill: as a superuser with the triggers off ------------------------------------


def test_drill_an_edited_row_is_found(sealed: list[int]) -> None:
    target = sealed[7]
    with triggers_off() as cursor:
        cursor.execute("UPDATE audit_accessevent SET kind = 'export' WHERE id = %s", [target])
    code, output = verify()
    assert code == 1
    assert f"BROKEN: audit.accessevent id {target}: changed" in output


def test_drill_a_deleted_row_is_found(sealed: list[int]) -> None:
    target = sealed[3]
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM audit_accessevent WHERE id = %s", [target])
    code, output = verify()
    assert code == 1
    assert f"BROKEN: audit.accessevent id {target}: missing" in output


def test_drill_an_inserted_row_is_found(sealed: list[int], wpa: User) -> None:
    gap = next(i for i in range(sealed[0], sealed[-1]) if i not in sealed)
    with triggers_off() as cursor:
        cursor.execute(
            "INSERT INTO audit_accessevent (id, occurred_at, actor_id, survivor_public_id, kind) "
            "VALUES (%s, now() - interval '1 hour', %s, %s, 'view')",
            [gap, wpa.pk, uuid.uuid4()],
        )
    code, output = verify()
    assert code == 1
    assert f"BROKEN: audit.accessevent id {gap}: inserted" in output


def test_drill_two_swapped_rows_are_found(sealed: list[int]) -> None:
    first, second = sealed[1], sealed[2]
    with triggers_off() as cursor:
        cursor.execute(
            "UPDATE audit_accessevent AS a SET survivor_public_id = b.survivor_public_id "
            "FROM audit_accessevent AS b WHERE (a.id, b.id) IN ((%s, %s), (%s, %s))",
            [first, second, second, first],
        )
    assert (
        AccessEvent.objects.get(pk=first).survivor_public_id
        != AccessEvent.objects.get(pk=second).survivor_public_id
    )
    code, output = verify()
    assert code == 1
    assert f"BROKEN: audit.accessevent id {first}: reordered" in output


def test_drill_the_newest_rows_deleted_with_their_seals_are_found_by_the_head_file(sealed: list[int]) -> None:
    newest = AuditSeal.objects.filter(table=ACCESS).order_by("-last_id").first()
    assert newest is not None
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM audit_accessevent WHERE id >= %s", [newest.first_id])
        cursor.execute("DELETE FROM audit_auditseal WHERE id = %s", [newest.pk])
    code, output = verify()
    assert code == 1
    assert (
        f"BROKEN: audit.accessevent id {newest.first_id}: missing "
        f"(rows {newest.first_id}-{newest.last_id} and their seals are gone (head file))"
    ) in output


def test_drill_a_rewritten_seal_is_found(sealed: list[int]) -> None:
    seal = AuditSeal.objects.filter(table=ACCESS).order_by("last_id")[1]
    with triggers_off() as cursor:
        cursor.execute("UPDATE audit_auditseal SET link = %s WHERE id = %s", ["0" * 64, seal.pk])
    code, output = verify()
    assert code == 1
    assert f"BROKEN: audit.accessevent id {seal.last_id}: changed" in output


def test_a_deleted_head_file_is_found(sealed: list[int], head_file: Path) -> None:
    head_file.unlink()
    code, output = verify()
    assert code == 1
    assert "is gone" in output


# --- Concurrency: two sealers make one chain, and neither holds up a writer --------------------


@pytest.mark.django_db(transaction=True)
def test_two_sealers_at_once_make_one_chain(wpa: User) -> None:
    for _ in range(6):
        _accesses(wpa, 50)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            audit_seal_pending(now=timezone.now() + LATER, batch=40)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seals = list(AuditSeal.objects.filter(table=ACCESS).order_by("last_id"))
    assert sum(seal.row_count for seal in seals) == AccessEvent.objects.count() == 300
    assert all(after.first_id > before.last_id for before, after in itertools.pairwise(seals))
    code, output = verify()
    assert code == 0, output


@pytest.mark.django_db(transaction=True)
def test_a_sealer_holding_its_lock_does_not_hold_up_a_writer(wpa: User) -> None:
    held, release = threading.Event(), threading.Event()

    def sealer() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK_ID])
            held.set()
            release.wait(10)
        connections.close_all()

    thread = threading.Thread(target=sealer)
    thread.start()
    try:
        assert held.wait(10)
        with transaction.atomic():
            assert len(_accesses(wpa, 50)) == 50
            audit_record(actor=wpa, action=AuditEvent.Action.LOGIN, obj=wpa)
        assert thread.is_alive()  # written and committed while the sealer still holds its lock
    finally:
        release.set()
        thread.join()


def test_the_beat_task_seals_what_is_older_than_the_margin(settings: Any, wpa: User) -> None:
    from crsv.audit.tasks import audit_seal
    from crsv.celery import app

    assert settings.CELERY_BEAT_SCHEDULE["audit-seal"]["task"] == audit_seal.name in app.tasks
    _accesses(wpa, 4)
    assert audit_seal() == 0  # younger than the margin
    settings.AUDIT_SEAL_MARGIN = timedelta(0)
    assert audit_seal() == AccessEvent.objects.count() + AuditEvent.objects.count()
    assert audit_seal() == 0


def test_verify_shows_its_progress_on_stderr(sealed: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("crsv.audit.verification.PROGRESS_EVERY", 10)
    err = io.StringIO()
    call_command("verify_audit", stdout=io.StringIO(), stderr=err)
    shown = err.getvalue()
    assert "audit.accessevent [" in shown
    assert "10/23 rows" in shown and "20/23 rows" in shown and shown.count("23/23 rows") == 1


def test_drill_the_oldest_rows_deleted_with_their_seal_are_found(sealed: list[int]) -> None:
    oldest, second = AuditSeal.objects.filter(table=ACCESS).order_by("last_id")[:2]
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM audit_accessevent WHERE id <= %s", [oldest.last_id])
        cursor.execute("DELETE FROM audit_auditseal WHERE id = %s", [oldest.pk])
    code, output = verify()
    assert code == 1
    assert f"BROKEN: audit.accessevent id {second.last_id}: changed (the chain does not reach" in output


def test_drill_a_seal_deleted_alone_is_found(sealed: list[int]) -> None:
    middle = AuditSeal.objects.filter(table=ACCESS).order_by("last_id")[2]
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM audit_auditseal WHERE id = %s", [middle.pk])
    code, output = verify()
    assert code == 1
    assert f"BROKEN: audit.accessevent id {middle.first_id}: inserted (a row in no seal" in output


def test_drill_damaged_row_digests_are_found(sealed: list[int]) -> None:
    seal = AuditSeal.objects.filter(table=ACCESS).order_by("last_id")[1]
    with triggers_off() as cursor:
        cursor.execute("UPDATE audit_auditseal SET digests = '\\x00'::bytea WHERE id = %s", [seal.pk])
    code, output = verify()
    assert code == 1
    assert f"BROKEN: audit.accessevent id {seal.first_id}: inserted" in output

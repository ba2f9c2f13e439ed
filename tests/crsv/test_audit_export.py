"""The auditor's CSV export of the trail (/audit/export.csv): the page's filters, every row once
in keyset batches, formula cells defused, the export itself audited."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crsv.accounts.models import User
from crsv.audit import selectors
from crsv.audit.export import audit_trail_export
from crsv.audit.models import AuditEvent
from crsv.audit.selectors import TrailFilter, audit_trail_rows
from crsv.audit.services import audit_record
from crsv.spreadsheets import csv_cell

pytestmark = pytest.mark.django_db


def _events(actor: User, count: int, action: str = AuditEvent.Action.LOGIN) -> list[AuditEvent]:
    return [audit_record(actor=actor, action=action, obj=actor) for _ in range(count)]


def _insert_at(actor: User, when: Any, count: int, object_type: str = "accounts.user") -> None:
    """`count` events with the very same time (auto_now_add cannot make ties): the keyset's id
    tie-break is what keeps them apart across batches."""
    with connection.cursor() as cursor:
        for _ in range(count):
            cursor.execute(
                "INSERT INTO audit_auditevent (public_id, occurred_at, actor_id, action, object_type, "
                "changes) VALUES (%s, %s, %s, 'login', %s, '{}')",
                [uuid.uuid4(), when, actor.pk, object_type],
            )


def _read(response: Any) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("accounts.user", "accounts.user"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_formula_cell_is_defused(value: Any, cell: str) -> None:
    assert csv_cell(value) == cell


def test_the_auditor_exports_the_filtered_trail_newest_first(
    login: Any, auditor: User, wpa: User, senior_wpa: User
) -> None:
    _events(wpa, 3)
    _events(senior_wpa, 2, AuditEvent.Action.LOGOUT)
    client: Client = login(auditor)
    response = client.get("/audit/export.csv", {"actor": wpa.username, "action": "login"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-trail-')
    assert "no-store" in response["Cache-Control"]
    header, *rows = _read(response)
    assert header[:4] == ["Time (UTC)", "Event id", "Actor", "Action"]
    assert len(rows) == 3
    assert {row[2] for row in rows} == {wpa.username}
    assert {row[3] for row in rows} == {"login"} and {row[4] for row in rows} == {"Signed in"}
    assert [int(row[1]) for row in rows] == sorted((int(row[1]) for row in rows), reverse=True)
    assert rows[0][5] == "accounts.user" and rows[0][6] == str(wpa.public_id)


def test_the_export_is_audited_with_its_filters(login: Any, auditor: User, wpa: User) -> None:
    _events(wpa, 1)
    client: Client = login(auditor)
    today = timezone.localdate().isoformat()
    response = client.get("/audit/export.csv", {"actor": wpa.username, "since": today})
    rows = _read(response)[1:]
    event = AuditEvent.objects.get(action=AuditEvent.Action.AUDIT_EXPORTED)
    assert event.actor == auditor
    assert event.changes["filters"]["actor"] == wpa.username
    assert event.changes["filters"]["since"].startswith(today)
    assert set(event.changes["filters"]) == {"actor", "since"}
    assert event.ip_address == "127.0.0.1"
    # The export's own event is written before the rows are read, and is not among them.
    unfiltered = _read(client.get("/audit/export.csv"))[1:]
    assert str(event.pk) in {row[1] for row in unfiltered}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.AUDIT_EXPORTED).count() == 2
    newest = AuditEvent.objects.filter(action=AuditEvent.Action.AUDIT_EXPORTED).latest("id")
    assert str(newest.pk) not in {row[1] for row in unfiltered}
    assert len(rows) == 1


def test_cells_written_by_others_cannot_run_as_formulas(login: Any, auditor: User, wpa: User) -> None:
    audit_record(actor=wpa, action="=cmd|' /C calc'!A0", object_type="@SUM(1+1)")
    wpa.username = "-2+3"
    wpa.save(update_fields=["username"])
    rows = _read(login(auditor).get("/audit/export.csv", {"actor": "-2+3"}))[1:]
    assert len(rows) == 1
    assert rows[0][2] == "'-2+3"
    assert rows[0][3] == "'=cmd|' /C calc'!A0"
    assert rows[0][5] == "'@SUM(1+1)"
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in rows[0])


def test_keyset_batches_read_every_row_once_with_ties_on_time(auditor: User, wpa: User) -> None:
    moment = timezone.now() - timedelta(hours=1)
    _insert_at(wpa, moment, 7)
    _insert_at(wpa, moment - timedelta(seconds=1), 2)
    _events(wpa, 2)
    filters = TrailFilter(actor=wpa.username)
    with CaptureQueriesContext(connection) as captured:
        rows = list(audit_trail_rows(user=auditor, filters=filters, batch=3))
    ids = [row[1] for row in rows]
    assert len(ids) == 11 == len(set(ids))
    assert [(row[0], row[1]) for row in rows] == sorted(((row[0], row[1]) for row in rows), reverse=True)
    # The newest id, the auditor's roles, then one query per batch of 3 (11 rows: 4 batches,
    # the last one short).
    assert len(captured.captured_queries) == 2 + 4
    batch_sql = captured.captured_queries[-1]["sql"]
    assert "LIMIT 3" in batch_sql and '"occurred_at" <=' in batch_sql


def test_rows_written_after_the_export_began_are_left_out(auditor: User, wpa: User) -> None:
    _events(wpa, 4)
    rows = audit_trail_rows(user=auditor, filters=TrailFilter(actor=wpa.username), batch=2)
    first = next(rows)
    _events(wpa, 3)
    assert len([first, *rows]) == 4


def test_nobody_else_exports(wpa: User, admin_user: User, senior_wpa: User) -> None:
    _events(wpa, 2)
    for user in (wpa, admin_user, senior_wpa):
        with pytest.raises(PermissionDenied):
            audit_trail_export(actor=user, filters=TrailFilter())
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.AUDIT_EXPORTED).exists()
    assert list(audit_trail_rows(user=wpa, filters=TrailFilter())) == []


def test_invalid_filters_are_refused_and_not_audited(login: Any, auditor: User) -> None:
    client: Client = login(auditor)
    response = client.get("/audit/export.csv", {"since": "2026-02-01", "until": "2026-01-01"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.AUDIT_EXPORTED).exists()


def test_the_page_links_the_export_with_its_filters(login: Any, auditor: User, wpa: User) -> None:
    _events(wpa, 55)
    client: Client = login(auditor)
    response = client.get("/audit/", {"actor": wpa.username})
    assert f'href="/audit/export.csv?actor={wpa.username}' in response.content.decode()
    next_page = client.get(f"/audit/?{response.context['next_query']}")
    export_link = next_page.context["export_query"]
    assert "cursor" not in export_link and f"actor={wpa.username}" in export_link
    refused = client.get("/audit/", {"since": "2026-02-01", "until": "2026-01-01"})
    assert b"/audit/export.csv" not in refused.content


def test_the_export_selector_module_keeps_one_batch(auditor: User, wpa: User) -> None:
    """Constant memory: the iterator holds at most one batch of rows (a list per query)."""
    _events(wpa, 5)
    rows = audit_trail_rows(user=auditor, filters=TrailFilter(), batch=2)
    assert iter(rows) is rows  # a generator, not a list
    assert len(list(rows)) == 5
    assert selectors.EXPORT_BATCH >= 1000

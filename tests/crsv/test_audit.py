"""The audit trail is append-only at the database, and records sign-ins."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from crsv.audit.models import AuditEvent
from crsv.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(wpa: object) -> AuditEvent:
    return audit_record(actor=wpa, action=AuditEvent.Action.LOGIN, obj=wpa)


def _refused(sql: str) -> str:
    with pytest.raises(DatabaseError) as excinfo, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    return str(excinfo.value)


def test_update_is_refused_by_the_database(event: AuditEvent) -> None:
    assert "append-only" in _refused("UPDATE audit_auditevent SET action = 'tampered'")
    event.refresh_from_db()
    assert event.action == AuditEvent.Action.LOGIN


def test_orm_update_is_refused_too(event: AuditEvent) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")


def test_delete_is_refused_by_the_database(event: AuditEvent) -> None:
    assert "DELETE refused" in _refused("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_truncate_is_refused_by_the_database(wpa: object) -> None:
    # Committed first: inside the insert's own transaction PostgreSQL refuses TRUNCATE anyway
    # (pending foreign-key trigger events), which would prove nothing about our trigger.
    audit_record(actor=wpa, action=AuditEvent.Action.LOGIN, obj=wpa)
    assert "TRUNCATE refused" in _refused("TRUNCATE audit_auditevent")
    assert "TRUNCATE refused" in _refused("TRUNCATE audit_auditevent CASCADE")
    assert AuditEvent.objects.count() == 1


def test_insert_is_allowed(wpa: object) -> None:
    audit_record(actor=wpa, action=AuditEvent.Action.LOGOUT, obj=wpa)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGOUT).count() == 1


def test_record_keeps_type_and_public_id_only(wpa: object) -> None:
    event = audit_record(actor=wpa, action="x", obj=wpa)
    assert event.object_type == "accounts.user"
    assert event.object_public_id == wpa.public_id  # type: ignore[attr-defined]
    columns = {f.column for f in AuditEvent._meta.concrete_fields}
    assert columns == {
        "id",
        "public_id",
        "occurred_at",
        "actor_id",
        "action",
        "object_type",
        "object_public_id",
        "ip_address",
        "changes",  # names of roles and offices before and after a privilege change (issue 8)
    }


@pytest.mark.django_db(transaction=True)
def test_transactional_tests_can_still_flush(wpa: object) -> None:
    """pytest-django empties tables after this test; the flush must get past the triggers."""
    audit_record(actor=wpa, action=AuditEvent.Action.LOGIN, obj=wpa)
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_second_transactional_test_starts_empty() -> None:
    assert AuditEvent.objects.count() == 0


def test_access_record_writes_one_row_per_survivor_in_one_statement(wpa: Any) -> None:
    from django.test.client import RequestFactory

    from crsv.audit.models import AccessEvent
    from crsv.audit.services import access_record

    first, second = uuid.uuid4(), uuid.uuid4()
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.7")
    with CaptureQueriesContext(connection) as queries:
        access_record(actor=wpa, survivor_public_ids=[first, second, first], kind="list", request=request)
    assert len(queries) == 1
    rows = list(
        AccessEvent.objects.order_by("id").values_list("survivor_public_id", "actor", "kind", "ip_address")
    )
    assert rows == [(first, wpa.pk, "list", "10.0.0.7"), (second, wpa.pk, "list", "10.0.0.7")]
    with CaptureQueriesContext(connection) as none:
        access_record(actor=wpa, survivor_public_ids=[], kind="list")
    assert len(none) == 0

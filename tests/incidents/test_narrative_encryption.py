"""The incident narrative and history reasons are stored encrypted under the incident's own
data key, bound to their row; the data migration encrypted what was stored before."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from crsv.accounts.models import User
from crsv.crypto import DecryptionError
from incidents.models import Incident, IncidentEvent

pytestmark = pytest.mark.django_db
NARRATIVE = "Armed men entered the house at night. Medical care was offered."


def _raw(table: str, column: str, pk: int) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608  (constants)
        return bytes(cursor.fetchone()[0])


def test_narrative_is_ciphertext_in_the_database(
    make_incident: Callable[..., Incident], reporter: User
) -> None:
    incident = make_incident("submitted", reporter=reporter)
    raw = _raw("incidents_incident", "narrative_ct", incident.pk)
    assert b"Armed men" not in raw
    assert raw[0] == 1  # version byte
    fresh = Incident.objects.select_related("data_key").get(pk=incident.pk)
    assert fresh.narrative == NARRATIVE
    columns = {f.column for f in Incident._meta.concrete_fields}
    assert "narrative" not in columns


def test_each_incident_has_its_own_key(make_incident: Callable[..., Incident], reporter: User) -> None:
    first = make_incident("draft", reporter=reporter)
    second = make_incident("draft", reporter=reporter)
    assert first.data_key_id and second.data_key_id and first.data_key_id != second.data_key_id


def test_narrative_moved_to_another_incident_fails(
    make_incident: Callable[..., Incident], reporter: User
) -> None:
    first = make_incident("draft", reporter=reporter)
    second = make_incident("draft", reporter=reporter)
    Incident.objects.filter(pk=second.pk).update(narrative_ct=first.narrative_ct)
    moved = Incident.objects.select_related("data_key").get(pk=second.pk)
    with pytest.raises(DecryptionError):
        _ = moved.narrative


def test_tampered_narrative_fails(make_incident: Callable[..., Incident], reporter: User) -> None:
    incident = make_incident("draft", reporter=reporter)
    blob = bytearray(_raw("incidents_incident", "narrative_ct", incident.pk))
    blob[-1] ^= 1
    Incident.objects.filter(pk=incident.pk).update(narrative_ct=bytes(blob))
    with pytest.raises(DecryptionError):
        _ = Incident.objects.get(pk=incident.pk).narrative


def test_reasons_are_encrypted(make_incident: Callable[..., Incident], reporter: User) -> None:
    incident = make_incident("returned", reporter=reporter)
    event = IncidentEvent.objects.get(incident=incident, action="return")
    assert b"Check the dates" not in _raw("incidents_incidentevent", "reason_ct", event.pk)
    assert event.reason == "Check the dates."


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_encrypts_stored_narratives(
    make_incident: Callable[..., Incident], reporter: User
) -> None:
    executor = MigrationExecutor(connection)
    before = [("incidents", "0002_incidentevent_append_only")]
    after = [("incidents", "0003_encrypt_narrative_and_reasons")]
    incident = make_incident("returned", reporter=reporter)
    executor.migrate(before)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE incidents_incident SET narrative = %s WHERE id = %s", ["Old plain text", incident.pk]
            )
            cursor.execute(
                "ALTER TABLE incidents_incidentevent DISABLE TRIGGER incidents_incidentevent_append_only"
            )
            cursor.execute("UPDATE incidents_incidentevent SET reason = 'Old reason' WHERE action = 'return'")
            cursor.execute(
                "ALTER TABLE incidents_incidentevent ENABLE TRIGGER incidents_incidentevent_append_only"
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
    try:
        assert b"Old plain" not in _raw("incidents_incident", "narrative_ct", incident.pk)
    finally:
        # Back to the latest schema: the transactional tests that run after this one (they run
        # last) would otherwise miss every later migration's columns.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    # Read through today's models once the later migrations (which change columns) ran too.
    migrated = Incident.objects.select_related("data_key").get(pk=incident.pk)
    assert migrated.narrative == "Old plain text"
    event = IncidentEvent.objects.select_related("incident__data_key").get(incident=incident, action="return")
    assert event.reason == "Old reason"

"""What a pg_dump showed in clear before issue 9 is ciphertext now: the exact point and the
perpetrators' unit, commander and names, under the incident's data key. Lists decrypt nothing.
The data migration (0006) encrypts stored rows and, backward, restores them."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from crsv.accounts.models import User
from crsv.crypto import DecryptionError
from incidents.models import Incident, Perpetrator
from incidents.services import PerpetratorData
from tests.incidents.factories import incident_draft
from tests.incidents.test_api_common import LIST, as_user

pytestmark = pytest.mark.django_db

NAMES = "Jean-Baptiste Kabila Mwamba"
UNIT = "3rd battalion, Kitchanga"
COMMANDER = "Colonel Ntaganda-Ruzindana"


def _raw(table: str, columns: str, pk: int) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE id = %s", [pk])  # noqa: S608  (constants)
        row: tuple[Any, ...] = cursor.fetchone()
        return row


def _identified(reporter: User, sake: Any) -> Incident:
    return incident_draft(
        reporter,
        location=sake,
        latitude=Decimal("-1.987654"),
        longitude=Decimal("29.123456"),
        perpetrators=[
            PerpetratorData(category="non_state_armed_group", names=NAMES, unit=UNIT, commander=COMMANDER)
        ],
    )


def test_point_and_perpetrator_identification_are_ciphertext(reporter: User, sake: Any) -> None:
    incident = _identified(reporter, sake)
    perpetrator = incident.perpetrators.get()
    for blob in _raw("incidents_incident", "latitude_ct, longitude_ct", incident.pk):
        assert bytes(blob)[0] == 1 and b"1.987654" not in bytes(blob) and b"29.123456" not in bytes(blob)
    for blob, plain in zip(
        _raw("incidents_perpetrator", "unit_ct, commander_ct, names_ct", perpetrator.pk),
        (UNIT, COMMANDER, NAMES),
        strict=True,
    ):
        assert plain.encode() not in bytes(blob)
    fresh = Incident.objects.select_related("data_key").get(pk=incident.pk)
    assert (fresh.latitude, fresh.longitude) == (Decimal("-1.987654"), Decimal("29.123456"))
    row = Perpetrator.objects.select_related("incident__data_key").get(pk=perpetrator.pk)
    assert (row.unit, row.commander, row.names) == (UNIT, COMMANDER, NAMES)
    # Bound to the row: a perpetrator's names copied to another perpetrator do not decrypt.
    other = incident_draft(reporter, location=sake).perpetrators.get()
    copied = _raw("incidents_perpetrator", "names_ct", row.pk)[0]
    Perpetrator.objects.filter(pk=other.pk).update(names_ct=copied)

    with pytest.raises(DecryptionError):
        _ = Perpetrator.objects.select_related("incident__data_key").get(pk=other.pk).names


def test_every_new_incident_has_its_own_data_key(reporter: User, sake: Any) -> None:
    incident = incident_draft(reporter, location=sake, narrative="")  # nothing encrypted yet
    assert incident.data_key_id is not None


@pytest.mark.parametrize(
    ("point", "field"),
    [
        ({"latitude": Decimal("-1.1234567"), "longitude": Decimal("29")}, "latitude"),
        ({"latitude": Decimal("-1.5"), "longitude": Decimal("181")}, "longitude"),
        ({"latitude": Decimal("-90.5"), "longitude": Decimal("29")}, "latitude"),
    ],
)
def test_the_service_checks_the_point_no_column_can(
    reporter: User, sake: Any, point: dict[str, Decimal], field: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        incident_draft(reporter, location=sake, **point)
    assert field in excinfo.value.message_dict


def test_lists_decrypt_nothing(
    reporter: User, sake: Any, login: Callable[[User], Client], api_client: Any
) -> None:
    """Every ciphertext of the incident is made unreadable: the list page and the list API still
    answer, so neither decrypts (nor loads) any of it for a list row."""
    incident = _identified(reporter, sake)
    garbage = b"\x01" + b"\x00" * 40
    Incident.objects.filter(pk=incident.pk).update(
        narrative_ct=garbage, latitude_ct=garbage, longitude_ct=garbage
    )
    Perpetrator.objects.filter(incident=incident).update(
        unit_ct=garbage, commander_ct=garbage, names_ct=garbage
    )
    page = login(reporter).get(reverse("incidents:list"))
    assert page.status_code == 200
    api = as_user(api_client, reporter).get(LIST)
    assert api.status_code == 200
    assert [row["public_id"] for row in api.json()["results"]] == [str(incident.public_id)]


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_encrypts_and_backward_restores(reporter: User, sake: Any) -> None:
    executor = MigrationExecutor(connection)
    before = [("incidents", "0005_reference_counter_sea_sequence")]
    after = [("incidents", "0006_encrypt_point_and_perpetrators")]
    incident = incident_draft(reporter, location=sake)
    perpetrator_pk = incident.perpetrators.get().pk
    executor.migrate(before)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE incidents_incident SET latitude = -1.25, longitude = 29.5 WHERE id = %s",
                [incident.pk],
            )
            cursor.execute(
                "UPDATE incidents_perpetrator SET unit = %s, commander = '', names = %s WHERE id = %s",
                [UNIT, NAMES, perpetrator_pk],
            )
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
        latitude_ct, longitude_ct = _raw("incidents_incident", "latitude_ct, longitude_ct", incident.pk)
        unit_ct, commander_ct, names_ct = _raw(
            "incidents_perpetrator", "unit_ct, commander_ct, names_ct", perpetrator_pk
        )
        assert b"1.25" not in bytes(latitude_ct) and b"29.5" not in bytes(longitude_ct)
        assert NAMES.encode() not in bytes(names_ct) and UNIT.encode() not in bytes(unit_ct)
        assert commander_ct is None  # empty: no ciphertext
        # Backward: the plain columns come back with their values.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(before)
        assert _raw("incidents_incident", "latitude, longitude", incident.pk) == (
            Decimal("-1.250000"),
            Decimal("29.500000"),
        )
        assert _raw("incidents_perpetrator", "unit, commander, names", perpetrator_pk) == (UNIT, "", NAMES)
    finally:
        # Forward again, to the latest schema (later tests need every column).
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    migrated = Incident.objects.select_related("data_key").get(pk=incident.pk)
    assert (migrated.latitude, migrated.longitude) == (Decimal("-1.25"), Decimal("29.5"))
    row = Perpetrator.objects.select_related("incident__data_key").get(pk=perpetrator_pk)
    assert (row.unit, row.commander, row.names) == (UNIT, "", NAMES)

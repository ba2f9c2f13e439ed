"""Human references of alerts: `MISSION-OFFICE-YEAR-EW-NNNNN` (e.g. `MONUSCO-GOM-2026-EW-00007`,
EW for early warning).

Given at creation, in the alert's field office; the year is the creation's in that office's time
zone. One counter row per (office, year), incremented by a single `INSERT ... ON CONFLICT DO
UPDATE ... RETURNING` in the creating transaction, as incidents' and referrals' references are
(incidents/reference_numbers.py): concurrent alerts in one office queue on that row until
commit, none gets the same number, none fails. Numbers are gap-tolerant (a rolled-back creation
gives its number back); the unique constraint on `Alert.reference` is the last guard.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from crsv.accounts.models import FieldOffice
from incidents import clock
from incidents.models import AlertReferenceCounter

_TABLE = AlertReferenceCounter._meta.db_table
# Table name from the model's own metadata; values are parameters.
_NEXT_SQL = f"""
    INSERT INTO {_TABLE} (field_office_id, year, last) VALUES (%s, %s, 1)
    ON CONFLICT (field_office_id, year) DO UPDATE SET last = {_TABLE}.last + 1
    RETURNING last
"""  # noqa: S608  # nosec B608  # the table name is the model's own

ALERT_MARK = "EW"


def alert_reference_format(*, mission_code: str, office_code: str, year: int, number: int) -> str:
    return f"{mission_code}-{office_code}-{year}-{ALERT_MARK}-{number:05d}"


def alert_reference_next(*, field_office: FieldOffice, at: datetime) -> str:
    """The next alert reference of `field_office` for the year of `at` in its time zone. Call
    inside the creating transaction."""
    year = clock.office_date(field_office, at).year
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_SQL, [field_office.pk, year])
        row = cursor.fetchone()
    if row is None:  # pragma: no cover - RETURNING always yields the row
        raise RuntimeError("The reference counter returned no row.")
    return alert_reference_format(
        mission_code=field_office.mission.code, office_code=field_office.code, year=year, number=int(row[0])
    )

"""Human references, `MISSION-OFFICE-YEAR-NNNNN` (e.g. `MONUSCO-GOM-2026-00042`).

Given at first submission; the year is that of the first submission in the field office's
time zone. Numbers come from one counter row per (office, year), incremented by a single
`INSERT ... ON CONFLICT DO UPDATE ... RETURNING` in the submitting transaction: concurrent
submissions in one office queue on that row for the few milliseconds until commit, so no two
get the same number and none fails. A rolled-back submission gives its number back; numbers
are still treated as gap-tolerant (nothing relies on them being contiguous), and the unique
constraint on `Incident.reference` is the last guard.
"""

from __future__ import annotations

from django.db import connection

from crsv.accounts.models import FieldOffice
from incidents.models import IncidentReferenceCounter

_TABLE = IncidentReferenceCounter._meta.db_table
# Table name from the model's own metadata; values are parameters.
_NEXT_SQL = f"""
    INSERT INTO {_TABLE} (field_office_id, year, last) VALUES (%s, %s, 1)
    ON CONFLICT (field_office_id, year) DO UPDATE SET last = {_TABLE}.last + 1
    RETURNING last
"""  # noqa: S608


def reference_format(*, mission_code: str, office_code: str, year: int, number: int) -> str:
    return f"{mission_code}-{office_code}-{year}-{number:05d}"


def incident_reference_next(*, field_office: FieldOffice, year: int) -> str:
    """The next reference of `field_office` in `year`. Call inside the submitting transaction."""
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_SQL, [field_office.pk, year])
        row = cursor.fetchone()
    if row is None:  # pragma: no cover - RETURNING always yields the row
        raise RuntimeError("The reference counter returned no row.")
    return reference_format(
        mission_code=field_office.mission.code,
        office_code=field_office.code,
        year=year,
        number=int(row[0]),
    )

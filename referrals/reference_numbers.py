"""Human references of referrals: `MISSION-OFFICE-YEAR-R-NNNNN` (e.g. `MONUSCO-GOM-2026-R-00012`).

Given at creation, in the office of the survivor's case; the year is the creation's in that
office's time zone. One counter row per (office, year), incremented by a single
`INSERT ... ON CONFLICT DO UPDATE ... RETURNING` in the creating transaction, as the incidents'
references are (incidents/references.py): concurrent creations in one office queue on that
row until commit, none gets the same number, none fails. Numbers are gap-tolerant (a rolled
back creation gives its number back); the unique constraint on `Referral.reference` is the
last guard.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection

from crsv.accounts.models import FieldOffice
from referrals.models import ReferralReferenceCounter

_TABLE = ReferralReferenceCounter._meta.db_table
# Table name from the model's own metadata; values are parameters.
_NEXT_SQL = f"""
    INSERT INTO {_TABLE} (field_office_id, year, last) VALUES (%s, %s, 1)
    ON CONFLICT (field_office_id, year) DO UPDATE SET last = {_TABLE}.last + 1
    RETURNING last
"""  # noqa: S608  # nosec B608  # the table name is the model's own


def referral_reference_format(*, mission_code: str, office_code: str, year: int, number: int) -> str:
    return f"{mission_code}-{office_code}-{year}-R-{number:05d}"


def referral_reference_next(*, field_office: FieldOffice, at: datetime) -> str:
    """The next referral reference of `field_office` for the year of `at` in its time zone.
    Call inside the creating transaction."""
    year = at.astimezone(ZoneInfo(field_office.time_zone)).year
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_SQL, [field_office.pk, year])
        row = cursor.fetchone()
    if row is None:  # pragma: no cover - RETURNING always yields the row
        raise RuntimeError("The reference counter returned no row.")
    return referral_reference_format(
        mission_code=field_office.mission.code, office_code=field_office.code, year=year, number=int(row[0])
    )

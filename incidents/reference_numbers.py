"""Human references: `MISSION-OFFICE-YEAR-NNNNN` (e.g. `MONUSCO-GOM-2026-00042`), and for an
incident on the SEA track (a UN-personnel perpetrator) `MISSION-OFFICE-YEAR-SEA-NNNNN`.

Given at first submission; the year is that of the first submission in the field office's
time zone. Each office has two sequences a year, CRSV and SEA, so that the CRSV numbers the
office's staff see have no gap standing for an SEA incident they may not see (issue 8 item 12).
Numbers come from one counter row per (office, year, sequence), incremented by a single
`INSERT ... ON CONFLICT DO UPDATE ... RETURNING` in the submitting transaction: concurrent
submissions in one office queue on that row for the few milliseconds until commit, so no two
get the same number and none fails. A rolled-back submission gives its number back; numbers
are still treated as gap-tolerant (nothing relies on them being contiguous), and the unique
constraint on `Incident.reference` is the last guard.

A returned incident can change track before it is resubmitted (`services.incident_submit`):

- CRSV to SEA: it keeps its CRSV number. A reference is what people quote (messages, files,
  the history they remember); from now on only senior WPAs (and its reporter while it is in her
  hands) see the incident, and they may see SEA incidents; a new number would not close the
  gap its leaving makes in the office's CRSV list, since that number was already handed out.
  Analysts see no references at all (`permissions.can_view_references`).
- SEA to CRSV: it gets a new CRSV number (same year), because its SEA number would show the
  office's staff, who never see SEA incidents, how many the office had.
"""

from __future__ import annotations

import re

from django.db import connection

from crsv.accounts.models import FieldOffice
from incidents.models import IncidentReferenceCounter

_TABLE = IncidentReferenceCounter._meta.db_table
# Table name from the model's own metadata; values are parameters.
_NEXT_SQL = f"""
    INSERT INTO {_TABLE} (field_office_id, year, sea, last) VALUES (%s, %s, %s, 1)
    ON CONFLICT (field_office_id, year, sea) DO UPDATE SET last = {_TABLE}.last + 1
    RETURNING last
"""  # noqa: S608  # nosec B608  # the table name is the model's own

SEA_MARK = "SEA"
# Anchored at the end: an office whose code is SEA (`MONUSCO-SEA-2026-00001`) is not the track.
_SEA_REFERENCE = re.compile(rf"-{SEA_MARK}-\d+\Z")


def reference_format(
    *, mission_code: str, office_code: str, year: int, number: int, sea: bool = False
) -> str:
    track = f"{SEA_MARK}-" if sea else ""
    return f"{mission_code}-{office_code}-{year}-{track}{number:05d}"


def reference_is_sea(reference: str) -> bool:
    """Whether `reference` was given from an SEA sequence."""
    return _SEA_REFERENCE.search(reference) is not None


def incident_reference_next(*, field_office: FieldOffice, year: int, sea: bool = False) -> str:
    """The next reference of `field_office` in `year`, in its SEA sequence if `sea`, else its
    CRSV one. Call inside the submitting transaction."""
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_SQL, [field_office.pk, year, sea])
        row = cursor.fetchone()
    if row is None:  # pragma: no cover - RETURNING always yields the row
        raise RuntimeError("The reference counter returned no row.")
    return reference_format(
        mission_code=field_office.mission.code,
        office_code=field_office.code,
        year=year,
        number=int(row[0]),
        sea=sea,
    )

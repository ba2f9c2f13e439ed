"""Writing checked places, set-based: a country's 100,000 villages in a few statements.

The places are copied into a temporary table (COPY), checked against the database there (a
p-code at another admin level; a parent named by p-code only that is not loaded, or not one
level up), then upserted level by level, parents first, with INSERT ... ON CONFLICT (pcode):
names, parents and points given in the file win, an empty point never erases a stored one, and
a row that would not change is not written. All in one transaction, or nothing.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db import connection, transaction

from crsv.audit.services import audit_record
from incidents.locations.places import (
    MAX_LEVEL,
    LocationFileError,
    LocationFileProblem,
    LocationsLoadResult,
    Place,
)
from incidents.models import Location

_CREATE = """
    CREATE TEMPORARY TABLE incidents_location_load (
        pcode varchar(20) PRIMARY KEY, name varchar(200) NOT NULL, admin_level smallint NOT NULL,
        parent_pcode varchar(20), latitude numeric(9, 6), longitude numeric(9, 6), line integer NOT NULL
    ) ON COMMIT DROP
"""
_LEVEL_CONFLICTS = """
    SELECT s.line, s.pcode, l.admin_level, s.admin_level
    FROM incidents_location_load s JOIN incidents_location l ON l.pcode = s.pcode
    WHERE l.admin_level <> s.admin_level ORDER BY s.line
"""
_ORPHANS = """
    SELECT s.pcode, s.line, s.parent_pcode, p.admin_level, s.admin_level
    FROM incidents_location_load s
    LEFT JOIN incidents_location_load sp ON sp.pcode = s.parent_pcode
    LEFT JOIN incidents_location p ON p.pcode = s.parent_pcode
    WHERE s.parent_pcode IS NOT NULL AND sp.pcode IS NULL
      AND (p.id IS NULL OR p.admin_level <> s.admin_level - 1)
    ORDER BY s.line
"""
_UPSERT = """
    WITH written AS (
        INSERT INTO incidents_location AS l
            (public_id, pcode, name, admin_level, parent_id, latitude, longitude)
        SELECT gen_random_uuid(), s.pcode, s.name, s.admin_level, p.id, s.latitude, s.longitude
        FROM incidents_location_load s LEFT JOIN incidents_location p ON p.pcode = s.parent_pcode
        WHERE s.admin_level = %s
          AND NOT EXISTS (  -- unchanged: not even tried (a reload of a country stays cheap)
            SELECT 1 FROM incidents_location same
            WHERE same.pcode = s.pcode AND same.name = s.name
              AND same.parent_id IS NOT DISTINCT FROM p.id
              AND (s.latitude IS NULL OR (same.latitude, same.longitude) = (s.latitude, s.longitude))
          )
        ON CONFLICT (pcode) DO UPDATE SET
            name = EXCLUDED.name,
            parent_id = EXCLUDED.parent_id,
            latitude = coalesce(EXCLUDED.latitude, l.latitude),
            longitude = coalesce(EXCLUDED.longitude, l.longitude)
        WHERE (l.name, l.parent_id, l.latitude, l.longitude) IS DISTINCT FROM
            (EXCLUDED.name, EXCLUDED.parent_id,
             coalesce(EXCLUDED.latitude, l.latitude), coalesce(EXCLUDED.longitude, l.longitude))
        RETURNING xmax = 0 AS created
    )
    SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM written
"""


def _copy_in(cursor: Any, places: list[Place]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for place in places:
        point = (place.latitude, place.longitude) if place.point_line else ("", "")
        writer.writerow([place.code, place.name, place.level, place.parent_code or "", *point, place.line])
    buffer.seek(0)
    cursor.copy_expert(  # psycopg2's COPY; an empty CSV field is NULL
        "COPY incidents_location_load (pcode, name, admin_level, parent_pcode, latitude, longitude, line) "
        "FROM STDIN WITH (FORMAT csv)",
        buffer,
    )


def _problems(cursor: Any, places: dict[str, Place]) -> list[LocationFileProblem]:
    cursor.execute(_LEVEL_CONFLICTS)
    problems = [
        LocationFileProblem(line, "", f"code {pcode} is admin level {stored} in the database, not {level}")
        for line, pcode, stored, level in cursor.fetchall()
    ]
    cursor.execute(_ORPHANS)
    for pcode, line, parent, stored, level in cursor.fetchall():
        if stored is None:
            reason = f"code {parent} is neither in the file nor loaded: load its level first"
        else:
            reason = f"code {parent} is admin level {stored} in the database, not {level - 1}"
        problems.append(LocationFileProblem(line, places[pcode].parent_column, reason))
    return sorted(problems, key=lambda problem: problem.line)


@transaction.atomic
def locations_save(places: list[Place], *, dry_run: bool = False) -> LocationsLoadResult:
    """Upsert checked places by p-code, parents first, in one transaction (module docstring);
    LocationFileError, nothing written, when the database disagrees with the file."""
    result = LocationsLoadResult()
    with connection.cursor() as cursor:
        # One load at a time; reads go on (a second load waits, then sees the first one's rows).
        cursor.execute("LOCK TABLE incidents_location IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("DROP TABLE IF EXISTS incidents_location_load")
        cursor.execute(_CREATE)
        _copy_in(cursor, places)
        cursor.execute("ANALYZE incidents_location_load")
        problems = _problems(cursor, {place.code: place for place in places})
        if problems:
            raise LocationFileError(problems)
        for level in range(1, MAX_LEVEL + 1):
            cursor.execute(_UPSERT, [level])
            created, updated = cursor.fetchone()
            result.created += created
            result.updated += updated
        cursor.execute("DROP TABLE incidents_location_load")
    result.unchanged = len(places) - result.created - result.updated
    if dry_run:
        transaction.set_rollback(True)
    elif result.created or result.updated:
        audit_record(actor=None, action="location.load", object_type=Location._meta.label_lower)
    return result

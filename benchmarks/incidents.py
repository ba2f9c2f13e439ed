"""Issue 3's budgets: the incident list API reaches 25% and the list page 15% of the throughput
of a bare WSGI app answering the same first page (50 rows, a WPA's 3 offices, newest first)
straight from SQL with orjson. 1,000,000 incidents over 30 field offices, loaded set-based."""

from __future__ import annotations

import os
import time
from typing import Any

from benchmarks.database import omitted_columns
from benchmarks.harness import Budget, Target, ratio

INCIDENTS = int(os.environ.get("BENCH_INCIDENTS", "1000000"))
# A country's worth of villages (synthetic, under the demo's territories): the incidents happen
# in them, and the intake's location search runs on them.
VILLAGES = int(os.environ.get("BENCH_VILLAGES", "10000"))
OFFICES = 30
MISSION = "BENCHINC"
BENCH_WPA = "bench_inc_wpa"
# The columns `load` fills, in the order of its SELECT list.
INCIDENT_COLUMNS = [
    "public_id",
    "reference",
    "source_channel",
    "reported_on",
    "date_precision",
    "incident_date_start",
    "incident_date_end",
    "reporting_delay_band",
    "time_of_day",
    "location_type",
    "displacement_stage",
    "conflict_nexus",
    "context",
    "tally_women",
    "tally_girls",
    "tally_men",
    "tally_boys",
    "tally_unknown_sex",
    "gbvims_penetration",
    "gbvims_sexual_contact",
    "gbvims_physical_assault",
    "gbvims_forced_marriage",
    "gbvims_denial_of_resources",
    "gbvims_psychological_abuse",
    "gbvims_core_type",
    "is_sea",
    "status",
    "verification_status",
    "verification_method",
    "is_late_verification",
    "created_at",
    "updated_at",
    "submitted_at",
    "assigned_wpa_id",
    "field_office_id",
    "mission_id",
    "reported_by_id",
    "location_id",
]


def _office_code(n: int) -> str:
    return "B" + chr(ord("A") + n // 26) + chr(ord("A") + n % 26)


def load(*, count: int = INCIDENTS, villages: int = VILLAGES) -> None:
    """30 offices of one mission, a reporter per office, a WPA of the first three offices, and
    `count` incidents (each with one violation, in one of `villages` synthetic villages) by
    INSERT ... SELECT generate_series."""
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from crsv.accounts.models import FieldOffice, Membership, Mission, User
    from incidents.locations.synthetic import locations_synthesize
    from incidents.models import Incident, Location

    mission, _ = Mission.objects.get_or_create(code=MISSION, defaults={"name": "Benchmark incidents"})
    if Incident.objects.filter(mission=mission).count() >= count and not os.environ.get("BENCH_RELOAD"):
        print(f"  incidents: {count} already loaded")
        return
    started = time.time()
    locations_synthesize(villages=villages)  # the demo's file, then the villages (idempotent)
    location_ids = list(Location.objects.filter(admin_level=4).order_by("pcode").values_list("id", flat=True))
    print(f"  locations: {len(location_ids)} villages ready in {time.time() - started:.1f} s")
    offices = [
        FieldOffice.objects.get_or_create(
            mission=mission,
            code=_office_code(n),
            defaults={"name": f"Office {n}", "time_zone": "Africa/Lubumbashi"},
        )[0]
        for n in range(OFFICES)
    ]
    reporter_group, wpa_group = Group.objects.get(name="reporter"), Group.objects.get(name="wpa")
    reporters = []
    for n, office in enumerate(offices):
        user, _ = User.objects.get_or_create(username=f"bench_inc_reporter_{n:02d}")
        user.groups.add(reporter_group)
        Membership.objects.get_or_create(user=user, field_office=office)
        reporters.append(user.pk)
    wpa, _ = User.objects.get_or_create(
        username=BENCH_WPA, defaults={"first_name": "Bench", "last_name": "WPA"}
    )
    wpa.groups.add(wpa_group)
    for office in offices[:3]:
        Membership.objects.get_or_create(user=wpa, field_office=office)
    office_ids = [o.pk for o in offices]
    # NOT NULL columns added after this loader was written get the value the ORM would write.
    omitted, defaults = omitted_columns(Incident, INCIDENT_COLUMNS)
    extra_columns = "".join(f", {column}" for column in omitted)
    extra_values = "".join(f", %(omitted_{n})s" for n in range(len(omitted)))
    started = time.time()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred FK events blocking CREATE INDEX
        # Generated rows are consistent by construction: as pg_restore does, skip the per-row
        # foreign-key triggers (superuser only; otherwise the load is just slower).
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")
        # The benchmark database holds only benchmark data: start the incident tables afresh.
        tables = "incidents_violation, incidents_perpetrator, incidents_incidentevent, incidents_incident"
        cursor.execute(f"TRUNCATE {tables} CASCADE")
        # A bulk load builds the plain indexes once at the end instead of row by row (the
        # usual way to load a table; the indexes' definitions come back unchanged).
        rebuild = _plain_indexes(cursor, ["incidents_incident", "incidents_violation"])
        for name, _definition in rebuild:
            cursor.execute(f'DROP INDEX "{name}"')
        # Row g: office mod(g, 30); newest rows have the highest g; 5% drafts, 60% submitted,
        # 35% under review (assigned to the bench WPA, verification pending).
        cursor.execute(
            f"""
            INSERT INTO incidents_incident ({", ".join(INCIDENT_COLUMNS)}{extra_columns})
            SELECT
                gen_random_uuid(),
                CASE WHEN mod(g, 20) = 0 THEN NULL ELSE 'BENCH-' || lpad(g::text, 8, '0') END,
                'survivor', (ts - interval '1 day')::date, 'day',
                (ts - interval '3 days')::date, (ts - interval '3 days')::date, '0-3', '',
                '', '', '', '',
                1 + mod(g, 3), mod(g, 2), 0, 0, 0,
                true, false, false, false, false, false,
                'rape', false,
                CASE WHEN mod(g, 20) = 0 THEN 'draft'
                     WHEN mod(g, 20) < 13 THEN 'submitted' ELSE 'under_review' END,
                CASE WHEN mod(g, 20) >= 13 THEN 'pending' ELSE 'reported' END,
                '', false, ts, ts,
                CASE WHEN mod(g, 20) = 0 THEN NULL ELSE ts END,
                CASE WHEN mod(g, 20) >= 13 THEN %(wpa)s END,
                (%(offices)s::bigint[])[1 + mod(g, 30)], %(mission)s,
                (%(reporters)s::bigint[])[1 + mod(g, 30)],
                (%(locations)s::bigint[])[1 + mod(g, %(nlocations)s)]{extra_values}
            FROM generate_series(1, %(count)s) AS g,
                 LATERAL (SELECT now() - (%(count)s - g) * interval '45 seconds' AS ts) AS t
            """,
            {
                "wpa": wpa.pk,
                "offices": office_ids,
                "mission": mission.pk,
                "reporters": reporters,
                "locations": location_ids,
                "nlocations": len(location_ids),
                "count": count,
                **{f"omitted_{n}": value for n, value in enumerate(defaults)},
            },
        )
        cursor.execute(
            "INSERT INTO incidents_violation (incident_id, form) "
            "SELECT id, 'rape' FROM incidents_incident WHERE mission_id = %s",
            [mission.pk],
        )
        for _name, definition in rebuild:
            cursor.execute(definition)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE incidents_incident")
        cursor.execute("ANALYZE incidents_violation")
    print(f"  incidents: loaded {count} in {time.time() - started:.1f} s (set-based SQL)")


def _plain_indexes(cursor: Any, tables: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the indexes of `tables` that back no constraint."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        [tables],
    )
    return list(cursor.fetchall())


def bare_environment(env: dict[str, str]) -> dict[str, str]:
    from crsv.accounts.models import User

    user = User.objects.get(username=BENCH_WPA)
    return {**env, "BENCH_USER_ID": str(user.pk), "BENCH_OFFICE_IDS": ",".join(map(str, user.office_ids()))}


def targets(port: int, bare_port: int, session_cookie: Any, bearer: Any) -> list[Target]:
    return [
        Target("bare WSGI + SQL (limit)", bare_port, "/incidents"),
        Target("incident list API", port, "/api/v1/incidents/", {"Authorization": bearer(BENCH_WPA)}),
        Target("incident list page", port, "/incidents/", {"Cookie": session_cookie(BENCH_WPA)}),
    ]


def budgets(measured: list[Target]) -> list[Budget]:
    bare, api, page = measured
    return [
        Budget("incident_list_api_vs_bare", ratio(api, bare), 0.25),
        Budget("incident_list_page_vs_bare", ratio(page, bare), 0.15),
    ]

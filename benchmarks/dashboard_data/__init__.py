"""The dashboard's bench data: something for every panel to count, at the million-incident scale.

On top of the incidents suite's 1,000,000 incidents (mission BENCHINC) and the survivors suite's
100,000 cases (mission BENCH), in this order, each part skipped when its rows are there:

1. `incident_facts.outcomes_load`: each office's area, reporting delays, tallies, verification
   outcomes and dates (one UPDATE over the incidents, then VACUUM FULL: the table as compact as
   the loader left it, for the other suites);
2. `incident_facts.violations_load`, `perpetrators_load`, `accountability_load`;
3. `cases.cases_load`: survivor-incident links, the linked cases' profiles, statistics consents;
4. `referrals.referrals_load`: referrals and their events;
5. `alerts.alerts_load`: early-warning alerts and their response times.

All set-based (INSERT ... SELECT, deterministic: the same data on every machine) with the
statistics triggers off for the load's own transaction (bulk.py); then, if anything was written
or the rollup holds nothing for the mission, one rebuild: every consent flag from the ledger
(`consent_flags_refresh_all`, the flags' trigger off: the rollup is rebuilt next anyway), then
the rollup from a full scan of `reports_fact` (`rollups_recompute`), both timed.
"""

from __future__ import annotations

import time
from typing import Any

__all__ = ["ANALYST", "load", "rollup_rebuild"]

# The dashboard's analyst: a member of an office of each suite's mission, so her mission-level
# dashboard counts the incidents (BENCHINC) and the cases' referrals (BENCH).
ANALYST = "bench_analyst"


def analyst_ensure() -> Any:
    from django.contrib.auth.models import Group

    from crsv.accounts.models import FieldOffice, Membership, User

    analyst, _ = User.objects.get_or_create(
        username=ANALYST, defaults={"first_name": "Bench", "last_name": "Analyst"}
    )
    analyst.groups.add(Group.objects.get(name="analyst"))
    for mission in ("BENCHINC", "BENCH"):
        office = FieldOffice.objects.filter(mission__code=mission).order_by("code").first()
        if office is not None:
            Membership.objects.get_or_create(user=analyst, field_office=office)
    return analyst


def load(*, alerts_per_incidents: int = 50) -> None:
    from django.db import connection

    from benchmarks import incidents as incidents_bench
    from benchmarks.dashboard_data import alerts, cases, incident_facts, referrals
    from crsv.accounts.models import FieldOffice, Mission, User
    from survivors.models import ConsentText

    mission = Mission.objects.get(code=incidents_bench.MISSION)
    survivor_mission = Mission.objects.get(code="BENCH")
    wpa = User.objects.get(username=incidents_bench.BENCH_WPA)
    analyst_ensure()
    offices = list(FieldOffice.objects.filter(mission=mission).order_by("code").values_list("id", flat=True))
    reporters = [User.objects.get(username=f"bench_inc_reporter_{n:02d}").pk for n in range(len(offices))]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM incidents_incident WHERE mission_id = %s", [mission.pk])
        incidents = cursor.fetchone()[0]
    survivor_office = FieldOffice.objects.get(mission=survivor_mission, code="BSV")
    parts: list[tuple[str, Any]] = [
        ("incident outcomes", lambda: incident_facts.outcomes_load(mission_id=mission.pk, wpa_id=wpa.pk)),
        ("violations", lambda: incident_facts.violations_load(mission_id=mission.pk)),
        ("perpetrators", lambda: incident_facts.perpetrators_load(mission_id=mission.pk)),
        ("justice steps", lambda: incident_facts.accountability_load(mission_id=mission.pk, wpa_id=wpa.pk)),
        (
            "survivor links",
            lambda: cases.cases_load(
                mission_id=mission.pk,
                survivor_mission_id=survivor_mission.pk,
                consent_text_id=ConsentText.objects.order_by("id").values_list("id", flat=True)[0],
            ),
        ),
        (
            "referrals",
            lambda: referrals.referrals_load(
                mission_id=mission.pk, providers=referrals.providers_ensure([survivor_office.pk, *offices])
            ),
        ),
        (
            "alerts",
            lambda: alerts.alerts_load(
                mission_id=mission.pk,
                count=max(40, incidents // alerts_per_incidents),
                reporter_ids=reporters,
            ),
        ),
    ]
    written = False
    for name, part in parts:
        started = time.time()
        rows = part()
        if rows is None:
            print(f"  dashboard data: {name} already there")
            continue
        written = True
        print(f"  dashboard data: {name}: {rows} rows in {time.time() - started:.1f} s")
        if name == "incident outcomes":
            _compact("incidents_incident")
    if written:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(_LOADED)}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM reports_rollup WHERE mission_id = %s LIMIT 1", [mission.pk])
        empty = cursor.fetchone() is None
    if written or empty:
        rollup_rebuild()


# The tables the parts write (fresh statistics for the planner of the full scan and the pages).
_LOADED = [
    "incidents_violation",
    "incidents_perpetrator",
    "survivors_survivor",
    "survivors_survivorincident",
    "survivors_consent",
    "referrals_referral",
    "referrals_referralevent",
    "incidents_alert",
]


def _compact(table: str) -> None:
    """Rewrite `table` after an UPDATE of every row (half of it would be dead rows: the full
    scans and the other suites' reads would pay for them)."""
    from django.db import connection

    if connection.in_atomic_block:
        return  # a test's transaction: VACUUM cannot run there (and a handful of rows need none)
    started = time.time()
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
        cursor.execute(f'VACUUM (FULL, ANALYZE) "{table}"')
    print(f"  dashboard data: {table} rewritten (VACUUM FULL) in {time.time() - started:.1f} s")


def rollup_rebuild() -> None:
    """Every consent flag from the ledger, then the rollup from one full scan; timed."""
    from django.db import connection

    from benchmarks.dashboard_data.bulk import bulk_transaction
    from reports.consent_flags import consent_flags_refresh_all
    from reports.rollups import rollups_recompute

    started = time.time()
    with bulk_transaction(["reports_consentflag"]):
        changed = consent_flags_refresh_all()
    flagged = time.time()
    print(f"  dashboard data: consent flags refreshed ({changed} changed) in {flagged - started:.1f} s")
    result = rollups_recompute(run_by="benchmarks")
    with connection.cursor() as cursor:
        # The replacement deleted every row: without a vacuum the pages read the dead ones too
        # until autovacuum passes (a test's transaction: no vacuum there, statistics only).
        verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        cursor.execute(f"{verb} reports_rollup, reports_consentflag")
    print(
        f"  dashboard data: rollup rebuilt from a full scan in {time.time() - flagged:.1f} s "
        f"({result.keys} keys, {result.differences} differed before)"
    )

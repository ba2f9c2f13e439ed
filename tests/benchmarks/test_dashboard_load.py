"""The dashboard suite's data (benchmarks/dashboard_data) on a handful of rows: every panel has
something to count, the rollup it rebuilds equals a full scan, a second load writes nothing,
and the statistics triggers are on again afterwards."""

from __future__ import annotations

import pytest
from django.db import connection

from benchmarks import dashboard as dashboard_bench
from benchmarks import dashboard_data
from benchmarks import incidents as incidents_bench
from benchmarks import survivors as survivors_bench
from benchmarks.dashboard_data.bulk import STATISTICS_TRIGGER, bulk_transaction
from benchmarks.harness import Target
from crsv.accounts.models import User
from incidents.models import Alert, Incident, Perpetrator
from referrals.models import Referral, ReferralEvent
from reports.models import ConsentFlag, Rollup
from reports.rollups import rollups_recompute
from survivors.models import Consent, SurvivorIncident

pytestmark = pytest.mark.django_db

# Every measure of reports_fact the bench data must feed (a panel each, or a part of one).
MEASURES = {
    "incidents",
    "verification",
    "verification_delay",
    "reporting_delay",
    "victims",
    "violations",
    "perpetrator_category",
    "perpetrator_party",
    "survivors",
    "rape_care",
    "referrals",
    "referral_accepted",
    "referral_accept_minutes",
    "referral_completed",
    "referral_complete_minutes",
    "alerts",
    "alert_acknowledged",
    "alert_ack_minutes",
    "alert_dispatched",
    "alert_dispatch_minutes",
}


def _age_incidents(days: int) -> None:
    """Move the loaded incidents `days` back: the million's span 17 months, a handful a few
    minutes, and the parts date outcomes and links on incidents older than 30 and 60 days."""
    with bulk_transaction(["incidents_incident"]) as cursor:
        cursor.execute(
            """
            UPDATE incidents_incident SET created_at = created_at - %(d)s * interval '1 day',
                   updated_at = updated_at - %(d)s * interval '1 day',
                   submitted_at = submitted_at - %(d)s * interval '1 day',
                   reported_on = reported_on - %(d)s, incident_date_start = incident_date_start - %(d)s,
                   incident_date_end = incident_date_end - %(d)s
            """,
            {"d": days},
        )


def _counts() -> dict[str, int]:
    return {
        "links": SurvivorIncident.objects.count(),
        "perpetrators": Perpetrator.objects.count(),
        "referrals": Referral.objects.count(),
        "events": ReferralEvent.objects.count(),
        "consents": Consent.objects.count(),
        "alerts": Alert.objects.count(),
        "verified": Incident.objects.filter(verification_status="verified").count(),
    }


def test_the_dashboard_data_feeds_every_panel_and_equals_a_full_scan() -> None:
    incidents_bench.load(count=2400, villages=48)
    survivors_bench.load(survivors=300, grants=200)
    with connection.cursor() as cursor:
        # The incidents loader's SET LOCAL outlives its savepoint in the test's transaction.
        cursor.execute("SET LOCAL session_replication_role = origin")
    _age_incidents(200)

    dashboard_data.load()

    assert set(Rollup.objects.values_list("measure", flat=True)) >= MEASURES
    result = rollups_recompute(replace=False)
    assert (result.differences, result.flags_changed) == (0, 0)
    # A third of the cases consent to statistics; their linked incidents count, the others' not.
    linked = SurvivorIncident.objects.values("survivor_id")
    flags = ConsentFlag.objects.filter(survivor_id__in=linked)
    assert 0 < flags.filter(counts=True).count() < linked.distinct().count()
    refused = SurvivorIncident.objects.exclude(
        survivor_id__in=flags.filter(counts=True).values("survivor_id")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM reports_countable_incident WHERE incident_id = ANY(%s)",
            [list(refused.values_list("incident_id", flat=True))],
        )
        assert cursor.fetchone()[0] == 0
        # The triggers were off for the load's own transactions only.
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname = %s AND tgenabled <> 'O'", [STATISTICS_TRIGGER]
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT current_setting('session_replication_role')")
        assert cursor.fetchone()[0] == "origin"
    # Each office works in its own area: two territories, not all of them.
    areas = Incident.objects.filter(mission__code=incidents_bench.MISSION).values_list(
        "field_office_id", "location__parent__parent_id"
    )
    territories: dict[int, set[int | None]] = {}
    for office, territory in areas:
        territories.setdefault(office, set()).add(territory)
    assert {len(places) for places in territories.values()} == {2}
    analyst = User.objects.get(username=dashboard_data.ANALYST)
    assert len(analyst.mission_ids()) == 2

    before = _counts()
    dashboard_data.load()  # idempotent: everything is there
    assert _counts() == before


def test_the_dashboard_is_judged_against_the_incident_list_page_of_the_same_run() -> None:
    targets = dashboard_bench.targets(8000, lambda username: f"sessionid={username}")
    dashboard, incident_page, _analyst_list = targets
    assert dashboard.path == "/reports/" and dashboard.headers == {
        "Cookie": f"sessionid={dashboard_data.ANALYST}"
    }
    assert incident_page.headers == {"Cookie": f"sessionid={incidents_bench.BENCH_WPA}"}
    assert {"incidents", "survivors"} <= set(dashboard_bench.NEEDS)
    for target, rates in zip(targets, ([60.0, 40.0, 50.0], [100.0, 100.0, 100.0], [90.0] * 3), strict=True):
        target.rates = rates
    (budget,) = dashboard_bench.budgets(targets)
    assert budget.name == "dashboard_page_vs_incident_list_page"
    assert budget.measured == 0.5 and budget.required == 0.50 and budget.passed
    assert isinstance(incident_page, Target)


def test_a_difference_from_the_full_scan_fails_its_budget() -> None:
    assert dashboard_bench.Differences("x", 0, 0).passed
    failed = dashboard_bench.Differences("x", 3, 0)
    assert not failed.passed and failed.line().startswith("BUDGET x measured=3 required=0 FAIL")

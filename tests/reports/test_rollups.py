"""The rollup moves in the transaction of the change, and always equals a full scan.

Data through the real services; `rollups_flush()` applies a test transaction's pending changes
(a request's transaction applies them at its commit: the last tests commit for real).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections, transaction
from django.utils import timezone

from crsv.accounts.models import FieldOffice, User
from incidents.models import Incident, Location
from incidents.services import PerpetratorData
from reports.consent_flags import consent_flags_refresh_due
from reports.models import ConsentFlag, Rollup, RollupMonth
from reports.rollups import rollups_flush, rollups_recompute
from reports.statistics import statistics_load, statistics_scope
from survivors.identity import SurvivorIdentity
from survivors.models import Consent, ConsentText, Survivor
from survivors.services import SurvivorProfile, consent_record, consent_withdraw, survivor_register
from tests.incidents.factories import incident_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def make(sake: Location, wpa: User) -> Callable[..., Incident]:
    def _make(state: str = "submitted", *, reporter: User, **fields: Any) -> Incident:
        return incident_in_state(state, reporter=reporter, reviewer=wpa, location=sake, **fields)

    return _make


def _stats(user: User) -> Any:
    rollups_flush()
    return statistics_load(statistics_scope(user))


def _scan_equal() -> None:
    result = rollups_recompute(replace=False)
    assert result.differences == 0, result


def _register(actor: User, office: FieldOffice, incident: Incident) -> Survivor:
    return survivor_register(
        actor=actor,
        field_office=office,
        identity=SurvivorIdentity(name="Canary Rollup"),
        profile=SurvivorProfile(sex=Survivor.Sex.FEMALE, age=24),
        incident=incident,
    )


def _consent(actor: User, survivor: Survivor, text: ConsentText, **kwargs: Any) -> Consent:
    return consent_record(
        actor=actor,
        survivor=survivor,
        purpose=Consent.Purpose.STATISTICS,
        given_by=Consent.GivenBy.SURVIVOR,
        method=Consent.Method.ORAL,
        explained_in="fr",
        consent_text=text,
        **kwargs,
    )


def test_a_submitted_incident_counts_in_every_measure_and_a_draft_does_not(make, reporter, analyst, sake):
    make("draft", reporter=reporter)
    assert _stats(analyst).total("incidents") == 0
    make(
        "closed",
        reporter=reporter,
        tally_women=2,
        tally_girls=1,
        violations=("rape", "sexual_slavery"),
        perpetrators=[PerpetratorData(category="non_state_armed_group", count=2)],
    )
    stats = _stats(analyst)
    assert stats.total("incidents") == 1
    assert stats.breakdown("victims") == {"women": 2, "girls": 1}
    assert stats.breakdown("violations") == {"rape": 1, "sexual_slavery": 1}
    assert stats.breakdown("perpetrator_category") == {"non_state_armed_group": 1}
    assert stats.breakdown("verification") == {"verified": 1}
    assert stats.by("incidents", "admin2") == {sake.parent_id: 1}
    assert stats.by("incidents", "admin1") == {sake.parent.parent_id: 1}
    _scan_equal()


def test_sea_never_counts(make, reporter, senior_wpa):
    make("submitted", reporter=reporter, perpetrators=[PerpetratorData(category="un_personnel", count=1)])
    assert Incident.objects.get().is_sea
    assert _stats(senior_wpa).total("incidents") == 0
    _scan_equal()


def test_a_linked_survivor_counts_only_with_consent_and_withdrawal_takes_effect_at_once(
    make, reporter, wpa, senior_wpa, office, consent_text
):
    incident = make("submitted", reporter=reporter)
    survivor = _register(wpa, office, incident)
    assert _stats(senior_wpa).total("incidents") == 0, "no consent to statistics: not counted"
    grant = _consent(wpa, survivor, consent_text)
    stats = _stats(senior_wpa)
    assert stats.total("incidents") == 1
    assert stats.breakdown("survivors") == {"female:18-25": 1}
    consent_withdraw(actor=wpa, consent=grant)
    assert _stats(senior_wpa).total("incidents") == 0
    assert not ConsentFlag.objects.get(survivor=survivor).counts
    _scan_equal()


def test_a_consent_expiring_stops_counting_when_the_beat_task_runs(
    make, reporter, wpa, senior_wpa, office, consent_text
):
    incident = make("submitted", reporter=reporter)
    survivor = _register(wpa, office, incident)
    _consent(wpa, survivor, consent_text, expires_at=timezone.now() + timedelta(hours=1))
    assert _stats(senior_wpa).total("incidents") == 1
    assert consent_flags_refresh_due(now=timezone.now() + timedelta(hours=2)) == 0, "not yet expired now"
    # The same task, an hour and a half later (consent_allows reads the clock).
    later = timezone.now() + timedelta(hours=2)
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=later):
        assert consent_flags_refresh_due() == 1
    assert _stats(senior_wpa).total("incidents") == 0
    _scan_equal()


def test_a_bunia_wpa_counts_nothing_from_goma(make, reporter, reporter_other, wpa_other, senior_wpa):
    make("submitted", reporter=reporter)  # Goma
    assert _stats(wpa_other).total("incidents") == 0
    make("submitted", reporter=reporter_other)  # Bunia
    assert _stats(wpa_other).total("incidents") == 1
    assert _stats(senior_wpa).total("incidents") == 2


def test_a_wpa_counts_no_survivor_and_others_have_no_dashboard(wpa, reporter, provider, admin_user, auditor):
    assert not statistics_scope(wpa).survivor_measures
    for user in (reporter, provider, admin_user, auditor):
        with pytest.raises(PermissionDenied):
            statistics_scope(user)


def test_totals_equal_the_sum_of_their_breakdowns(make, reporter, reporter_other, analyst):
    make("submitted", reporter=reporter, tally_women=1, tally_boys=2)
    make("submitted", reporter=reporter_other, tally_girls=1)
    stats = _stats(analyst)
    total = stats.total("incidents")
    assert total == 2
    for dimension in ("month", "field_office", "admin1", "admin2"):
        assert sum(stats.by("incidents", dimension).values()) == total
    assert sum(stats.breakdown("victims").values()) == stats.total("victims") == 5  # the intake has a woman


def test_recompute_reports_and_repairs_a_rollup_changed_behind_the_triggers(make, reporter):
    make("submitted", reporter=reporter)
    rollups_flush()
    Rollup.objects.filter(measure="incidents").update(total=7)
    result = rollups_recompute()
    # The key against the full scan, and its month against the monthly rollup.
    assert result.differences == 2 and result.replaced
    assert rollups_recompute(replace=False).differences == 0
    RollupMonth.objects.filter(measure="victims").update(total=0)
    assert rollups_recompute().differences == 1
    assert rollups_recompute(replace=False).differences == 0


@pytest.mark.django_db(transaction=True)
def test_two_submissions_committing_at_once_lose_no_count(sake, reporter, wpa, analyst):
    drafts = [incident_in_state("draft", reporter=reporter, reviewer=wpa, location=sake) for _ in range(4)]
    barrier = threading.Barrier(len(drafts))
    errors: list[BaseException] = []

    def submit(incident: Incident) -> None:
        from incidents import services

        try:
            barrier.wait()
            with transaction.atomic():
                services.incident_submit(actor=reporter, incident=Incident.objects.get(pk=incident.pk))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert statistics_load(statistics_scope(analyst)).total("incidents") == 4
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM reports_dirty")
        assert cursor.fetchone()[0] == 0, "nothing left pending after commit"
    _scan_equal()


def test_justice_steps_count_by_stage_and_court(make, reporter, wpa, analyst):
    from incidents.services.accountability import accountability_step_record
    from tests.incidents.factories import office_today

    incident = make("under_review", reporter=reporter)
    today = office_today(reporter)
    accountability_step_record(actor=wpa, incident=incident, stage="complaint_filed", occurred_on=today)
    accountability_step_record(
        actor=wpa, incident=incident, stage="prosecution", court="military", occurred_on=today
    )
    assert _stats(analyst).breakdown("justice") == {"complaint_filed": 1, "prosecution:military": 1}
    _scan_equal()


def test_referrals_and_alerts_count_only_for_the_mission_level_roles(wpa, senior_wpa):
    assert statistics_scope(senior_wpa).survivor_measures
    assert statistics_scope(senior_wpa).is_mission_level
    assert not statistics_scope(wpa).is_mission_level


def test_a_cached_read_is_never_served_once_a_number_moved(
    make, reporter, wpa, senior_wpa, office, consent_text
):
    """The read is cached under the missions' rollup versions: a withdrawal moves the version,
    and a version a rolled-back transaction took never comes back (a sequence)."""
    incident = make("submitted", reporter=reporter)
    survivor = _register(wpa, office, incident)
    grant = _consent(wpa, survivor, consent_text)
    assert _stats(senior_wpa).total("incidents") == 1
    assert _stats(senior_wpa).total("incidents") == 1  # from the cache
    with pytest.raises(RuntimeError), transaction.atomic():
        make("submitted", reporter=reporter)
        assert _stats(senior_wpa).total("incidents") == 2  # cached under a version rolled back
        raise RuntimeError
    assert _stats(senior_wpa).total("incidents") == 1
    make("submitted", reporter=reporter)
    assert _stats(senior_wpa).total("incidents") == 2
    consent_withdraw(actor=wpa, consent=grant)
    assert _stats(senior_wpa).total("incidents") == 1, "the withdrawal counts at once"

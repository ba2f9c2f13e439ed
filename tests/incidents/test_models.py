"""The named database constraints hold even when the services are bypassed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from crsv.accounts.models import User
from incidents.models import (
    Incident,
    IncidentEvent,
    Location,
    PartyToConflict,
    Perpetrator,
    Violation,
)
from tests.incidents.factories import LocationFactory, office_today

pytestmark = pytest.mark.django_db


def _refused(model: type[Any], pk: int, changes: dict[str, Any]) -> str:
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        model.objects.filter(pk=pk).update(**changes)
    return str(excinfo.value)


def _days_ago(user: User, days: int) -> date:
    return office_today(user) - timedelta(days=days)


# (state, changes as a function of the reporter, the constraint that refuses them)
INCIDENT_CASES: list[tuple[str, Callable[[User], dict[str, Any]], str]] = [
    ("draft", lambda u: {"tally_girls": -1}, "incident_tallies_non_negative"),
    ("submitted", lambda u: {"tally_women": 0}, "incident_submitted_has_victims"),
    (
        "submitted",
        lambda u: {"incident_date_start": _days_ago(u, 1), "incident_date_end": _days_ago(u, 3)},
        "incident_dates_complete_and_ordered",
    ),
    ("draft", lambda u: {"incident_date_end": None}, "incident_dates_complete_and_ordered"),
    ("draft", lambda u: {"date_precision": ""}, "incident_dates_complete_and_ordered"),
    ("submitted", lambda u: {"incident_date_start": _days_ago(u, 5)}, "incident_day_precision_one_day"),
    (
        "submitted",
        lambda u: {
            "date_precision": "month",
            "incident_date_start": _days_ago(u, 70).replace(day=2),
            "incident_date_end": _days_ago(u, 70).replace(day=2),
        },
        "incident_month_precision_within_month",
    ),
    (
        "submitted",
        lambda u: {
            "date_precision": "month",
            "incident_date_start": _days_ago(u, 100).replace(day=1),
            "incident_date_end": _days_ago(u, 60).replace(day=1),
        },
        "incident_month_precision_within_month",
    ),
    (
        "submitted",
        lambda u: {"incident_date_start": _days_ago(u, -1), "incident_date_end": _days_ago(u, -1)},
        "incident_not_after_report",
    ),
    ("submitted", lambda u: {"source_channel": ""}, "incident_submitted_is_complete"),
    ("submitted", lambda u: {"location": None}, "incident_submitted_is_complete"),
    ("submitted", lambda u: {"reporting_delay_band": ""}, "incident_submitted_is_complete"),
    ("submitted", lambda u: {"reference": None}, "incident_reference_iff_submitted"),
    ("submitted", lambda u: {"status": "draft"}, "incident_reference_iff_submitted"),
    ("draft", lambda u: {"reference": "MONUSCO-GOM-2026-99999"}, "incident_reference_iff_submitted"),
    ("closed", lambda u: {"verified_by": None}, "incident_verification_recorded_iff_outcome"),
    ("closed", lambda u: {"verification_method": ""}, "incident_verification_recorded_iff_outcome"),
    (
        "under_review",
        lambda u: {"verified_on": _days_ago(u, 0)},
        "incident_verification_recorded_iff_outcome",
    ),
    ("closed", lambda u: {"closed_at": None}, "incident_closed_iff_verification_outcome"),
    ("under_review", lambda u: {"status": "closed"}, "incident_closed_iff_verification_outcome"),
    # The point is ciphertext (its range is checked by the services): both columns or neither.
    ("draft", lambda u: {"longitude_ct": b"\x01ciphertext"}, "incident_point_complete"),
    ("draft", lambda u: {"latitude_ct": b"\x01ciphertext"}, "incident_point_complete"),
]


@pytest.mark.parametrize(
    ("state", "changes", "constraint"),
    INCIDENT_CASES,
    ids=[f"{state}-{name}-{i}" for i, (state, _, name) in enumerate(INCIDENT_CASES)],
)
def test_incident_constraint_refuses(
    make_incident: Callable[..., Incident],
    reporter: User,
    state: str,
    changes: Callable[[User], dict[str, Any]],
    constraint: str,
) -> None:
    incident = make_incident(state, reporter=reporter)
    assert constraint in _refused(Incident, incident.pk, changes(reporter))


def test_a_valid_change_is_accepted(make_incident: Callable[..., Incident], reporter: User) -> None:
    """The cases above fail for their constraint, not because every update fails."""
    incident = make_incident("submitted", reporter=reporter)
    Incident.objects.filter(pk=incident.pk).update(tally_girls=3, latitude_ct=None, longitude_ct=None)
    incident.refresh_from_db()
    assert (incident.tally_girls, incident.tally_total) == (3, 4)


def test_references_are_unique(make_incident: Callable[..., Incident], reporter: User) -> None:
    first = make_incident("submitted", reporter=reporter)
    second = make_incident("submitted", reporter=reporter)
    assert "reference" in _refused(Incident, second.pk, {"reference": first.reference})


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        ({"admin_level": 5}, "location_admin_level_1_to_4"),
        ({"parent": None}, "location_parent_iff_below_level_1"),
        ({"latitude": None}, "location_point_complete_and_in_range"),
        ({"longitude": Decimal("181")}, "location_point_complete_and_in_range"),
    ],
)
def test_location_constraint_refuses(sake: Location, changes: dict[str, Any], constraint: str) -> None:
    assert constraint in _refused(Location, sake.pk, changes)


def test_a_province_has_no_parent(nord_kivu: Location, masisi: Location) -> None:
    assert "location_parent_iff_below_level_1" in _refused(Location, nord_kivu.pk, {"parent": masisi})


def test_pcodes_are_unique(masisi: Location) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        LocationFactory._meta.model.objects.create(pcode="CD6106", name="Other", admin_level=1)


def test_location_ancestor_at_level(nord_kivu: Location, masisi: Location, sake: Location) -> None:
    assert sake.ancestor_at_level(2) == masisi
    assert sake.ancestor_at_level(1) == nord_kivu
    assert masisi.ancestor_at_level(2) == masisi  # not finer: itself
    assert nord_kivu.ancestor_at_level(3) == nord_kivu


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        ({"count": 0}, "perpetrator_count_positive"),
        ({"category": "civilians"}, "perpetrator_party_only_for_armed_actors"),
        ({"category": "un_personnel"}, "perpetrator_party_only_for_armed_actors"),
    ],
)
def test_perpetrator_constraint_refuses(
    make_incident: Callable[..., Incident],
    reporter: User,
    m23: PartyToConflict,
    changes: dict[str, Any],
    constraint: str,
) -> None:
    incident = make_incident("draft", reporter=reporter)
    perpetrator = Perpetrator.objects.create(
        incident=incident, category="non_state_armed_group", party=m23, count=3
    )
    assert constraint in _refused(Perpetrator, perpetrator.pk, changes)


def test_a_violation_form_is_recorded_once(make_incident: Callable[..., Incident], reporter: User) -> None:
    incident = make_incident("draft", reporter=reporter)  # has "rape"
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        Violation.objects.create(incident=incident, form="rape")
    assert "violation_form_once_per_incident" in str(excinfo.value)


def test_party_names_are_unique(m23: PartyToConflict) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        PartyToConflict.objects.create(name="M23/AFC")


def test_incident_history_is_append_only(make_incident: Callable[..., Incident], reporter: User) -> None:
    incident = make_incident("submitted", reporter=reporter)
    event = IncidentEvent.objects.filter(incident=incident).first()
    assert event is not None
    with pytest.raises(DatabaseError) as excinfo, transaction.atomic():
        IncidentEvent.objects.filter(pk=event.pk).update(action="verify")
    assert "append-only" in str(excinfo.value)
    with pytest.raises(DatabaseError), transaction.atomic():
        IncidentEvent.objects.filter(pk=event.pk).delete()
    assert IncidentEvent.objects.filter(incident=incident).count() == 2  # create, submit


def test_str(make_incident: Callable[..., Incident], reporter: User) -> None:
    draft = make_incident("draft", reporter=reporter)
    submitted = make_incident("submitted", reporter=reporter)
    assert str(draft) == "Draft incident"
    assert str(submitted) == submitted.reference

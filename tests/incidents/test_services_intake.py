"""incident_create / incident_update / incident_submit: validation, derived values, audit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from crsv.accounts.models import FieldOffice, User
from crsv.audit.models import AuditEvent
from incidents import clock, services
from incidents.exceptions import PermissionDenied
from incidents.models import Incident, IncidentEvent, Location, PartyToConflict
from incidents.services import PerpetratorData, ViolationData
from tests.incidents.factories import UN_PERPETRATOR, incident_draft, office_today

pytestmark = pytest.mark.django_db


def _audit_actions(incident: Incident) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_public_id=incident.public_id)
        .order_by("id")
        .values_list("action", flat=True)
    )


def _errors(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


DATE_FIELDS = {"reported_on", "incident_date_start", "incident_date_end"}


# --- create ----------------------------------------------------------------------------------


def test_create_makes_a_draft_with_derived_values(
    reporter: User, sake: Location, office: FieldOffice
) -> None:
    today = office_today(reporter)
    incident = incident_draft(
        reporter,
        location=sake,
        violations=("rape", "sexual_slavery"),
        incident_date_start=today - timedelta(days=9),
        gbvims_penetration=False,
        gbvims_physical_assault=True,
        gbvims_psychological_abuse=True,
    )
    incident.refresh_from_db()
    assert incident.status == "draft"
    assert incident.reference is None
    assert (incident.field_office, incident.mission_id) == (office, office.mission_id)
    assert incident.reported_by == reporter
    assert incident.incident_date_end == today - timedelta(days=9)  # day precision: one day
    assert incident.reporting_delay_band == "6_14"
    assert incident.gbvims_core_type == "physical_assault"
    assert incident.is_sea is False
    assert sorted(incident.violations.values_list("form", flat=True)) == ["rape", "sexual_slavery"]
    assert incident.perpetrators.get().category == "unidentified_armed_men"
    assert _audit_actions(incident) == ["incident.create"]
    event = IncidentEvent.objects.get(incident=incident)
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "create",
        "",
        "draft",
        reporter,
    )


def test_a_draft_may_be_incomplete(reporter: User) -> None:
    incident = services.incident_create(actor=reporter)
    assert incident.status == "draft"
    assert incident.reported_on == office_today(reporter)  # defaults to the office's today
    assert (incident.location, incident.incident_date_start, incident.reporting_delay_band) == (
        None,
        None,
        "",
    )
    assert incident.gbvims_core_type == "non_gbv"


def test_a_draft_must_still_be_valid(reporter: User) -> None:
    today = office_today(reporter)
    with pytest.raises(ValidationError) as excinfo:
        services.incident_create(
            actor=reporter,
            date_precision="day",
            incident_date_start=today + timedelta(days=1),
            tally_boys=-1,
            latitude=Decimal("1.2"),
        )
    errors = _errors(excinfo)
    assert errors["incident_date_start"] == ["The incident date cannot be in the future."]
    assert "tally_boys" in errors
    assert errors["longitude"] == ["Give both the latitude and the longitude, or neither."]
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"reported_on": +1}, "reported_on", "The date of report cannot be in the future."),
        ({"incident_date_start": +1}, "incident_date_start", "The incident date cannot be in the future."),
        (
            {"reported_on": -5, "incident_date_start": -2},
            "incident_date_start",
            "The incident cannot have happened after the date of report.",
        ),
        (
            {"date_precision": "range", "incident_date_start": -3, "incident_date_end": -6},
            "incident_date_end",
            "The end of the date range cannot be before its start.",
        ),
        (
            {"date_precision": "range", "incident_date_start": -3, "incident_date_end": +2},
            "incident_date_end",
            "The end of the date range cannot be in the future.",
        ),
        (
            {
                "reported_on": -2,
                "date_precision": "range",
                "incident_date_start": -5,
                "incident_date_end": -1,
            },
            "incident_date_end",
            "The end of the date range cannot be after the date of report.",
        ),
        (
            {"date_precision": "range", "incident_date_start": -3},
            "incident_date_end",
            "Give the last day of the date range.",
        ),
        ({"date_precision": ""}, "date_precision", "Say how precise the incident date is."),
        ({"incident_date_start": None}, "incident_date_start", "Give the date of the incident."),
        ({"source_channel": "carrier pigeon"}, "source_channel", None),
        ({"tally_women": -1}, "tally_women", None),
        ({"longitude": Decimal("29.1")}, "latitude", "Give both the latitude and the longitude, or neither."),
        ({"latitude": Decimal("91"), "longitude": Decimal("29")}, "latitude", None),
    ],
)
def test_create_refuses_bad_values_with_field_messages(
    reporter: User, sake: Location, overrides: dict[str, Any], field: str, message: str | None
) -> None:
    # Dates are given in days from today.
    today = office_today(reporter)
    resolved = {
        key: today + timedelta(days=value) if key in DATE_FIELDS and isinstance(value, int) else value
        for key, value in overrides.items()
    }
    with pytest.raises(ValidationError) as excinfo:
        incident_draft(reporter, location=sake, **resolved)
    errors = _errors(excinfo)
    assert field in errors, errors
    if message is not None:
        assert message in errors[field]
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("violations", "perpetrators", "key", "message"),
    [
        (
            [ViolationData("rape"), ViolationData("rape")],
            [],
            "violations",
            "Violation 2: Rape is already listed.",
        ),
        ([ViolationData("pillage")], [], "violations", "Violation 1: choose a form of violation."),
        ([], [PerpetratorData(category="soldiers")], "perpetrators", "Perpetrator 1: choose a category."),
        (
            [],
            [PerpetratorData(category="unknown"), PerpetratorData(category="unknown", count=0)],
            "perpetrators",
            "Perpetrator 2: the number must be at least 1, or left empty if unknown.",
        ),
        (
            [],
            [PerpetratorData(category="civilians", party="PARTY")],  # type: ignore[arg-type]
            "perpetrators",
            "Perpetrator 1: a party to the conflict can be named only for armed forces, police, "
            "security forces, militias or armed groups.",
        ),
        (
            [],
            [PerpetratorData(category="unknown", sex="both")],
            "perpetrators",
            "Perpetrator 1: sex is not a known choice.",
        ),
    ],
)
def test_create_refuses_bad_child_rows(
    reporter: User,
    m23: PartyToConflict,
    violations: list[ViolationData],
    perpetrators: list[PerpetratorData],
    key: str,
    message: str,
) -> None:
    rows = [
        PerpetratorData(category=p.category, party=m23) if p.party == "PARTY" else p for p in perpetrators
    ]
    with pytest.raises(ValidationError) as excinfo:
        services.incident_create(actor=reporter, violations=violations, perpetrators=rows)
    assert _errors(excinfo)[key] == [message]


def test_create_names_the_party_of_an_armed_group(
    reporter: User, sake: Location, m23: PartyToConflict
) -> None:
    incident = incident_draft(
        reporter,
        location=sake,
        perpetrators=[
            PerpetratorData(
                category="non_state_armed_group", party=m23, count=4, unit="A unit", commander="X"
            )
        ],
    )
    perpetrator = incident.perpetrators.get()
    assert (perpetrator.party, perpetrator.count, perpetrator.unit) == (m23, 4, "A unit")


def test_create_in_an_office_that_is_not_yours(reporter: User, other_office: FieldOffice) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.incident_create(actor=reporter, field_office=other_office)
    assert _errors(excinfo) == {"field_office": ["Choose one of your field offices."]}


@pytest.mark.parametrize("persona", ["analyst", "provider", "admin_user", "auditor", "no_role"])
def test_create_is_refused_to_roles_that_do_not_log(persona: str, request: pytest.FixtureRequest) -> None:
    with pytest.raises(PermissionDenied):
        services.incident_create(actor=request.getfixturevalue(persona))
    assert not Incident.objects.exists()


@pytest.mark.parametrize("persona", ["reporter", "wpa", "senior_wpa"])
def test_create_is_open_to_roles_that_log(persona: str, request: pytest.FixtureRequest) -> None:
    actor = request.getfixturevalue(persona)
    assert services.incident_create(actor=actor).reported_by == actor


def test_derived_and_workflow_fields_are_never_accepted(reporter: User) -> None:
    for field in ("reporting_delay_band", "gbvims_core_type", "is_sea", "status", "reference"):
        with pytest.raises(TypeError, match=field):
            services.incident_create(actor=reporter, **{field: "x"})  # type: ignore[misc]


def test_an_un_perpetrator_flags_sea(reporter: User, sake: Location) -> None:
    incident = incident_draft(reporter, location=sake, perpetrators=UN_PERPETRATOR)
    assert incident.is_sea is True


def test_month_precision_is_stored_as_the_whole_month(reporter: User, sake: Location) -> None:
    with clock.clock_frozen_at(datetime(2026, 3, 12, 10, tzinfo=UTC)):
        incident = incident_draft(
            reporter,
            location=sake,
            reported_on=date(2026, 3, 12),
            date_precision="month",
            incident_date_start=date(2026, 1, 20),
        )
        same_month = incident_draft(
            reporter,
            location=sake,
            reported_on=date(2026, 3, 12),
            date_precision="month",
            incident_date_start=date(2026, 3, 5),
        )
    assert (incident.incident_date_start, incident.incident_date_end) == (date(2026, 1, 1), date(2026, 1, 31))
    assert incident.reporting_delay_band == "over_30"  # 40 days from 31 January
    assert (same_month.incident_date_start, same_month.incident_date_end) == (
        date(2026, 3, 1),
        date(2026, 3, 12),
    )
    assert same_month.reporting_delay_band == "0_3"

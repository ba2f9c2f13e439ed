"""The intake services, part two: update and submit (create: test_services_intake.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from crsv.accounts.models import User
from crsv.audit.models import AuditEvent
from incidents import clock, services
from incidents.exceptions import PermissionDenied, TransitionNotAllowed
from incidents.models import Incident, Location
from incidents.services import ViolationData
from tests.incidents.factories import UN_PERPETRATOR, complete_fields, incident_draft

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


# --- update ----------------------------------------------------------------------------------


def test_update_changes_only_what_is_given(reporter: User, sake: Location) -> None:
    incident = incident_draft(reporter, location=sake, tally_girls=2)
    updated = services.incident_update(actor=reporter, incident=incident, tally_women=3)
    updated.refresh_from_db()
    assert (updated.tally_women, updated.tally_girls) == (3, 2)
    assert list(updated.violations.values_list("form", flat=True)) == ["rape"]
    assert _audit_actions(updated) == ["incident.create", "incident.update"]


def test_update_replaces_child_rows_and_rederives(reporter: User, sake: Location) -> None:
    incident = incident_draft(reporter, location=sake)
    updated = services.incident_update(
        actor=reporter,
        incident=incident,
        violations=[ViolationData("forced_marriage")],
        perpetrators=UN_PERPETRATOR,
        gbvims_penetration=False,
        gbvims_forced_marriage=True,
    )
    assert list(updated.violations.values_list("form", flat=True)) == ["forced_marriage"]
    assert list(updated.perpetrators.values_list("category", flat=True)) == ["un_personnel"]
    assert (updated.is_sea, updated.gbvims_core_type) == (True, "forced_marriage")


def test_update_refused_to_others_than_the_reporter(
    make_incident: Callable[..., Incident], reporter: User, wpa: User, colleague: User
) -> None:
    returned = make_incident("returned", reporter=reporter)
    for actor in (wpa, colleague):  # both see it, neither owns it
        with pytest.raises(PermissionDenied):
            services.incident_update(actor=actor, incident=returned, tally_women=2)
    draft = make_incident("draft", reporter=reporter)
    with pytest.raises(Http404):  # a draft is not even visible to them
        services.incident_update(actor=colleague, incident=draft, tally_women=2)


@pytest.mark.parametrize("state", ["submitted", "under_review", "closed"])
def test_update_refused_once_out_of_the_reporters_hands(
    make_incident: Callable[..., Incident], reporter: User, state: str
) -> None:
    incident = make_incident(state, reporter=reporter)
    with pytest.raises(TransitionNotAllowed) as excinfo:
        services.incident_update(actor=reporter, incident=incident, tally_women=2)
    assert (excinfo.value.action, excinfo.value.status) == ("update", state)


def test_a_returned_incident_must_stay_complete(
    make_incident: Callable[..., Incident], reporter: User
) -> None:
    incident = make_incident("returned", reporter=reporter)
    with pytest.raises(ValidationError) as excinfo:
        services.incident_update(actor=reporter, incident=incident, narrative="  ", violations=[])
    assert set(_errors(excinfo)) == {"narrative", "violations"}
    fixed = services.incident_update(actor=reporter, incident=incident, narrative="Clarified timeline.")
    assert fixed.status == "returned"


# --- submit ----------------------------------------------------------------------------------


def test_submit_gives_the_reference_and_audits(reporter: User, sake: Location) -> None:
    incident = incident_draft(reporter, location=sake)
    submitted = services.incident_submit(actor=reporter, incident=incident)
    year = clock.office_today(submitted.field_office).year
    assert submitted.reference == f"MONUSCO-GOM-{year}-00001"
    assert submitted.status == "submitted"
    assert submitted.submitted_at is not None
    assert _audit_actions(submitted) == ["incident.create", "incident.submit"]
    second = services.incident_submit(actor=reporter, incident=incident_draft(reporter, location=sake))
    assert second.reference == f"MONUSCO-GOM-{year}-00002"


def test_references_count_per_office(reporter: User, reporter_other: User, sake: Location) -> None:
    goma = services.incident_submit(actor=reporter, incident=incident_draft(reporter, location=sake))
    bunia = services.incident_submit(
        actor=reporter_other, incident=incident_draft(reporter_other, location=sake)
    )
    assert re.fullmatch(r"MONUSCO-GOM-\d{4}-00001", goma.reference or "")
    assert re.fullmatch(r"MONUSCO-BUN-\d{4}-00001", bunia.reference or "")


def test_the_reference_year_is_the_offices(reporter: User, sake: Location) -> None:
    """22:30 UTC on 31 December is already the new year in Goma (UTC+2)."""
    with clock.clock_frozen_at(datetime(2025, 12, 31, 22, 30, tzinfo=UTC)):
        incident = incident_draft(reporter, location=sake)
        submitted = services.incident_submit(actor=reporter, incident=incident)
    assert submitted.reference == "MONUSCO-GOM-2026-00001"
    assert submitted.reported_on == date(2026, 1, 1)


def test_submit_refuses_an_incomplete_draft(reporter: User) -> None:
    draft = services.incident_create(actor=reporter)
    with pytest.raises(ValidationError) as excinfo:
        services.incident_submit(actor=reporter, incident=draft)
    assert _errors(excinfo) == {
        "source_channel": ["Say how the incident became known."],
        "date_precision": ["Give the date of the incident and its precision."],
        "location": ["Give the location of the incident."],
        "tallies": ["Count at least one survivor (woman, girl, man, boy or sex unknown)."],
        "violations": ["Record at least one violation."],
        "narrative": ["Describe what happened."],
    }
    draft.refresh_from_db()
    assert (draft.status, draft.reference) == ("draft", None)


def test_resubmission_keeps_the_reference(make_incident: Callable[..., Incident], reporter: User) -> None:
    returned = make_incident("returned", reporter=reporter)
    reference, submitted_at = returned.reference, returned.submitted_at
    resubmitted = services.incident_submit(actor=reporter, incident=returned)
    assert (resubmitted.status, resubmitted.reference) == ("submitted", reference)
    assert resubmitted.submitted_at == submitted_at


def test_submit_refused_to_others(make_incident: Callable[..., Incident], reporter: User, wpa: User) -> None:
    draft = make_incident("draft", reporter=reporter)
    with pytest.raises(Http404):
        services.incident_submit(actor=wpa, incident=draft)
    returned = make_incident("returned", reporter=reporter)
    with pytest.raises(PermissionDenied):
        services.incident_submit(actor=wpa, incident=returned)


def test_the_service_acts_on_the_current_row_not_a_stale_instance(
    make_incident: Callable[..., Incident], reporter: User
) -> None:
    incident = make_incident("draft", reporter=reporter)
    stale = Incident.objects.get(pk=incident.pk)
    services.incident_submit(actor=reporter, incident=incident)
    with pytest.raises(TransitionNotAllowed):
        services.incident_submit(actor=reporter, incident=stale)  # stale says "draft"


def test_complete_fields_helper_is_complete(reporter: User, sake: Location) -> None:
    """Guards the other tests: the helper's data passes submission as it is."""
    assert set(complete_fields(reporter=reporter, location=sake)) <= set(
        services.IncidentFields.__annotations__
    )

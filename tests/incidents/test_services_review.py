"""The workflow: who may do what from which status, and what each action records.

The matrix runs every action, from every status, as every persona, and expects one of:
done (status moved, IncidentEvent and AuditEvent written), 404 (out of scope), 403
(PermissionDenied) or 409 (TransitionNotAllowed). Its expectations are written from the
issue's rules here, independently of incidents/workflow.py and permissions.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from crsv.accounts.models import User
from crsv.audit.models import AuditEvent
from incidents import clock, services
from incidents.exceptions import PermissionDenied, TransitionNotAllowed
from incidents.models import Incident, IncidentEvent
from tests.incidents.factories import UN_PERPETRATOR, office_today

pytestmark = pytest.mark.django_db

STATES = ["draft", "submitted", "under_review", "returned", "closed"]
PERSONAS = ["reporter", "colleague", "wpa", "wpa_other", "senior_wpa", "analyst", "provider", "outsider"]

# From issue 3 item 7: the statuses each action starts from, and where it leads.
SOURCES = {
    "submit": {"draft", "returned"},
    "assign": {"submitted", "under_review"},
    "return": {"submitted", "under_review"},
    "verify": {"submitted", "under_review"},
    "reopen": {"closed"},
}
TARGET = {
    "submit": "submitted",
    "assign": "under_review",
    "return": "returned",
    "verify": "closed",
    "reopen": "under_review",
}
# Who may, among those who see the incident (DESIGN §3).
ALLOWED = {
    "submit": {"reporter"},
    "assign": {"wpa", "senior_wpa"},
    "return": {"wpa", "senior_wpa"},
    "verify": {"wpa", "senior_wpa"},
    "reopen": {"senior_wpa"},
}
# Who sees a Goma incident of `reporter` (drafts: the reporter only).
SEES_SUBMITTED = {"reporter", "colleague", "wpa", "senior_wpa", "analyst"}


def _expected(action: str, state: str, persona: str) -> str:
    sees = persona == "reporter" if state == "draft" else persona in SEES_SUBMITTED
    if not sees:
        return "404"
    if persona not in ALLOWED[action]:
        return "403"
    return "done" if state in SOURCES[action] else "409"


def _act(action: str, actor: User, incident: Incident, wpa: User) -> Incident:
    if action == "submit":
        return services.incident_submit(actor=actor, incident=incident)
    if action == "assign":
        return services.incident_assign(actor=actor, incident=incident, assignee=wpa)
    if action == "return":
        return services.incident_return(actor=actor, incident=incident, reason="Dates unclear.")
    if action == "verify":
        return services.incident_verify(
            actor=actor,
            incident=incident,
            outcome="verified",
            method="witness_interview",
            verified_on=office_today(wpa),
        )
    return services.incident_reopen(actor=actor, incident=incident, reason="New witness.")


CASES = [
    (action, state, persona, _expected(action, state, persona))
    for action in SOURCES
    for state in STATES
    for persona in PERSONAS
]


@pytest.mark.parametrize(("action", "state", "persona", "expected"), CASES)
def test_transition_matrix(
    make_incident: Callable[..., Incident],
    request: pytest.FixtureRequest,
    reporter: User,
    wpa: User,
    senior_wpa: User,
    action: str,
    state: str,
    persona: str,
    expected: str,
) -> None:
    incident = make_incident(state, reporter=reporter)
    actor = request.getfixturevalue(persona)
    audit_before = AuditEvent.objects.count()
    events_before = IncidentEvent.objects.filter(incident=incident).count()
    errors: dict[str, type[Exception]] = {
        "404": Http404,
        "403": PermissionDenied,
        "409": TransitionNotAllowed,
    }
    if expected == "done":
        result = _act(action, actor, incident, wpa)
        assert result.status == TARGET[action]
        assert Incident.objects.get(pk=incident.pk).status == TARGET[action]
        event = IncidentEvent.objects.filter(incident=incident).latest("id")
        assert (event.action, event.from_status, event.to_status, event.actor) == (
            action,
            state,
            TARGET[action],
            actor,
        )
        audit = AuditEvent.objects.latest("id")
        assert (audit.action, audit.actor, audit.object_public_id) == (
            f"incident.{action}",
            actor,
            incident.public_id,
        )
    else:
        with pytest.raises(errors[expected]):
            _act(action, actor, incident, wpa)
        assert Incident.objects.get(pk=incident.pk).status == state
        assert AuditEvent.objects.count() == audit_before
        assert IncidentEvent.objects.filter(incident=incident).count() == events_before


def test_matrix_covers_every_outcome() -> None:
    """The matrix is not vacuous: each outcome occurs, and the allowed moves are all there."""
    outcomes = [case[3] for case in CASES]
    assert {o: outcomes.count(o) for o in ("done", "404", "403", "409")} == {
        "done": 15,
        "404": 95,
        "403": 72,
        "409": 18,
    }


# --- assign ----------------------------------------------------------------------------------


def test_assign_moves_verification_to_pending(
    make_incident: Callable[..., Incident], reporter: User, wpa: User
) -> None:
    incident = make_incident("submitted", reporter=reporter)
    assert incident.verification_status == "reported"
    assigned = services.incident_assign(actor=wpa, incident=incident, assignee=wpa)
    assert (assigned.assigned_wpa, assigned.verification_status) == (wpa, "pending")
    assert IncidentEvent.objects.filter(incident=incident).latest("id").assignee == wpa


def test_reassign_changes_the_assignee(
    make_incident: Callable[..., Incident], reporter: User, wpa: User, senior_wpa: User
) -> None:
    incident = make_incident("under_review", reporter=reporter)
    reassigned = services.incident_assign(actor=senior_wpa, incident=incident, assignee=senior_wpa)
    assert (reassigned.status, reassigned.assigned_wpa) == ("under_review", senior_wpa)


@pytest.mark.parametrize("assignee", ["wpa_other", "analyst", "reporter", "provider", "outsider"])
def test_assignee_must_be_a_reviewer_of_the_incident(
    make_incident: Callable[..., Incident],
    request: pytest.FixtureRequest,
    reporter: User,
    wpa: User,
    assignee: str,
) -> None:
    incident = make_incident("submitted", reporter=reporter)
    with pytest.raises(ValidationError) as excinfo:
        services.incident_assign(actor=wpa, incident=incident, assignee=request.getfixturevalue(assignee))
    assert list(excinfo.value.message_dict) == ["assignee"]
    assert Incident.objects.get(pk=incident.pk).status == "submitted"


def test_an_inactive_wpa_cannot_be_assigned(
    make_incident: Callable[..., Incident], reporter: User, wpa: User, senior_wpa: User
) -> None:
    incident = make_incident("submitted", reporter=reporter)
    wpa.is_active = False
    wpa.save()
    with pytest.raises(ValidationError):
        services.incident_assign(actor=senior_wpa, incident=incident, assignee=wpa)


def test_sea_incidents_are_reviewed_by_senior_wpas_only(
    make_incident: Callable[..., Incident], reporter: User, wpa: User, senior_wpa: User
) -> None:
    incident = make_incident("submitted", reporter=reporter, perpetrators=UN_PERPETRATOR)
    assert incident.is_sea
    with pytest.raises(Http404):  # the office's WPA does not see it at all
        services.incident_assign(actor=wpa, incident=incident, assignee=wpa)
    with pytest.raises(ValidationError):  # nor can she be given it
        services.incident_assign(actor=senior_wpa, incident=incident, assignee=wpa)
    assigned = services.incident_assign(actor=senior_wpa, incident=incident, assignee=senior_wpa)
    assert assigned.assigned_wpa == senior_wpa


# --- return ----------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_return_needs_a_reason(
    make_incident: Callable[..., Incident], reporter: User, wpa: User, reason: str
) -> None:
    incident = make_incident("submitted", reporter=reporter)
    with pytest.raises(ValidationError) as excinfo:
        services.incident_return(actor=wpa, incident=incident, reason=reason)
    assert excinfo.value.message_dict == {"reason": ["Say why the incident is returned to its reporter."]}


def test_return_keeps_the_reason_in_the_history(
    make_incident: Callable[..., Incident], reporter: User, wpa: User
) -> None:
    incident = make_incident("under_review", reporter=reporter)
    services.incident_return(actor=wpa, incident=incident, reason="  The location is unclear.  ")
    event = IncidentEvent.objects.filter(incident=incident).latest("id")
    assert (event.action, event.reason, event.verification_status) == (
        "return",
        "The location is unclear.",
        "pending",
    )


# --- verify ----------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["verified", "could_not_be_verified", "did_not_occur"])
def test_verify_records_the_outcome_and_closes(
    make_incident: Callable[..., Incident], reporter: User, wpa: User, outcome: str
) -> None:
    incident = make_incident("under_review", reporter=reporter)
    today = office_today(wpa)
    closed = services.incident_verify(
        actor=wpa, incident=incident, outcome=outcome, method="site_visit", verified_on=today
    )
    closed.refresh_from_db()
    assert (closed.status, closed.verification_status, closed.verified_by) == ("closed", outcome, wpa)
    assert (closed.verification_method, closed.verified_on) == ("site_visit", today)
    assert closed.closed_at is not None


def test_verify_directly_from_submitted(
    make_incident: Callable[..., Incident], reporter: User, wpa: User
) -> None:
    incident = make_incident("submitted", reporter=reporter)
    closed = services.incident_verify(
        actor=wpa, incident=incident, outcome="verified", method="site_visit", verified_on=office_today(wpa)
    )
    assert (closed.status, closed.verification_status) == ("closed", "verified")


@pytest.mark.parametrize(
    ("outcome", "method", "days", "field", "message"),
    [
        ("pending", "site_visit", 0, "outcome", "Choose verified, could not be verified, or did not occur."),
        ("reported", "site_visit", 0, "outcome", "Choose verified, could not be verified, or did not occur."),
        ("verified", "rumour", 0, "method", "Choose how the incident was verified."),
        ("verified", "site_visit", 1, "verified_on", "The verification date cannot be in the future."),
        ("verified", "site_visit", -3, "verified_on", "The verification date cannot be before the incident."),
        ("verified", "site_visit", None, "verified_on", "Give the date of the verification."),
    ],
)
def test_verify_refuses_bad_input(
    make_incident: Callable[..., Incident],
    reporter: User,
    wpa: User,
    outcome: str,
    method: str,
    days: int | None,
    field: str,
    message: str,
) -> None:
    incident = make_incident("under_review", reporter=reporter)  # incident two days ago
    verified_on = None if days is None else office_today(wpa) + timedelta(days=days)
    with pytest.raises(ValidationError) as excinfo:
        services.incident_verify(
            actor=wpa, incident=incident, outcome=outcome, method=method, verified_on=verified_on
        )
    assert excinfo.value.message_dict == {field: [message]}
    assert Incident.objects.get(pk=incident.pk).status == "under_review"


@pytest.mark.parametrize(
    ("incident_day", "late"),
    [(date(2026, 5, 10), False), (date(2026, 4, 1), False), (date(2026, 3, 31), True)],
)
def test_verify_flags_late_verification(
    make_incident: Callable[..., Incident], reporter: User, wpa: User, incident_day: date, late: bool
) -> None:
    """Verified on 20 May (second quarter)."""
    with clock.clock_frozen_at(datetime(2026, 5, 20, 9, tzinfo=UTC)):
        incident = make_incident("under_review", reporter=reporter, incident_date_start=incident_day)
        closed = services.incident_verify(
            actor=wpa,
            incident=incident,
            outcome="verified",
            method="site_visit",
            verified_on=date(2026, 5, 20),
        )
    assert closed.is_late_verification is late
    assert Incident.objects.get(pk=incident.pk).is_late_verification is late


# --- reopen ----------------------------------------------------------------------------------


def test_reopen_clears_the_outcome_and_keeps_it_in_history(
    make_incident: Callable[..., Incident], reporter: User, senior_wpa: User
) -> None:
    incident = make_incident("closed", reporter=reporter)
    reopened = services.incident_reopen(actor=senior_wpa, incident=incident, reason="A second source.")
    reopened.refresh_from_db()
    assert (reopened.status, reopened.verification_status) == ("under_review", "pending")
    assert (reopened.verified_by, reopened.verified_on, reopened.verification_method) == (None, None, "")
    assert (reopened.closed_at, reopened.is_late_verification) == (None, False)
    actions = list(
        IncidentEvent.objects.filter(incident=incident).values_list("action", "verification_status")
    )
    assert actions[-2:] == [("verify", "verified"), ("reopen", "pending")]


def test_reopen_needs_a_reason(
    make_incident: Callable[..., Incident], reporter: User, senior_wpa: User
) -> None:
    incident = make_incident("closed", reporter=reporter)
    with pytest.raises(ValidationError) as excinfo:
        services.incident_reopen(actor=senior_wpa, incident=incident, reason="")
    assert list(excinfo.value.message_dict) == ["reason"]


def test_a_reopened_incident_can_be_verified_again(
    make_incident: Callable[..., Incident], reporter: User, wpa: User, senior_wpa: User
) -> None:
    incident = make_incident("reopened", reporter=reporter, senior=senior_wpa)
    closed = services.incident_verify(
        actor=wpa,
        incident=incident,
        outcome="could_not_be_verified",
        method="multiple_sources",
        verified_on=office_today(wpa),
    )
    assert closed.verification_status == "could_not_be_verified"


def test_request_address_is_audited(
    make_incident: Callable[..., Incident], reporter: User, wpa: User, rf: Any
) -> None:
    incident = make_incident("submitted", reporter=reporter)
    request = rf.post("/", REMOTE_ADDR="10.1.2.3")
    services.incident_assign(actor=wpa, incident=incident, assignee=wpa, request=request)
    assert AuditEvent.objects.latest("id").ip_address == "10.1.2.3"

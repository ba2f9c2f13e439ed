"""POST /api/v1/incidents/{id}/transitions/: the whole workflow through the API, and for each
action who gets 404, 403, 409 and 400, in that order."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from crsv.accounts.models import User
from crsv.audit.models import AuditEvent
from incidents.models import Incident, IncidentEvent, Location, PartyToConflict
from tests.incidents.factories import UN_PERPETRATOR, office_today
from tests.incidents.test_api_common import (
    CANARY_REASON,
    as_user,
    assert_matches_schema,
    assert_no_canary,
    canary_place,
    detail_url,
    history_url,
    planted,
    transitions_url,
)

pytestmark = pytest.mark.django_db


def act(api_client: Any, user: User, incident: Incident, **body: Any) -> Any:
    return as_user(api_client, user).post(transitions_url(incident), body, format="json")


def verify_body(user: User, **overrides: Any) -> dict[str, Any]:
    body = {
        "action": "verify",
        "outcome": "verified",
        "method": "survivor_interview",
        "verified_on": str(office_today(user)),
    }
    return body | overrides


def test_the_whole_workflow(
    api_client: Any,
    client: Client,
    make_incident: Callable[..., Incident],
    reporter: User,
    wpa: User,
    senior_wpa: User,
) -> None:
    incident = make_incident("draft", reporter=reporter)
    response = act(api_client, reporter, incident, action="submit")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "submitted"
    assert re.fullmatch(r"MONUSCO-GOM-\d{4}-00001", body["reference"])
    assert_matches_schema(client, "IncidentDetailOutput", body)

    body = act(api_client, wpa, incident, action="assign", assignee="wpa").json()
    assert (body["status"], body["verification_status"], body["assigned_wpa"]) == (
        "under_review",
        "pending",
        "wpa",
    )

    body = act(api_client, wpa, incident, action="return", reason="Check the dates.").json()
    assert body["status"] == "returned"
    body = act(api_client, reporter, incident, action="submit").json()
    assert body["status"] == "submitted"

    response = act(api_client, wpa, incident, **verify_body(wpa))
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["verification_status"], body["verified_by"]) == ("closed", "verified", "wpa")
    assert body["verification_method"] == "survivor_interview"

    body = act(api_client, senior_wpa, incident, action="reopen", reason="New information.").json()
    assert (body["status"], body["verification_status"], body["verified_by"]) == (
        "under_review",
        "pending",
        None,
    )

    actions = [e.action for e in IncidentEvent.objects.filter(incident=incident)]
    assert actions == ["create", "submit", "assign", "return", "submit", "verify", "reopen"]
    assert AuditEvent.objects.filter(action__startswith="incident.").count() == 7
    history = as_user(api_client, wpa).get(history_url(incident)).json()["results"]
    assert [e["action"] for e in history] == actions


@pytest.fixture
def submitted(make_incident: Callable[..., Incident], reporter: User) -> Incident:
    return make_incident("submitted", reporter=reporter)


ACTIONS = {
    "submit": {"action": "submit"},
    "assign": {"action": "assign", "assignee": "wpa"},
    "return": {"action": "return", "reason": "Why."},
    "verify": {"action": "verify", "outcome": "verified", "method": "site_visit", "verified_on": None},
    "reopen": {"action": "reopen", "reason": "Why."},
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("persona", ["outsider", "wpa_other", "provider", "admin_user", "auditor", "no_role"])
def test_out_of_scope_is_404_for_every_action(
    request: pytest.FixtureRequest, api_client: Any, submitted: Incident, action: str, persona: str
) -> None:
    response = act(api_client, request.getfixturevalue(persona), submitted, **ACTIONS[action])
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    ("persona", "action"),
    [
        ("analyst", "submit"),
        ("analyst", "assign"),
        ("analyst", "return"),
        ("analyst", "verify"),
        ("analyst", "reopen"),
        ("colleague", "submit"),
        ("colleague", "assign"),
        ("reporter", "assign"),
        ("reporter", "return"),
        ("reporter", "verify"),
        ("wpa", "submit"),
        ("wpa", "reopen"),
    ],
)
def test_in_scope_but_not_allowed_is_403(
    request: pytest.FixtureRequest, api_client: Any, submitted: Incident, persona: str, action: str
) -> None:
    user = request.getfixturevalue(persona)
    body = ACTIONS[action] | ({"verified_on": str(office_today(user))} if action == "verify" else {})
    response = act(api_client, user, submitted, **body)
    assert response.status_code == 403
    assert Incident.objects.get(pk=submitted.pk).status == "submitted"


def test_a_reporter_naming_a_bogus_assignee_still_gets_403(
    api_client: Any, submitted: Incident, reporter: User
) -> None:
    """Who may not assign learns nothing about which usernames exist."""
    response = act(api_client, reporter, submitted, action="assign", assignee="no-such-user")
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("state", "persona", "action"),
    [
        ("submitted", "reporter", "submit"),
        ("submitted", "senior_wpa", "reopen"),
        ("returned", "wpa", "verify"),
        ("returned", "wpa", "assign"),
        ("returned", "wpa", "return"),
        ("closed", "wpa", "verify"),
        ("closed", "wpa", "assign"),
        ("under_review", "senior_wpa", "reopen"),
    ],
)
def test_illegal_transitions_are_409_with_a_clear_message(
    request: pytest.FixtureRequest,
    api_client: Any,
    make_incident: Callable[..., Incident],
    reporter: User,
    state: str,
    persona: str,
    action: str,
) -> None:
    incident = make_incident(state, reporter=reporter)
    user = request.getfixturevalue(persona)
    body = ACTIONS[action] | ({"verified_on": str(office_today(user))} if action == "verify" else {})
    response = act(api_client, user, incident, **body)
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert detail.startswith("This action (") and "is not possible on an incident that is" in detail
    assert Incident.objects.get(pk=incident.pk).status == state


def test_a_bogus_assignee_on_a_closed_incident_is_409_not_400(
    api_client: Any, make_incident: Callable[..., Incident], reporter: User, wpa: User
) -> None:
    closed = make_incident("closed", reporter=reporter)
    assert act(api_client, wpa, closed, action="assign", assignee="nobody").status_code == 409


def test_a_field_the_action_does_not_use_is_refused(
    api_client: Any, make_incident: Callable[..., Incident], reporter: User
) -> None:
    draft = make_incident("draft", reporter=reporter)
    response = act(api_client, reporter, draft, action="submit", reason="x")
    assert response.status_code == 400
    assert response.json() == {"reason": ["Not used by the submit action."]}
    assert Incident.objects.get(pk=draft.pk).status == "draft"


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"action": ["This field is required."]}),
        ({"action": "approve"}, {"action": ["Not a valid choice."]}),
        ({"action": "assign"}, {"assignee": ["This field is required."]}),
        (
            {"action": "assign", "assignee": "reporter"},
            {
                "assignee": [
                    "Choose an active WPA of the incident's field office, or a senior WPA of the mission."
                ]
            },
        ),
        ({"action": "assign", "assignee": "nobody"}, None),
        ({"action": "return"}, {"reason": ["Say why the incident is returned to its reporter."]}),
        (
            {"action": "return", "reason": "   "},
            {"reason": ["Say why the incident is returned to its reporter."]},
        ),
        ({"action": "verify"}, None),
        ({"action": "verify", "outcome": "maybe", "method": "site_visit"}, None),
        (
            {"action": "return", "reason": "x", "assignee": "wpa"},
            {"assignee": ["Not used by the return action."]},
        ),
        (
            {"action": "assign", "assignee": "wpa", "outcome": "verified"},
            {"outcome": ["Not used by the assign action."]},
        ),
        ({"action": "return", "reason": "x", "status": "closed"}, None),
        ({"action": "verify", "verified_on": "yesterday"}, None),
    ],
)
def test_bad_input_is_400_with_field_errors(
    api_client: Any, submitted: Incident, wpa: User, body: dict[str, Any], errors: dict[str, Any] | None
) -> None:
    response = as_user(api_client, wpa).post(transitions_url(submitted), body, format="json")
    assert response.status_code == 400, response.json()
    if errors is not None:
        assert response.json() == errors
    assert Incident.objects.get(pk=submitted.pk).status == "submitted"


def test_verification_dates_are_checked(api_client: Any, submitted: Incident, wpa: User) -> None:
    today = office_today(wpa)
    for verified_on, message in [
        (today + timedelta(days=1), "The verification date cannot be in the future."),
        (today - timedelta(days=30), "The verification date cannot be before the incident."),
    ]:
        response = act(api_client, wpa, submitted, **verify_body(wpa, verified_on=str(verified_on)))
        assert response.status_code == 400
        assert response.json() == {"verified_on": [message]}
    response = act(api_client, wpa, submitted, action="verify")
    assert set(response.json()) == {"outcome", "method", "verified_on"}


def test_an_sea_incident_leaves_its_reporters_view_on_submission(
    api_client: Any, make_incident: Callable[..., Incident], reporter: User
) -> None:
    draft = make_incident("draft", reporter=reporter, perpetrators=UN_PERPETRATOR)
    response = act(api_client, reporter, draft, action="submit")
    assert response.status_code == 204
    assert response.content == b""
    assert Incident.objects.get(pk=draft.pk).status == "submitted"
    assert as_user(api_client, reporter).get(detail_url(draft)).status_code == 404


def test_an_incomplete_draft_cannot_be_submitted(api_client: Any, reporter: User) -> None:
    client = as_user(api_client, reporter)
    public_id = client.post("/api/v1/incidents/", {"tally_women": 1}, format="json").json()["public_id"]
    response = client.post(f"/api/v1/incidents/{public_id}/transitions/", {"action": "submit"}, format="json")
    assert response.status_code == 400
    assert {"source_channel", "location", "violations", "narrative"} <= set(response.json())


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_the_analyst_gets_nothing_restricted_from_transitions(
    api_client: Any,
    reporter: User,
    wpa: User,
    analyst: User,
    masisi: Location,
    m23: PartyToConflict,
    action: str,
) -> None:
    incident = planted(reporter=reporter, reviewer=wpa, place=canary_place(masisi), party=m23, state="closed")
    body = ACTIONS[action] | ({"verified_on": str(office_today(analyst))} if action == "verify" else {})
    response = act(api_client, analyst, incident, **body)
    assert response.status_code == 403
    assert_no_canary(response.content)


def test_a_reviewer_who_may_see_everything_gets_the_full_body(
    api_client: Any, reporter: User, wpa: User, masisi: Location, m23: PartyToConflict
) -> None:
    incident = planted(reporter=reporter, reviewer=wpa, place=canary_place(masisi), party=m23)
    body = act(api_client, wpa, incident, action="assign", assignee="wpa").json()
    assert body["narrative"].startswith("Canary narrative")
    assert body["perpetrators"][0]["unit"].startswith("Canary")
    assert CANARY_REASON not in str(body)  # reasons live in the history, not the detail

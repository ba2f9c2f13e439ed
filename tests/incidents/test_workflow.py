"""One state machine, one decision: the workflow table (incidents/workflow.py) is what the
services, the page, the API and the buttons read, and the page and the API answer every
posted move in the same order (out of scope 404, then 403, then 409, then the fields), because
both call `services.incident_transition`."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from crsv.accounts.models import User
from incidents import services, workflow
from incidents.api.serializers import TransitionInput
from incidents.exceptions import PermissionDenied
from incidents.models import Incident, IncidentEvent
from incidents.workflow import MOVES, TRANSITIONS, Action, Who
from tests.incidents.test_api_common import as_user, detail_url, transitions_url

pytestmark = pytest.mark.django_db

# What each outcome is on each door: the page shows bad input beside the field (200).
PAGE = {"404": 404, "403": 403, "409": 409, "invalid": 200}
API = {"404": 404, "403": 403, "409": 409, "invalid": 400}


# (persona, state, what is posted, expected on both doors). The API's answer was 400 in the
# rows marked "was 400": it read the body before asking whether the user may act.
CASES = [
    ("outsider", "submitted", {"action": "verify", "verified_on": "yesterday"}, "404"),
    ("analyst", "submitted", {"action": "verify", "verified_on": "yesterday"}, "403"),  # was 400
    ("reporter", "submitted", {"action": "return", "reason": ""}, "403"),
    ("wpa", "submitted", {"action": "reopen", "reason": "x" * 20_000}, "403"),  # was 400
    ("wpa", "closed", {"action": "verify", "outcome": "maybe", "verified_on": "yesterday"}, "409"),  # was 400
    ("wpa", "closed", {"action": "return", "reason": ""}, "409"),
    ("wpa", "returned", {"action": "assign", "assignee": ""}, "409"),  # was 400
    ("wpa", "submitted", {"action": "verify", "outcome": "verified", "verified_on": "yesterday"}, "invalid"),
    ("wpa", "submitted", {"action": "return", "reason": "   "}, "invalid"),
]


@pytest.mark.parametrize(("persona", "state", "posted", "expected"), CASES)
def test_the_page_and_the_api_answer_alike(
    request: pytest.FixtureRequest,
    login: Callable[[User], Client],
    api_client: Any,
    make_incident: Callable[..., Incident],
    reporter: User,
    persona: str,
    state: str,
    posted: dict[str, Any],
    expected: str,
) -> None:
    user = request.getfixturevalue(persona)
    incident = make_incident(state, reporter=reporter)
    page = login(user).post(reverse("incidents:transition", args=[incident.public_id]), posted)
    api = as_user(api_client, user).post(transitions_url(incident), posted, format="json")
    assert (page.status_code, api.status_code) == (PAGE[expected], API[expected])
    assert Incident.objects.get(pk=incident.pk).status == state


def test_the_services_move_to_the_target_the_table_names(
    monkeypatch: pytest.MonkeyPatch, make_incident: Callable[..., Incident], reporter: User, senior_wpa: User
) -> None:
    """A reopened incident queues again as submitted if the table says so: no service keeps
    its own idea of where an action leads."""
    reopen = dataclasses.replace(TRANSITIONS[Action.REOPEN], target=Incident.Status.SUBMITTED)
    monkeypatch.setitem(workflow.TRANSITIONS, Action.REOPEN, reopen)
    incident = make_incident("closed", reporter=reporter)
    result = services.incident_transition(
        actor=senior_wpa,
        incident=incident,
        action=Action.REOPEN,
        inputs=services.TransitionInputs(reason="New witness."),
    )
    assert result.status == Incident.Status.SUBMITTED
    event = IncidentEvent.objects.filter(incident=incident).latest("id")
    assert (event.action, event.from_status, event.to_status) == ("reopen", "closed", "submitted")


def test_who_may_act_is_the_tables_word_on_every_door(
    monkeypatch: pytest.MonkeyPatch,
    login: Callable[[User], Client],
    api_client: Any,
    make_incident: Callable[..., Incident],
    reporter: User,
    wpa: User,
) -> None:
    """Let any reviewer reopen: the button, the page and the API follow the one table."""
    reopen = dataclasses.replace(TRANSITIONS[Action.REOPEN], who=Who.REVIEWER)
    monkeypatch.setitem(workflow.TRANSITIONS, Action.REOPEN, reopen)
    first, second = make_incident("closed", reporter=reporter), make_incident("closed", reporter=reporter)
    assert as_user(api_client, wpa).get(detail_url(first)).json()["permissions"]["can_reopen"] is True
    page = login(wpa).post(
        reverse("incidents:transition", args=[first.public_id]), {"action": "reopen", "reason": "Why."}
    )
    assert page.status_code == 302
    api = as_user(api_client, wpa).post(
        transitions_url(second), {"action": "reopen", "reason": "Why."}, format="json"
    )
    assert api.status_code == 200 and api.json()["status"] == "under_review"
    assert Incident.objects.get(pk=first.pk).status == Incident.Status.UNDER_REVIEW


def test_every_move_has_a_target_and_the_api_takes_the_tables_inputs() -> None:
    assert set(MOVES) == set(TRANSITIONS) - {Action.UPDATE}
    assert all(TRANSITIONS[action].target is not None for action in MOVES)
    assert TRANSITIONS[Action.UPDATE].target is None
    assert set(TransitionInput().fields) == {"action"} | {f for a in MOVES for f in TRANSITIONS[a].inputs}


def test_an_unknown_action_is_refused_by_the_dispatcher(
    make_incident: Callable[..., Incident], reporter: User, wpa: User
) -> None:
    incident = make_incident("submitted", reporter=reporter)
    with pytest.raises(ValidationError) as error:
        services.incident_transition(actor=wpa, incident=incident, action=Action.UPDATE)
    assert error.value.message_dict == {"action": ["Unknown action."]}


def test_the_inputs_are_read_only_once_the_move_is_allowed(
    make_incident: Callable[..., Incident], reporter: User, analyst: User
) -> None:
    """The reader a door passes is not called for a user who may not act (so her input's
    errors, or a lookup it makes, never come first)."""
    incident = make_incident("submitted", reporter=reporter)
    calls: list[str] = []

    def read() -> services.TransitionInputs:
        calls.append("read")
        return services.TransitionInputs(reason="Why.")

    with pytest.raises(PermissionDenied):
        services.incident_transition(actor=analyst, incident=incident, action=Action.RETURN, inputs=read)
    assert calls == []

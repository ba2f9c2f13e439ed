"""The workflow actions posted from the detail page (/incidents/<id>/transition/).

Outcomes: success redirects with a message; bad input redisplays the page with the message
beside the field (200); an action the status does not allow redisplays it with the reason
(409); a role that may not act is 403; out of scope is 404."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from crsv.accounts.models import User
from incidents import selectors
from incidents.models import Incident
from tests.incidents.factories import office_today
from tests.incidents.pages import REASON, error_beside, selected, text

pytestmark = pytest.mark.django_db


def _url(incident: Incident) -> str:
    return reverse("incidents:transition", args=[incident.public_id])


def _status(incident: Incident) -> str:
    incident.refresh_from_db()
    return incident.status


def _verify(reporter: User, **values: Any) -> dict[str, Any]:
    data = {
        "action": "verify",
        "outcome": "verified",
        "method": "site_visit",
        "verified_on": office_today(reporter).isoformat(),
    }
    return data | values


def test_anonymous_is_sent_to_login(
    client: Client, make_incident: Callable[..., Incident], reporter: User
) -> None:
    incident = make_incident("submitted", reporter=reporter)
    response = client.post(_url(incident), {"action": "assign", "assignee": "wpa"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert _status(incident) == Incident.Status.SUBMITTED


def test_only_post(
    login: Callable[[User], Client], make_incident: Callable[..., Incident], reporter: User
) -> None:
    incident = make_incident("submitted", reporter=reporter)
    assert login(reporter).get(_url(incident)).status_code == 405


@pytest.mark.parametrize("persona", ["outsider", "wpa_other", "provider", "admin_user", "auditor"])
def test_out_of_scope_is_404(
    login: Callable[[User], Client],
    request: pytest.FixtureRequest,
    make_incident: Callable[..., Incident],
    reporter: User,
    persona: str,
) -> None:
    incident = make_incident("submitted", reporter=reporter)
    client = login(request.getfixturevalue(persona))
    for data in ({"action": "assign", "assignee": "wpa"}, _verify(reporter), {"action": "submit"}):
        assert client.post(_url(incident), data).status_code == 404
    assert _status(incident) == Incident.Status.SUBMITTED


@pytest.mark.parametrize(
    ("persona", "state", "data"),
    [
        ("analyst", "submitted", {"action": "assign", "assignee": "analyst"}),
        ("analyst", "submitted", {"action": "return", "reason": REASON}),
        ("reporter", "submitted", {"action": "verify"}),
        ("colleague", "returned", {"action": "submit"}),
        ("wpa", "closed", {"action": "reopen", "reason": REASON}),
        ("senior_wpa", "returned", {"action": "submit"}),
    ],
)
def test_in_scope_but_not_allowed_is_403(
    login: Callable[[User], Client],
    request: pytest.FixtureRequest,
    make_incident: Callable[..., Incident],
    reporter: User,
    persona: str,
    state: str,
    data: dict[str, str],
) -> None:
    incident = make_incident(state, reporter=reporter)
    assert login(request.getfixturevalue(persona)).post(_url(incident), data).status_code == 403
    assert _status(incident) == state


def test_the_whole_workflow_through_the_page(
    login: Callable[[User], Client],
    make_incident: Callable[..., Incident],
    reporter: User,
    wpa: User,
    senior_wpa: User,
) -> None:
    incident = make_incident("draft", reporter=reporter)
    detail = reverse("incidents:detail", args=[incident.public_id])

    response = login(reporter).post(_url(incident), {"action": "submit"}, follow=True)
    assert response.redirect_chain == [(detail, 302)]
    assert _status(incident) == Incident.Status.SUBMITTED
    assert "Incident submitted." in text(response)

    reviewer = login(wpa)
    response = reviewer.post(_url(incident), {"action": "return", "reason": REASON})
    assert response.status_code == 302 and _status(incident) == Incident.Status.RETURNED
    history = selectors.incident_history(user=wpa, incident=incident)
    assert [entry.reason for entry in history if entry.action == "return"] == [REASON]

    login(reporter).post(_url(incident), {"action": "submit"})
    reviewer = login(wpa)
    assert reviewer.post(_url(incident), {"action": "assign", "assignee": "wpa"}).status_code == 302
    incident.refresh_from_db()
    assert incident.status == Incident.Status.UNDER_REVIEW and incident.assigned_wpa == wpa
    assert reviewer.post(_url(incident), _verify(reporter)).status_code == 302
    incident.refresh_from_db()
    assert incident.status == Incident.Status.CLOSED
    assert (incident.verification_status, incident.verification_method) == ("verified", "site_visit")

    response = login(senior_wpa).post(_url(incident), {"action": "reopen", "reason": "New witness."})
    assert response.status_code == 302 and _status(incident) == Incident.Status.UNDER_REVIEW


def test_an_action_the_status_does_not_allow_is_409_with_the_reason(
    login: Callable[[User], Client], make_incident: Callable[..., Incident], reporter: User, wpa: User
) -> None:
    closed = make_incident("closed", reporter=reporter)
    response = login(wpa).post(_url(closed), _verify(reporter))
    assert response.status_code == 409
    assert "not possible on an incident that is closed" in text(response)
    submitted = make_incident("submitted", reporter=reporter)
    response = login(reporter).post(_url(submitted), {"action": "submit"})
    assert response.status_code == 409
    assert "not possible on an incident that is submitted" in text(response)
    assert _status(submitted) == Incident.Status.SUBMITTED


def test_a_missing_reason_is_shown_beside_the_field(
    login: Callable[[User], Client], make_incident: Callable[..., Incident], reporter: User, wpa: User
) -> None:
    incident = make_incident("submitted", reporter=reporter)
    response = login(wpa).post(_url(incident), {"action": "return", "reason": "   "})
    assert response.status_code == 200
    assert "This field is required." in error_beside(response, "id_return_reason")
    assert _status(incident) == Incident.Status.SUBMITTED


def test_a_bad_verification_is_shown_beside_its_fields_and_kept(
    login: Callable[[User], Client], make_incident: Callable[..., Incident], reporter: User, wpa: User
) -> None:
    incident = make_incident("under_review", reporter=reporter)
    future = (office_today(reporter) + timedelta(days=3)).isoformat()
    response = login(wpa).post(_url(incident), _verify(reporter, verified_on=future, outcome=""))
    assert response.status_code == 200
    assert "This field is required." in error_beside(response, "id_verify_outcome")
    assert selected(response, "method") == ["site_visit"]  # input kept
    response = login(wpa).post(_url(incident), _verify(reporter, verified_on=future))
    assert "cannot be in the future" in error_beside(response, "id_verify_verified_on")
    assert _status(incident) == Incident.Status.UNDER_REVIEW


def test_assigning_someone_who_may_not_review_is_refused_beside_the_field(
    login: Callable[[User], Client],
    make_incident: Callable[..., Incident],
    reporter: User,
    wpa: User,
    wpa_other: User,
) -> None:
    incident = make_incident("submitted", reporter=reporter)
    response = login(wpa).post(_url(incident), {"action": "assign", "assignee": wpa_other.username})
    assert response.status_code == 200
    assert "Select a valid choice" in error_beside(response, "id_assign_assignee")
    assert _status(incident) == Incident.Status.SUBMITTED


def test_submitting_an_incomplete_draft_names_what_is_missing(
    login: Callable[[User], Client], make_incident: Callable[..., Incident], reporter: User
) -> None:
    draft = make_incident("draft", reporter=reporter, narrative="", tally_women=0)
    response = login(reporter).post(_url(draft), {"action": "submit"})
    assert response.status_code == 200
    body = text(response)
    assert "What happened (restricted): Describe what happened." in body
    assert "Survivors: Count at least one survivor" in body
    assert _status(draft) == Incident.Status.DRAFT


def test_an_unknown_action_is_400(
    login: Callable[[User], Client], make_incident: Callable[..., Incident], reporter: User, wpa: User
) -> None:
    incident = make_incident("submitted", reporter=reporter)
    response = login(wpa).post(_url(incident), {"action": "delete"})
    assert response.status_code == 400
    assert "Unknown action." in text(response)


def test_reasons_are_never_in_an_error_report(
    login: Callable[[User], Client], make_incident: Callable[..., Incident], reporter: User, wpa: User
) -> None:
    incident = make_incident("submitted", reporter=reporter)
    response = login(wpa).post(_url(incident), {"action": "return", "reason": REASON})
    assert list(response.wsgi_request.sensitive_post_parameters) == ["reason"]  # type: ignore[attr-defined]

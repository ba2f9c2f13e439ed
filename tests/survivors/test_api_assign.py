"""POST /api/v1/survivors/{public_id}/assign/: a senior WPA gives a case to a WPA."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from crsv.accounts.models import User
from crsv.audit.models import AccessEvent, AuditEvent
from survivors.models import Survivor
from tests.factories import UserFactory
from tests.survivors.test_api_common import CANARY_NAME, access_events, as_user, assign_url, erase

pytestmark = pytest.mark.django_db


@pytest.fixture
def by_reporter(make_survivor: Callable[..., Survivor], reporter: User) -> Survivor:
    return make_survivor(reporter, name=CANARY_NAME)


@pytest.mark.parametrize("persona", ["outsider", "wpa_other", "analyst", "provider", "admin_user", "no_role"])
def test_out_of_scope_is_404(
    request: pytest.FixtureRequest, api_client: Any, by_reporter: Survivor, wpa: User, persona: str
) -> None:
    client = as_user(api_client, request.getfixturevalue(persona))
    response = client.post(assign_url(by_reporter), {"assignee": "wpa"}, format="json")
    assert response.status_code == 404
    by_reporter.refresh_from_db()
    assert by_reporter.assigned_wpa is None


@pytest.mark.parametrize("persona", ["reporter", "wpa"])
def test_only_a_senior_wpa_assigns_a_case_she_can_see_otherwise_403(
    request: pytest.FixtureRequest,
    api_client: Any,
    make_survivor: Callable[..., Survivor],
    reporter: User,
    wpa: User,
    persona: str,
) -> None:
    user = request.getfixturevalue(persona)
    survivor = make_survivor(user, name=CANARY_NAME)  # registered by her, so visible to her
    response = as_user(api_client, user).post(assign_url(survivor), {"assignee": "wpa"}, format="json")
    assert response.status_code == 403
    survivor.refresh_from_db()
    assert survivor.assigned_wpa_id == (wpa.pk if persona == "wpa" else None)
    assert not AuditEvent.objects.filter(action="survivor.assign").exists()


def test_senior_wpa_assigns_and_sees_no_name(
    api_client: Any, by_reporter: Survivor, senior_wpa: User, wpa: User, reporter: User
) -> None:
    response = as_user(api_client, senior_wpa).post(
        assign_url(by_reporter), {"assignee": "wpa"}, format="json"
    )
    assert response.status_code == 200
    assert CANARY_NAME.encode() not in response.content
    body = response.json()
    assert (body["assigned_wpa"], body["identifying"]) == ("wpa", False)
    assert "name" not in body
    assert access_events() == 0
    by_reporter.refresh_from_db()
    assert by_reporter.assigned_wpa == wpa
    assert AuditEvent.objects.filter(
        action="survivor.assign", object_public_id=by_reporter.public_id
    ).exists()
    # The reporter no longer sees the case; the WPA now reads it.
    assert as_user(api_client, reporter).get(f"/api/v1/survivors/{by_reporter.public_id}/").status_code == 404
    assert as_user(api_client, wpa).get(f"/api/v1/survivors/{by_reporter.public_id}/").json()["name"] == (
        CANARY_NAME
    )


def test_senior_wpa_taking_the_case_herself_is_shown_it_and_logged(
    api_client: Any, by_reporter: Survivor, senior_wpa: User
) -> None:
    response = as_user(api_client, senior_wpa).post(
        assign_url(by_reporter), {"assignee": "senior_wpa"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["name"] == CANARY_NAME
    assert AccessEvent.objects.filter(actor=senior_wpa, survivor_public_id=by_reporter.public_id).count() == 1


@pytest.mark.parametrize("assignee", ["nobody", "wpa_bunia", "analyst", "inactive_wpa", ""])
def test_an_ineligible_assignee_is_a_field_error(
    api_client: Any,
    by_reporter: Survivor,
    senior_wpa: User,
    wpa_other: User,
    analyst: User,
    office: Any,
    assignee: str,
) -> None:
    UserFactory(username="inactive_wpa", roles=["wpa"], offices=[office], is_active=False)
    response = as_user(api_client, senior_wpa).post(
        assign_url(by_reporter), {"assignee": assignee}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["assignee"]
    by_reporter.refresh_from_db()
    assert by_reporter.assigned_wpa is None


def test_an_erased_case_cannot_be_assigned(api_client: Any, by_reporter: Survivor, senior_wpa: User) -> None:
    erase(by_reporter)
    response = as_user(api_client, senior_wpa).post(
        assign_url(by_reporter), {"assignee": "wpa"}, format="json"
    )
    assert response.status_code == 403


def test_get_is_not_offered(api_client: Any, by_reporter: Survivor, senior_wpa: User) -> None:
    assert as_user(api_client, senior_wpa).get(assign_url(by_reporter)).status_code == 405

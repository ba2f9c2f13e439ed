"""Who has access and why, grants, revocation, expiry and break-glass through the API (issue 5):
GET .../{id}/access/, POST .../{id}/grants/, POST .../{id}/grants/{username}/revoke/,
POST .../{id}/break-glass/."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from crsv.audit.models import AccessEvent, AuditEvent
from survivors.models import BreakGlass, Survivor, SurvivorUserObjectPermission
from survivors.services import survivor_break_glass, survivor_grant
from tests.factories import UserFactory
from tests.survivors.test_api_common import CANARY_NAME, CANARY_PHONE, as_user, detail_url, with_token

pytestmark = pytest.mark.django_db

REASON = "Canary-Reason-Api-8W: the survivor is in danger tonight"
OUT_OF_SCOPE = [
    "outsider",
    "wpa_other",
    "reporter",
    "analyst",
    "provider",
    "admin_user",
    "auditor",
    "no_role",
]


def access_url(survivor: Survivor) -> str:
    return f"{detail_url(survivor)}access/"


def grants_url(survivor: Survivor) -> str:
    return f"{detail_url(survivor)}grants/"


def revoke_url(survivor: Survivor, username: str) -> str:
    return f"{grants_url(survivor)}{username}/revoke/"


def break_glass_url(survivor: Survivor) -> str:
    return f"{detail_url(survivor)}break-glass/"


def token_client(user: User) -> Any:
    """A client of its own with a bearer token: every request loads the user afresh."""
    return with_token(APIClient(), user)


@pytest.fixture
def owned(make_survivor: Callable[..., Survivor], wpa: User) -> Survivor:
    return make_survivor(wpa, name=CANARY_NAME, phone=CANARY_PHONE)


@pytest.fixture
def grantee(other_office: FieldOffice) -> User:
    return UserFactory(username="reporter_bunia", roles=[Role.REPORTER], offices=[other_office])


@pytest.fixture
def senior_bunia(other_office: FieldOffice) -> User:
    return UserFactory(username="senior_bunia", roles=[Role.SENIOR_WPA], offices=[other_office])


def _operations(survivor: Survivor) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("get", access_url(survivor), None),
        ("post", grants_url(survivor), {"grantee": "wpa_bunia"}),
        ("post", revoke_url(survivor, "reporter_bunia"), None),
        ("post", break_glass_url(survivor), {"reason": REASON}),
    ]


# --- the permission matrix -------------------------------------------------------------------


def test_anonymous_is_401_with_no_store(api_client: Any, owned: Survivor) -> None:
    for method, url, body in _operations(owned):
        response = getattr(api_client, method)(url, body, format="json")
        assert response.status_code == 401, url
        assert response["Cache-Control"] == "no-store", url
    assert not SurvivorUserObjectPermission.objects.exists() and not BreakGlass.objects.exists()


@pytest.mark.parametrize("persona", OUT_OF_SCOPE)
def test_out_of_scope_is_404(
    request: pytest.FixtureRequest,
    api_client: Any,
    owned: Survivor,
    senior_wpa: User,
    grantee: User,
    persona: str,
) -> None:
    survivor_grant(actor=senior_wpa, survivor=owned, grantee=grantee)
    client = as_user(api_client, request.getfixturevalue(persona))
    for method, url, body in _operations(owned):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not found."}
        assert response["Cache-Control"] == "no-store"
    assert SurvivorUserObjectPermission.objects.count() == 1
    assert not BreakGlass.objects.exists()


@pytest.mark.parametrize("persona", ["wpa", "grantee"])
def test_in_scope_but_not_a_senior_wpa_is_403(
    request: pytest.FixtureRequest,
    api_client: Any,
    owned: Survivor,
    senior_wpa: User,
    grantee: User,
    wpa_other: User,
    persona: str,
) -> None:
    """The owner, and someone holding a grant, see the case; they may not do any of these."""
    survivor_grant(actor=senior_wpa, survivor=owned, grantee=grantee)
    client = as_user(api_client, request.getfixturevalue(persona))
    assert client.get(detail_url(owned)).status_code == 200
    for method, url, body in _operations(owned):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 403, url
        assert response["Cache-Control"] == "no-store"
    assert SurvivorUserObjectPermission.objects.count() == 1
    assert not BreakGlass.objects.exists()


def test_senior_wpa_of_the_mission_is_allowed(
    api_client: Any, owned: Survivor, senior_wpa: User, grantee: User, wpa_other: User
) -> None:
    survivor_grant(actor=senior_wpa, survivor=owned, grantee=grantee)
    client = token_client(senior_wpa)
    statuses = []
    for method, url, body in _operations(owned):
        response = getattr(client, method)(url, body, format="json")
        assert response["Cache-Control"] == "no-store", url
        statuses.append(response.status_code)
    assert statuses == [200, 201, 204, 201]


def test_get_and_head_are_not_offered_on_writes(api_client: Any, owned: Survivor, senior_wpa: User) -> None:
    client = as_user(api_client, senior_wpa)
    for url in (grants_url(owned), revoke_url(owned, "wpa_bunia"), break_glass_url(owned)):
        assert client.get(url).status_code == 405, url
    assert client.head(access_url(owned)).status_code == 405


# --- who has access and why ------------------------------------------------------------------


def test_access_lists_who_and_why_without_survivor_data(
    api_client: Any,
    owned: Survivor,
    senior_wpa: User,
    senior_bunia: User,
    wpa: User,
    wpa_other: User,
    grantee: User,
) -> None:
    until = timezone.now() + timedelta(days=1)
    survivor_grant(actor=senior_wpa, survivor=owned, grantee=wpa_other, expires_at=until)
    survivor_grant(actor=senior_wpa, survivor=owned, grantee=grantee)
    survivor_break_glass(actor=senior_bunia, survivor=owned, reason=REASON)
    response = as_user(api_client, senior_wpa).get(access_url(owned))
    assert response.status_code == 200
    assert CANARY_NAME.encode() not in response.content and REASON.encode() not in response.content
    rows = {(r["user"], r["why"]): r for r in response.json()["results"]}
    assert set(rows) == {
        ("wpa", "assigned"),
        ("wpa_bunia", "grant"),
        ("reporter_bunia", "grant"),
        ("senior_bunia", "break_glass"),
    }
    assert rows[("wpa_bunia", "grant")]["granted_by"] == "senior_wpa"
    assert rows[("wpa_bunia", "grant")]["until"] is not None
    assert rows[("reporter_bunia", "grant")]["until"] is None
    assert rows[("senior_bunia", "break_glass")]["until"] is not None
    assert rows[("wpa", "assigned")]["display_name"] == wpa.display_name
    assert not AccessEvent.objects.exists()


def test_access_query_count_does_not_grow_with_grants(
    owned: Survivor, senior_wpa: User, other_office: FieldOffice
) -> None:
    client = token_client(senior_wpa)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(access_url(owned)).status_code == 200
        return len(captured)

    users = [UserFactory(roles=[Role.WPA], offices=[other_office]) for _ in range(8)]
    survivor_grant(actor=senior_wpa, survivor=owned, grantee=users[0])
    client.get(access_url(owned))
    few = queries()
    for user in users[1:]:
        survivor_grant(actor=senior_wpa, survivor=owned, grantee=user)
    assert queries() == few


# --- grant, revoke, expiry -------------------------------------------------------------------


def test_grant_then_the_grantees_next_request_sees_the_case_and_revoke_then_404(
    owned: Survivor, senior_wpa: User, wpa_other: User
) -> None:
    senior, other = token_client(senior_wpa), token_client(wpa_other)
    assert other.get(detail_url(owned)).status_code == 404
    until = timezone.now() + timedelta(days=1)
    response = senior.post(
        grants_url(owned), {"grantee": "wpa_bunia", "expires_at": until.isoformat()}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["grantee"], body["granted_by"]) == ("wpa_bunia", "senior_wpa")
    assert SurvivorUserObjectPermission.objects.get().expires_at == until
    assert AuditEvent.objects.filter(action="survivor.grant", actor=senior_wpa).count() == 1

    seen = other.get(detail_url(owned))
    assert seen.status_code == 200
    assert seen.json()["name"] == CANARY_NAME
    assert [r["code"] for r in other.get("/api/v1/survivors/").json()["results"]] == [owned.code]

    assert senior.post(revoke_url(owned, "wpa_bunia")).status_code == 204
    assert AuditEvent.objects.filter(action="survivor.revoke", actor=senior_wpa).count() == 1
    refused = other.get(detail_url(owned))
    assert refused.status_code == 404
    assert CANARY_NAME.encode() not in refused.content
    assert other.get("/api/v1/survivors/").json()["results"] == []


def test_a_passed_expiry_is_404_on_the_next_request_without_any_job(
    owned: Survivor, senior_wpa: User, wpa_other: User
) -> None:
    grant = survivor_grant(
        actor=senior_wpa, survivor=owned, grantee=wpa_other, expires_at=timezone.now() + timedelta(hours=1)
    )
    client = token_client(wpa_other)
    assert client.get(detail_url(owned)).status_code == 200
    SurvivorUserObjectPermission.objects.filter(pk=grant.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert client.get(detail_url(owned)).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"grantee": "analyst"}, "grantee"),  # not a WPA or reporter
        ({"grantee": "outsider"}, "grantee"),  # another mission: same answer as a stranger
        ({"grantee": "nobody-by-this-name"}, "grantee"),
        ({"grantee": "wpa_bunia", "expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
        ({"grantee": "wpa_bunia", "expires_at": "tomorrow"}, "expires_at"),
        ({}, "grantee"),
    ],
)
def test_grant_refusals_are_400(
    api_client: Any,
    owned: Survivor,
    senior_wpa: User,
    wpa_other: User,
    analyst: User,
    outsider: User,
    body: dict[str, str],
    field: str,
) -> None:
    response = as_user(api_client, senior_wpa).post(grants_url(owned), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not SurvivorUserObjectPermission.objects.exists()


def test_revoke_without_a_grant_is_400_and_an_unknown_user_404(
    api_client: Any, owned: Survivor, senior_wpa: User, wpa_other: User
) -> None:
    client = as_user(api_client, senior_wpa)
    response = client.post(revoke_url(owned, "wpa_bunia"))
    assert response.status_code == 400
    assert response.json() == {"grantee": ["This person has no grant on this case."]}
    assert client.post(revoke_url(owned, "nobody-by-this-name")).status_code == 404
    assert not AuditEvent.objects.filter(action="survivor.revoke").exists()


# --- break-glass -----------------------------------------------------------------------------


def test_break_glass_opens_the_case_for_a_while_and_is_audited(
    owned: Survivor, senior_wpa: User, senior_bunia: User
) -> None:
    client = token_client(senior_wpa)
    assert "name" not in client.get(detail_url(owned)).json()
    response = client.post(break_glass_url(owned), {"reason": REASON}, format="json")
    assert response.status_code == 201
    assert REASON.encode() not in response.content  # nothing typed is echoed
    assert set(response.json()) == {"public_id", "opened_at", "expires_at"}
    audit = AuditEvent.objects.get(action="survivor.break_glass")
    assert (audit.actor, audit.object_public_id) == (senior_wpa, owned.public_id)
    assert client.get(detail_url(owned)).json()["name"] == CANARY_NAME
    # ...and the other senior WPA of the mission is told, on her home page.
    from tests.conftest import verify_second_factor

    browser = APIClient()
    browser.force_login(senior_bunia)
    verify_second_factor(browser, senior_bunia)
    assert REASON in browser.get("/").content.decode()

    BreakGlass.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert "name" not in client.get(detail_url(owned)).json()


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "too short"}])
def test_break_glass_needs_a_reason(api_client: Any, owned: Survivor, senior_wpa: User, body: Any) -> None:
    response = as_user(api_client, senior_wpa).post(break_glass_url(owned), body, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    assert not BreakGlass.objects.exists()


def test_no_break_glass_on_a_case_she_already_reads(
    api_client: Any, make_survivor: Callable[..., Survivor], senior_wpa: User
) -> None:
    own = make_survivor(senior_wpa)
    response = as_user(api_client, senior_wpa).post(break_glass_url(own), {"reason": REASON}, format="json")
    assert response.status_code == 400
    assert not BreakGlass.objects.exists()


def test_no_survivor_value_or_reason_reaches_the_logs(
    api_client: Any, owned: Survivor, senior_wpa: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    client = as_user(api_client, senior_wpa)
    client.post(break_glass_url(owned), {"reason": "short"}, format="json")  # 400
    client.post(break_glass_url(owned), {"reason": REASON}, format="json")
    client.post(grants_url(owned), {"grantee": CANARY_NAME}, format="json")  # 400
    assert caplog.records
    assert REASON not in caplog.text and CANARY_NAME not in caplog.text

"""POST /api/v1/survivors/search/: by code, exact name or phone, within scope (issue 5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crsv.accounts.models import User
from crsv.audit.models import AccessEvent
from survivors.models import Survivor
from survivors.services import survivor_grant
from tests.survivors.test_api_common import CANARY_NAME, CANARY_PHONE, access_events, as_user, with_token

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/survivors/search/"


@pytest.fixture
def owned(make_survivor: Callable[..., Survivor], wpa: User) -> Survivor:
    return make_survivor(wpa, name=CANARY_NAME, phone=CANARY_PHONE)


def _found(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    return [row["code"] for row in response.json()["results"]]


def test_anonymous_is_401(api_client: Any, owned: Survivor) -> None:
    response = api_client.post(SEARCH, {"code": owned.code}, format="json")
    assert response.status_code == 401
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("persona", ["analyst", "provider", "admin_user", "auditor", "no_role"])
def test_roles_without_survivor_access_get_403(
    request: pytest.FixtureRequest, api_client: Any, owned: Survivor, persona: str
) -> None:
    response = as_user(api_client, request.getfixturevalue(persona)).post(
        SEARCH, {"code": owned.code}, format="json"
    )
    assert response.status_code == 403
    assert owned.code.encode() not in response.content
    assert access_events() == 0


@pytest.mark.parametrize("persona", ["outsider", "wpa_other", "reporter"])
def test_out_of_scope_finds_nothing(
    request: pytest.FixtureRequest, api_client: Any, owned: Survivor, persona: str
) -> None:
    client = as_user(api_client, request.getfixturevalue(persona))
    for body in ({"code": owned.code}, {"name": CANARY_NAME}, {"phone": CANARY_PHONE}):
        assert _found(client.post(SEARCH, body, format="json")) == []
    assert access_events() == 0


def test_owner_finds_by_code_name_and_phone_and_names_are_logged(
    api_client: Any, owned: Survivor, wpa: User, make_survivor: Callable[..., Survivor]
) -> None:
    make_survivor(wpa, name="Someone Else")
    client = with_token(api_client, wpa)
    for count, body in enumerate(
        ({"code": owned.code}, {"name": CANARY_NAME.upper()}, {"phone": "0999 424 242"}), start=1
    ):
        response = client.post(SEARCH, body, format="json")
        assert _found(response) == [owned.code]
        row = response.json()["results"][0]
        assert (row["identifying"], row["name"]) == (True, CANARY_NAME)
        assert AccessEvent.objects.filter(actor=wpa, kind=AccessEvent.Kind.SEARCH).count() == count


def test_senior_wpa_finds_codes_but_no_name_she_cannot_identify(
    api_client: Any, owned: Survivor, senior_wpa: User, wpa_other: User
) -> None:
    client = as_user(api_client, senior_wpa)
    response = client.post(SEARCH, {"code": owned.code}, format="json")
    assert _found(response) == [owned.code]
    assert "name" not in response.json()["results"][0]
    assert CANARY_NAME.encode() not in response.content
    assert _found(client.post(SEARCH, {"name": CANARY_NAME}, format="json")) == []
    assert _found(client.post(SEARCH, {"phone": CANARY_PHONE}, format="json")) == []
    assert access_events() == 0


def test_a_grant_widens_the_search_and_a_revocation_narrows_it_again(
    api_client: Any, owned: Survivor, senior_wpa: User, wpa_other: User
) -> None:
    from survivors.services import survivor_revoke

    client = as_user(api_client, wpa_other)
    assert _found(client.post(SEARCH, {"name": CANARY_NAME}, format="json")) == []
    survivor_grant(actor=senior_wpa, survivor=owned, grantee=wpa_other)
    assert _found(client.post(SEARCH, {"name": CANARY_NAME}, format="json")) == [owned.code]
    survivor_revoke(actor=senior_wpa, survivor=owned, grantee=wpa_other)
    assert _found(client.post(SEARCH, {"name": CANARY_NAME}, format="json")) == []


def test_get_is_not_offered(api_client: Any, owned: Survivor, wpa: User) -> None:
    """Nothing identifying may travel in a URL: the search is POST only."""
    response = as_user(api_client, wpa).get(SEARCH, {"name": CANARY_NAME})
    assert response.status_code == 405
    assert access_events() == 0


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": "S-AAAA-BBBB", "phone": "0970 000 000"}])
def test_exactly_one_criterion(api_client: Any, wpa: User, body: dict[str, str]) -> None:
    response = as_user(api_client, wpa).post(SEARCH, body, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Send exactly one of: code, name, phone."]}


def test_query_count_does_not_grow_with_results(
    api_client: Any, make_survivor: Callable[..., Survivor], wpa: User
) -> None:
    client = with_token(api_client, wpa)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.post(SEARCH, {"name": "Same Name"}, format="json").status_code == 200
        return len(captured)

    make_survivor(wpa, name="Same Name")
    client.post(SEARCH, {"name": "Same Name"}, format="json")
    few = queries()
    for _ in range(10):
        make_survivor(wpa, name="Same Name")
    assert queries() == few

"""The search page: by code, exact name or phone, by POST, within scope (issue 5)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crsv.accounts.models import User
from crsv.audit.models import AccessEvent
from survivors.models import Survivor
from survivors.services import survivor_grant
from tests.survivors.test_views_grants import NAME, PHONE, owned, senior_abroad, signed_in

pytestmark = pytest.mark.django_db
__all__ = ["owned", "senior_abroad"]  # fixtures used here

SEARCH = reverse("survivors:search")
NO_RESULT = "No case found."


def test_anonymous_is_sent_to_login(client: Client, owned: Survivor) -> None:
    for response in (client.get(SEARCH), client.post(SEARCH, {"name": NAME})):
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    assert not AccessEvent.objects.exists()


@pytest.mark.parametrize("persona", ["analyst", "provider", "admin_user", "auditor", "no_role"])
def test_roles_without_survivor_access_get_403(
    request: pytest.FixtureRequest, owned: Survivor, persona: str
) -> None:
    client = signed_in(request.getfixturevalue(persona))
    assert client.get(SEARCH).status_code == 403
    response = client.post(SEARCH, {"code": owned.code})
    assert response.status_code == 403
    assert owned.code not in response.content.decode()


@pytest.mark.parametrize("persona", ["outsider", "wpa_other", "reporter", "senior_abroad"])
def test_out_of_scope_finds_nothing(request: pytest.FixtureRequest, owned: Survivor, persona: str) -> None:
    """A case role, but the case is not theirs: no result by code, name or phone."""
    client = signed_in(request.getfixturevalue(persona))
    assert client.get(SEARCH).status_code == 200
    for data in ({"code": owned.code}, {"name": NAME}, {"phone": PHONE}):
        response = client.post(SEARCH, data)
        assert response.status_code == 200
        body = response.content.decode()
        assert NO_RESULT in body
        assert owned.code not in body and NAME not in body
    assert not AccessEvent.objects.exists()


def test_owner_finds_by_name_phone_and_code_and_each_shown_name_is_logged(
    owned: Survivor, wpa: User, make_survivor: Callable[..., Survivor]
) -> None:
    make_survivor(wpa, name="Someone Else", phone="+243 970 000 999")
    client = signed_in(wpa)
    for count, data in enumerate(
        ({"name": "  canary-name-NEEMA-q4z "}, {"phone": "0970 555 017"}, {"code": owned.code.lower()}),
        start=1,
    ):
        response = client.post(SEARCH, data)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        body = response.content.decode()
        assert NAME in body and owned.code in body
        assert "Someone Else" not in body
        assert AccessEvent.objects.filter(actor=wpa, kind=AccessEvent.Kind.SEARCH).count() == count
    assert set(AccessEvent.objects.values_list("survivor_public_id", flat=True)) == {owned.public_id}


def test_senior_wpa_finds_the_code_but_a_name_never_tells_her_whose_case_it_is(
    owned: Survivor, senior_wpa: User
) -> None:
    client = signed_in(senior_wpa)
    by_code = client.post(SEARCH, {"code": owned.code}).content.decode()
    assert owned.code in by_code
    assert "restricted" in by_code
    assert NAME not in by_code
    for data in ({"name": NAME}, {"phone": PHONE}):
        body = client.post(SEARCH, data).content.decode()
        assert NO_RESULT in body
        assert owned.code not in body
    assert not AccessEvent.objects.exists()


def test_a_grant_widens_the_name_search(owned: Survivor, senior_wpa: User, wpa_other: User) -> None:
    client = signed_in(wpa_other)
    assert NO_RESULT in client.post(SEARCH, {"name": NAME}).content.decode()
    survivor_grant(actor=senior_wpa, survivor=owned, grantee=wpa_other)
    assert owned.code in client.post(SEARCH, {"name": NAME}).content.decode()


def test_what_was_typed_is_not_shown_back(owned: Survivor, wpa: User) -> None:
    typed = "Typed-Canary Searchname"
    for data in ({"name": typed}, {"name": typed, "phone": "+243 970 123 999"}):
        body = signed_in(wpa).post(SEARCH, data).content.decode()
        assert typed not in body
        assert "970 123 999" not in body


def test_search_parameters_in_the_url_are_ignored(owned: Survivor, wpa: User) -> None:
    """GET only shows the form: a name in a URL must never find anything."""
    response = signed_in(wpa).get(SEARCH, {"name": NAME, "code": owned.code})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Results" not in body
    assert reverse("survivors:detail", args=[owned.public_id]) not in body
    assert not AccessEvent.objects.exists()


@pytest.mark.parametrize("data", [{}, {"code": " "}, {"code": "S-AAAA-BBBB", "name": "Someone"}])
def test_exactly_one_criterion(owned: Survivor, wpa: User, data: dict[str, str]) -> None:
    body = signed_in(wpa).post(SEARCH, data).content.decode()
    assert "Fill in exactly one of" in body
    assert "Results" not in body


def test_query_count_does_not_grow_with_results(make_survivor: Callable[..., Survivor], wpa: User) -> None:
    client = signed_in(wpa)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.post(SEARCH, {"name": "Same Name"})
        assert response.status_code == 200
        return len(captured)

    make_survivor(wpa, name="Same Name")
    client.post(SEARCH, {"name": "Same Name"})
    few = queries()
    for _ in range(10):
        make_survivor(wpa, name="Same Name")
    assert queries() == few
    assert AccessEvent.objects.filter(kind=AccessEvent.Kind.SEARCH).count() == 1 + 1 + 11

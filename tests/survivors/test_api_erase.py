"""POST /api/v1/survivors/{id}/erase/: crypto-shredding, and what the API shows afterwards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from crsv import crypto
from crsv.accounts.models import User
from crsv.audit.models import AuditEvent
from survivors.identity import SurvivorIdentity
from survivors.models import Survivor, SurvivorSearchEntry, SurvivorUserObjectPermission
from survivors.services import survivor_grant
from tests.survivors.test_api_common import (
    CANARY_NAME,
    CANARY_PHONE,
    LIST,
    access_events,
    as_user,
    detail_url,
    with_token,
)

pytestmark = pytest.mark.django_db

BODY = {"reason": "survivor_request"}


def erase_url(survivor: Survivor) -> str:
    return f"{detail_url(survivor)}erase/"


@pytest.fixture
def owned(make_survivor: Callable[..., Survivor], wpa: User) -> Survivor:
    return make_survivor(wpa, name=CANARY_NAME, phone=CANARY_PHONE)


def _erased(survivor: Survivor) -> bool:
    return Survivor.objects.get(pk=survivor.pk).erased_at is not None


def test_anonymous_is_401(api_client: Any, owned: Survivor) -> None:
    response = api_client.post(erase_url(owned), BODY, format="json")
    assert response.status_code == 401
    assert response["Cache-Control"] == "no-store"
    assert not _erased(owned)


@pytest.mark.parametrize(
    "persona",
    ["outsider", "wpa_other", "reporter", "analyst", "provider", "admin_user", "auditor", "no_role"],
)
def test_out_of_scope_is_404(
    request: pytest.FixtureRequest, api_client: Any, owned: Survivor, persona: str
) -> None:
    response = as_user(api_client, request.getfixturevalue(persona)).post(
        erase_url(owned), BODY, format="json"
    )
    assert response.status_code == 404
    assert not _erased(owned)


@pytest.mark.parametrize("persona", ["wpa", "wpa_other"])
def test_in_scope_but_not_a_senior_wpa_is_403(
    request: pytest.FixtureRequest, api_client: Any, owned: Survivor, senior_wpa: User, persona: str
) -> None:
    user = request.getfixturevalue(persona)
    if persona == "wpa_other":
        survivor_grant(actor=senior_wpa, survivor=owned, grantee=user)
    response = as_user(api_client, user).post(erase_url(owned), BODY, format="json")
    assert response.status_code == 403
    assert not _erased(owned)


@pytest.mark.parametrize("body", [{}, {"reason": "because"}, {"reason": ""}])
def test_a_reason_from_the_list_is_required(
    api_client: Any, owned: Survivor, senior_wpa: User, body: dict[str, str]
) -> None:
    response = as_user(api_client, senior_wpa).post(erase_url(owned), body, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    assert b"because" not in response.content  # the value sent is not echoed
    assert not _erased(owned)


def test_erase_then_no_identifying_value_anywhere(
    api_client: Any, owned: Survivor, senior_wpa: User, wpa: User, wpa_other: User
) -> None:
    survivor_grant(actor=senior_wpa, survivor=owned, grantee=wpa_other)
    response = with_token(api_client, senior_wpa).post(erase_url(owned), BODY, format="json")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert (body["is_erased"], body["identifying"]) == (True, False)
    assert AuditEvent.objects.filter(action="survivor.erase", actor=senior_wpa).count() == 1
    assert not SurvivorSearchEntry.objects.filter(survivor=owned).exists()
    assert not SurvivorUserObjectPermission.objects.filter(content_object=owned).exists()

    owner = with_token(api_client, wpa)
    answers = {
        "erase": response,
        "detail": owner.get(detail_url(owned)),
        "list": owner.get(LIST),
        "search by code": owner.post(f"{LIST}search/", {"code": owned.code}, format="json"),
        "search by name": owner.post(f"{LIST}search/", {"name": CANARY_NAME}, format="json"),
        "search by phone": owner.post(f"{LIST}search/", {"phone": CANARY_PHONE}, format="json"),
    }
    for where, answer in answers.items():
        assert answer.status_code == 200, where
        assert CANARY_NAME.encode() not in answer.content, where
        assert b"999 424 242" not in answer.content and b"999424242" not in answer.content, where
    assert answers["detail"].json()["is_erased"] is True
    assert [r["code"] for r in answers["search by code"].json()["results"]] == [owned.code]
    assert answers["search by name"].json()["results"] == []
    assert access_events() == 0  # nothing was revealed, so nothing logged
    with pytest.raises(crypto.DecryptionError):
        SurvivorIdentity.of(Survivor.objects.select_related("data_key").get(pk=owned.pk))
    # The former grantee no longer sees the case at all.
    assert as_user(api_client, wpa_other).get(detail_url(owned)).status_code == 404


def test_an_erased_case_cannot_be_erased_again(api_client: Any, owned: Survivor, senior_wpa: User) -> None:
    client = as_user(api_client, senior_wpa)
    assert client.post(erase_url(owned), BODY, format="json").status_code == 200
    assert client.post(erase_url(owned), BODY, format="json").status_code == 403
    assert AuditEvent.objects.filter(action="survivor.erase").count() == 1

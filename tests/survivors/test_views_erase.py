"""Erasing a case from its page (crypto-shredding), and what the pages show afterwards (issue 5)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from crsv import crypto
from crsv.accounts.models import User
from crsv.audit.models import AccessEvent, AuditEvent
from survivors.identity import SurvivorIdentity
from survivors.models import BreakGlass, Survivor, SurvivorSearchEntry
from survivors.services import survivor_break_glass, survivor_grant
from tests.survivors.test_views_grants import (
    NAME,
    OUT_OF_SCOPE,
    PHONE,
    detail,
    owned,
    senior_abroad,
    senior_bunia,
    signed_in,
)

pytestmark = pytest.mark.django_db
__all__ = ["owned", "senior_abroad", "senior_bunia"]  # fixtures used here

CONFIRMED = {"reason": "survivor_request", "confirm": "on"}


def erase_url(survivor: Survivor) -> str:
    return reverse("survivors:erase", args=[survivor.public_id])


def _erased(survivor: Survivor) -> bool:
    return Survivor.objects.get(pk=survivor.pk).erased_at is not None


def test_anonymous_is_sent_to_login(client: Client, owned: Survivor) -> None:
    response = client.post(erase_url(owned), CONFIRMED)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not _erased(owned)


@pytest.mark.parametrize("persona", [*OUT_OF_SCOPE, "senior_abroad"])
def test_out_of_scope_is_404(request: pytest.FixtureRequest, owned: Survivor, persona: str) -> None:
    assert signed_in(request.getfixturevalue(persona)).post(erase_url(owned), CONFIRMED).status_code == 404
    assert not _erased(owned)


@pytest.mark.parametrize("persona", ["wpa", "wpa_other"])
def test_only_a_senior_wpa_erases(
    request: pytest.FixtureRequest, owned: Survivor, senior_wpa: User, persona: str
) -> None:
    user = request.getfixturevalue(persona)
    if persona == "wpa_other":
        survivor_grant(actor=senior_wpa, survivor=owned, grantee=user)
    client = signed_in(user)
    assert client.post(erase_url(owned), CONFIRMED).status_code == 403
    assert "Erase this case" not in client.get(detail(owned)).content.decode()
    assert not _erased(owned)


def test_get_is_not_offered(owned: Survivor, senior_wpa: User) -> None:
    assert signed_in(senior_wpa).get(erase_url(owned)).status_code == 405


@pytest.mark.parametrize(
    "data", [{"reason": "survivor_request"}, {"confirm": "on"}, {"reason": "bored", "confirm": "on"}]
)
def test_a_reason_and_the_confirmation_are_required(
    owned: Survivor, senior_wpa: User, data: dict[str, str]
) -> None:
    response = signed_in(senior_wpa).post(erase_url(owned), data)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not _erased(owned)
    assert not AuditEvent.objects.filter(action="survivor.erase").exists()


def test_erase_then_nothing_identifying_anywhere(
    owned: Survivor, senior_wpa: User, wpa: User, senior_bunia: User
) -> None:
    survivor_break_glass(actor=senior_wpa, survivor=owned, reason="Urgent safety check before the move")
    response = signed_in(senior_wpa).post(erase_url(owned), CONFIRMED, follow=True)
    assert response.redirect_chain == [(detail(owned), 302)]
    assert "erased" in response.content.decode()
    assert AuditEvent.objects.filter(action="survivor.erase", actor=senior_wpa).count() == 1
    assert not SurvivorSearchEntry.objects.filter(survivor=owned).exists()
    events_before = AccessEvent.objects.count()

    owner = signed_in(wpa)
    bodies = {
        "erase response": response.content,
        "owner's page": owner.get(detail(owned)).content,
        "owner's list": owner.get(reverse("survivors:list")).content,
        "search by code": owner.post(reverse("survivors:search"), {"code": owned.code}).content,
        "search by name": owner.post(reverse("survivors:search"), {"name": NAME}).content,
        "search by phone": owner.post(reverse("survivors:search"), {"phone": PHONE}).content,
        "senior's page": signed_in(senior_wpa).get(detail(owned)).content,
        "other senior's home": signed_in(senior_bunia).get("/").content,
    }
    for where, body in bodies.items():
        assert NAME.encode() not in body, where
        assert b"970 555 017" not in body and b"970555017" not in body, where
    page = bodies["owner's page"].decode()
    assert "This case was erased" in page
    assert "The survivor asked for it" in page
    assert owned.code in bodies["search by code"].decode()
    assert "No case found." in bodies["search by name"].decode()
    assert AccessEvent.objects.count() == events_before  # nothing was revealed, so nothing logged

    row = Survivor.objects.select_related("data_key").get(pk=owned.pk)
    with pytest.raises(crypto.DecryptionError):
        SurvivorIdentity.of(row)
    with pytest.raises(crypto.DecryptionError):
        _ = row.name
    with pytest.raises(crypto.DecryptionError):
        _ = BreakGlass.objects.select_related("survivor__data_key").get().reason


def test_an_erased_case_offers_nothing_more(owned: Survivor, senior_wpa: User) -> None:
    client = signed_in(senior_wpa)
    client.post(erase_url(owned), CONFIRMED)
    body = client.get(detail(owned)).content.decode()
    for absent in ("Erase this case", "Break the glass", "Grant access"):
        assert absent not in body, absent
    assert client.post(erase_url(owned), CONFIRMED).status_code == 403
    assert AuditEvent.objects.filter(action="survivor.erase").count() == 1

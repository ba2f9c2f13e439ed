"""A consent names a provider of the directory (issue 10 item 2), through the page and the API:
a referral consent may name one (none: any provider of the type), a sharing consent must."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from crsv.accounts.models import FieldOffice, User
from referrals.models import ServiceProvider
from survivors.consent import consent_allows
from survivors.models import Consent, ConsentText, Survivor
from survivors.services import consent_record
from tests.survivors.test_api_common import GRANT_BODY, as_user, consents_url

pytestmark = pytest.mark.django_db
P = Consent.Purpose


def _provider(name: str, offices: list[FieldOffice], **values: Any) -> ServiceProvider:
    values.setdefault("service_types", ["medical", "psychosocial"])
    provider = ServiceProvider.objects.create(name=name, **values)
    provider.field_offices.set(offices)
    return provider


@pytest.fixture
def heal(office: FieldOffice) -> ServiceProvider:
    return _provider("HEAL Africa", [office])


@pytest.fixture
def panzi(office: FieldOffice) -> ServiceProvider:
    return _provider("Panzi", [office], service_types=["legal_aid"])


@pytest.fixture
def closed(office: FieldOffice) -> ServiceProvider:
    return _provider("Closed Clinic", [office], active=False)


# --- the page ---------------------------------------------------------------------------------


def _page_url(case: Survivor) -> str:
    return reverse("survivors:consent_create", args=[case.public_id])


def _page_body(consent_text: ConsentText, **values: Any) -> dict[str, Any]:
    return {
        "purpose": "referral",
        "service_type": "medical",
        "given_by": "survivor",
        "method": "oral",
        "explained_in": "sw",
        "consent_text": consent_text.pk,
        **values,
    }


def _errors(response: Any) -> dict[str, list[str]]:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def test_the_page_offers_the_active_providers_by_name_and_any_provider(
    login: Callable[[User], Client],
    wpa: User,
    case: Survivor,
    heal: ServiceProvider,
    panzi: ServiceProvider,
    closed: ServiceProvider,
) -> None:
    body = login(wpa).get(_page_url(case)).content.decode()
    select = re.search(r'<select name="provider".*?</select>', body, re.S)
    assert select is not None
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(0))
    assert options == [
        ("", "Any provider of this type"),
        (str(heal.public_id), "HEAL Africa"),
        (str(panzi.public_id), "Panzi"),
    ]


def test_the_page_records_a_referral_consent_naming_a_provider_and_one_naming_none(
    login: Callable[[User], Client],
    wpa: User,
    case: Survivor,
    consent_text: ConsentText,
    heal: ServiceProvider,
    panzi: ServiceProvider,
) -> None:
    client = login(wpa)
    named = client.post(_page_url(case), _page_body(consent_text, provider=str(heal.public_id)))
    assert named.status_code == 302
    anyone = client.post(_page_url(case), _page_body(consent_text, service_type="psychosocial"))
    assert anyone.status_code == 302
    rows = {c.service_type: c.provider_id for c in Consent.objects.filter(survivor=case)}
    assert rows == {"medical": heal.pk, "psychosocial": None}
    assert consent_allows(survivor=case, purpose=P.REFERRAL, service_type="medical", provider=heal)
    assert not consent_allows(survivor=case, purpose=P.REFERRAL, service_type="medical", provider=panzi)
    assert consent_allows(survivor=case, purpose=P.REFERRAL, service_type="psychosocial", provider=heal)
    ledger = client.get(reverse("survivors:detail", args=[case.public_id])).content.decode()
    assert "Medical: HEAL Africa" in ledger
    assert "Psychosocial (any provider of this type)" in ledger


def test_the_page_records_a_sharing_consent_naming_its_provider(
    login: Callable[[User], Client],
    wpa: User,
    case: Survivor,
    consent_text: ConsentText,
    heal: ServiceProvider,
) -> None:
    body = _page_body(
        consent_text, purpose="share_identifiable", service_type="", provider=str(heal.public_id)
    )
    assert login(wpa).post(_page_url(case), body).status_code == 302
    consent = Consent.objects.get(survivor=case)
    assert (consent.provider_id, consent.organisation) == (heal.pk, "HEAL Africa")
    assert consent_allows(survivor=case, purpose=P.SHARE_IDENTIFIABLE, provider=heal)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"purpose": "share_identifiable", "service_type": ""},
            "Choose the provider the identifiable data may be shared with.",
        ),
        ({"provider": "panzi"}, "This provider does not offer this service."),
        ({"provider": "closed"}, "Select a valid choice."),
        ({"provider": str(uuid.uuid4())}, "Select a valid choice."),
        (
            {"purpose": "statistics", "service_type": "", "provider": "heal"},
            "Only a referral or a sharing consent names a provider.",
        ),
    ],
)
def test_the_page_refuses_a_provider_beside_the_field_and_keeps_the_input(
    login: Callable[[User], Client],
    request: pytest.FixtureRequest,
    wpa: User,
    case: Survivor,
    consent_text: ConsentText,
    heal: ServiceProvider,
    panzi: ServiceProvider,
    closed: ServiceProvider,
    values: dict[str, Any],
    message: str,
) -> None:
    if values.get("provider") in ("heal", "panzi", "closed"):
        values = {**values, "provider": str(request.getfixturevalue(values["provider"]).public_id)}
    response = login(wpa).post(_page_url(case), _page_body(consent_text, **values))
    assert response.status_code == 200
    errors = _errors(response)
    assert list(errors) == ["provider"]
    assert len(errors["provider"]) == 1 and errors["provider"][0].startswith(message)
    html = response.content.decode()
    assert 'id="id_provider_error"' in html  # rendered with the field
    assert f'<option value="{values.get("purpose", "referral")}" selected>' in html
    if values.get("provider") == str(panzi.public_id):
        assert f'<option value="{panzi.public_id}" selected>' in html
    assert not Consent.objects.filter(survivor=case).exists()


# --- the service ------------------------------------------------------------------------------


def _record(wpa: User, case: Survivor, consent_text: ConsentText, **values: Any) -> Consent:
    return consent_record(
        actor=wpa,
        survivor=case,
        given_by=Consent.GivenBy.SURVIVOR,
        method=Consent.Method.ORAL,
        explained_in=Consent.Language.SWAHILI,
        consent_text=consent_text,
        **values,
    )


def test_the_service_refuses_sharing_without_a_provider_and_an_inactive_provider(
    wpa: User, case: Survivor, consent_text: ConsentText, closed: ServiceProvider
) -> None:
    with pytest.raises(ValidationError) as refused:
        _record(wpa, case, consent_text, purpose=P.SHARE_IDENTIFIABLE, organisation="HEAL Africa")
    assert list(refused.value.message_dict) == ["provider"]
    with pytest.raises(ValidationError) as refused:
        _record(wpa, case, consent_text, purpose=P.REFERRAL, service_type="medical", provider=closed)
    assert refused.value.message_dict["provider"] == ["This provider is no longer active in the directory."]
    assert not Consent.objects.filter(survivor=case).exists()


# --- the API ----------------------------------------------------------------------------------


def _api_body(**values: Any) -> dict[str, Any]:
    return {**GRANT_BODY, "purpose": "referral", "service_type": "medical", **values}


def test_the_api_records_a_referral_consent_naming_a_provider_and_one_naming_none(
    api_client: Any, wpa: User, case: Survivor, consent_text: ConsentText, heal: ServiceProvider
) -> None:
    client = as_user(api_client, wpa)
    named = client.post(consents_url(case), _api_body(provider=str(heal.public_id)), format="json")
    assert named.status_code == 201, named.json()
    assert named.json()["provider"] == {"public_id": str(heal.public_id), "name": "HEAL Africa"}
    anyone = client.post(
        consents_url(case), _api_body(service_type="psychosocial", provider=None), format="json"
    )
    assert anyone.status_code == 201, anyone.json()
    assert anyone.json()["provider"] is None
    ledger = client.get(consents_url(case)).json()["results"]
    assert [(e["service_type"], e["provider"]) for e in ledger] == [
        ("psychosocial", None),
        ("medical", {"public_id": str(heal.public_id), "name": "HEAL Africa"}),
    ]
    assert consent_allows(survivor=case, purpose=P.REFERRAL, service_type="medical", provider=heal)
    assert not consent_allows(survivor=case, purpose=P.REFERRAL, service_type="medical")


def test_the_api_records_a_sharing_consent_naming_its_provider(
    api_client: Any, wpa: User, case: Survivor, consent_text: ConsentText, heal: ServiceProvider
) -> None:
    body = _api_body(purpose="share_identifiable", service_type="", provider=str(heal.public_id))
    response = as_user(api_client, wpa).post(consents_url(case), body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["organisation"], response.json()["provider"]["name"]) == (
        "HEAL Africa",
        "HEAL Africa",
    )
    assert consent_allows(survivor=case, purpose=P.SHARE_IDENTIFIABLE, provider=heal)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"purpose": "share_identifiable", "service_type": "", "organisation": "HEAL Africa"},
            "Choose the provider the identifiable data may be shared with.",
        ),
        ({"provider": "unknown"}, "No provider of the directory has this id."),
        ({"provider": "closed"}, "This provider is no longer active in the directory."),
        ({"provider": "panzi"}, "This provider does not offer this service."),
        ({"provider": "not-a-uuid"}, "Must be a valid UUID."),
    ],
)
def test_the_api_refuses_a_provider_with_400_on_provider(
    api_client: Any,
    request: pytest.FixtureRequest,
    wpa: User,
    case: Survivor,
    consent_text: ConsentText,
    panzi: ServiceProvider,
    closed: ServiceProvider,
    values: dict[str, Any],
    message: str,
) -> None:
    named = {"unknown": str(uuid.uuid4()), "closed": str(closed.public_id), "panzi": str(panzi.public_id)}
    if "provider" in values:
        values = {**values, "provider": named.get(values["provider"], values["provider"])}
    response = as_user(api_client, wpa).post(consents_url(case), _api_body(**values), format="json")
    assert response.status_code == 400
    assert response.json() == {"provider": [message]}
    assert not Consent.objects.filter(survivor=case).exists()


def test_the_api_intake_records_a_consent_naming_a_provider(
    api_client: Any, wpa: User, consent_text: ConsentText, heal: ServiceProvider
) -> None:
    body = {
        "field_office": "GOM",
        "name": "Canary Intake Provider",
        "consents": [_api_body(provider=str(heal.public_id))],
    }
    response = as_user(api_client, wpa).post("/api/v1/survivors/", body, format="json")
    assert response.status_code == 201, response.json()
    consent = Consent.objects.get(survivor__public_id=response.json()["public_id"])
    assert (consent.service_type, consent.provider_id) == ("medical", heal.pk)

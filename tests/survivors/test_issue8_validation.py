"""Issue 8, items 10 (survivor half) and 15: one set of limits for every door, and an API that
refuses what it does not take instead of ignoring it.

The limits are the service's (survivors/validation.py); each is checked on the page and on the
API, and on the service itself (any other door).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from crsv.accounts.models import FieldOffice, User
from survivors.identity import SurvivorIdentity
from survivors.models import Consent, ConsentText, Survivor
from survivors.services import SurvivorProfile, consent_record, survivor_register
from survivors.validation import IDENTITY_MAX_LENGTHS
from tests.survivors.test_api_common import LIST, consents_url, detail_url, with_token

pytestmark = pytest.mark.django_db

TWO_MB_NOTES = "x" * 2_000_000
NOTES_LIMIT = IDENTITY_MAX_LENGTHS["notes"]
TYPED_NAME = "Neema Kahindo Typed"


def _case_form(office: FieldOffice | None = None, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": TYPED_NAME,
        "sex": "female",
        "age": "23",
        "age_band": "unknown",
        "disability": "none",
        "displacement_status": "idp",
        "interview_count": "1",
    }
    if office is not None:
        data["field_office"] = office.pk
    data.update(overrides)
    return data


def _field_errors(response: Any, form: str = "form") -> dict[str, list[str]]:
    return {name: list(errors) for name, errors in response.context[form].errors.items()}


# --- item 10: pages refuse what the API refuses ----------------------------------------------


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"notes": TWO_MB_NOTES}, "notes"),
        ({"notes": "n" * (NOTES_LIMIT + 1)}, "notes"),
        ({"date_of_birth": "2099-01-01"}, "date_of_birth"),
        ({"date_of_birth": "1899-12-31"}, "date_of_birth"),
        ({"interview_count": "101"}, "interview_count"),
    ],
)
def test_the_create_page_refuses_what_the_api_refuses(
    login: Callable[[User], Client],
    api_client: Any,
    wpa: User,
    office: FieldOffice,
    override: dict[str, str],
    field: str,
) -> None:
    response = login(wpa).post(reverse("survivors:create"), _case_form(office, **override))
    assert response.status_code == 200
    assert field in _field_errors(response)  # the message beside the field
    assert TYPED_NAME in response.content.decode()  # what she typed is kept
    assert not Survivor.objects.exists()

    body = {"field_office": "GOM", "name": TYPED_NAME, **override}
    api = with_token(api_client, wpa).post(LIST, body, format="json")
    assert api.status_code == 400
    assert field in api.json()
    assert not Survivor.objects.exists()


def test_a_too_long_note_is_shown_again_beside_the_field_on_the_edit_page(
    login: Callable[[User], Client], case: Survivor, wpa: User
) -> None:
    too_long = "n" * (NOTES_LIMIT + 1)
    response = login(wpa).post(reverse("survivors:edit", args=[case.public_id]), _case_form(notes=too_long))
    assert response.status_code == 200
    errors = _field_errors(response)
    assert list(errors) == ["notes"]
    assert "20000" in errors["notes"][0]
    content = response.content.decode()
    assert too_long in content  # the input is kept, to shorten it
    assert 'maxlength="20000"' not in content  # a browser would cut a long paste silently
    assert SurvivorIdentity.of(Survivor.objects.get(pk=case.pk)).notes == ""


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"notes": TWO_MB_NOTES}, "notes"),
        ({"date_of_birth": "2099-01-01"}, "date_of_birth"),
        ({"date_of_birth": "1899-12-31"}, "date_of_birth"),
    ],
)
def test_edit_page_and_patch_refuse_the_same(
    login: Callable[[User], Client],
    api_client: Any,
    case: Survivor,
    wpa: User,
    change: dict[str, str],
    field: str,
) -> None:
    page = login(wpa).post(reverse("survivors:edit", args=[case.public_id]), _case_form(**change))
    assert page.status_code == 200
    assert field in _field_errors(page)
    api = with_token(api_client, wpa).patch(detail_url(case), change, format="json")
    assert api.status_code == 400
    assert field in api.json()
    identity = SurvivorIdentity.of(Survivor.objects.get(pk=case.pk))
    assert (identity.name, identity.notes, identity.date_of_birth) == ("Esperance Kavira", "", "")


@pytest.mark.parametrize(
    ("identity", "field"),
    [
        (SurvivorIdentity(name="A", notes="x" * (NOTES_LIMIT + 1)), "notes"),
        (SurvivorIdentity(name="A", date_of_birth="2099-01-01"), "date_of_birth"),
        (SurvivorIdentity(name="A", date_of_birth="0001-01-01"), "date_of_birth"),
        (SurvivorIdentity(name="A", date_of_birth="17/05/2001"), "date_of_birth"),
        (SurvivorIdentity(name="A", phone="1" * 51), "phone"),
        (SurvivorIdentity(name="  "), "name"),
    ],
)
def test_the_service_itself_holds_every_door_to_the_limits(
    wpa: User, office: FieldOffice, identity: SurvivorIdentity, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        survivor_register(actor=wpa, field_office=office, identity=identity, profile=SurvivorProfile())
    assert list(refused.value.message_dict) == [field]
    assert not Survivor.objects.exists()


def test_the_service_refuses_an_implausible_interview_count(wpa: User, office: FieldOffice) -> None:
    with pytest.raises(ValidationError) as refused:
        survivor_register(
            actor=wpa,
            field_office=office,
            identity=SurvivorIdentity(name="A"),
            profile=SurvivorProfile(interview_count=5000),
        )
    assert list(refused.value.message_dict) == ["interview_count"]


def _consent_page(**overrides: Any) -> dict[str, Any]:
    return {
        "purpose": "statistics",
        "given_by": "survivor",
        "method": "oral",
        "explained_in": "sw",
        **overrides,
    }


def test_the_consent_page_refuses_what_the_consent_api_refuses(
    login: Callable[[User], Client], api_client: Any, case: Survivor, wpa: User, consent_text: ConsentText
) -> None:
    """A service type with a non-referral purpose was silently dropped by the page."""
    url = reverse("survivors:consent_create", args=[case.public_id])
    page = login(wpa).post(url, _consent_page(service_type="medical", consent_text=consent_text.pk))
    assert page.status_code == 200
    assert "service_type" in _field_errors(page)
    api = with_token(api_client, wpa).post(
        consents_url(case),
        {
            **_consent_page(service_type="medical"),
            "consent_text_version": "1.0",
            "consent_text_language": "en",
        },
        format="json",
    )
    assert api.status_code == 400
    assert "service_type" in api.json()
    assert not Consent.objects.exists()


def test_a_consent_dated_before_1900_is_refused_by_the_api_and_the_service(
    api_client: Any, case: Survivor, wpa: User, consent_text: ConsentText
) -> None:
    body = {
        **_consent_page(),
        "consent_text_version": "1.0",
        "consent_text_language": "en",
        "given_at": "0001-01-01T00:00:00Z",
    }
    response = with_token(api_client, wpa).post(consents_url(case), body, format="json")
    assert response.status_code == 400
    assert "given_at" in response.json()
    from datetime import UTC, datetime

    with pytest.raises(ValidationError) as refused:
        consent_record(
            actor=wpa,
            survivor=case,
            purpose=Consent.Purpose.STATISTICS,
            given_by=Consent.GivenBy.SURVIVOR,
            method=Consent.Method.ORAL,
            explained_in=Consent.Language.SWAHILI,
            consent_text=consent_text,
            given_at=datetime(1, 1, 1, tzinfo=UTC),
        )
    assert "given_at" in refused.value.message_dict
    assert not Consent.objects.exists()


# --- item 15: unknown and read-only fields are refused, not ignored ------------------------


def test_patch_refuses_read_only_and_unknown_fields_and_changes_nothing(
    api_client: Any, case: Survivor, wpa: User, wpa_other: User, other_office: FieldOffice
) -> None:
    before = Survivor.objects.values("field_office_id", "assigned_wpa_id", "code").get(pk=case.pk)
    body = {
        "notes": "should not be saved",
        "field_office": "BUN",
        "assigned_wpa": wpa_other.username,
        "code": "S-2222-2222",
        "nmae": "typo",
    }
    response = with_token(api_client, wpa).patch(detail_url(case), body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"field_office", "assigned_wpa", "code", "nmae"}
    assert "cannot be changed" in errors["field_office"][0]
    assert "assign" in errors["assigned_wpa"][0]
    assert Survivor.objects.values("field_office_id", "assigned_wpa_id", "code").get(pk=case.pk) == before
    assert SurvivorIdentity.of(Survivor.objects.get(pk=case.pk)).notes == ""


def test_create_refuses_read_only_and_unknown_fields(api_client: Any, wpa: User, wpa_other: User) -> None:
    body = {"field_office": "GOM", "name": "A", "assigned_wpa": wpa_other.username, "code": "S-2222-2222"}
    response = with_token(api_client, wpa).post(LIST, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"assigned_wpa", "code"}
    assert not Survivor.objects.exists()


def test_a_known_field_alone_is_still_accepted(api_client: Any, case: Survivor, wpa: User) -> None:
    response = with_token(api_client, wpa).patch(detail_url(case), {"notes": "ok"}, format="json")
    assert response.status_code == 200
    assert response.json()["notes"] == "ok"

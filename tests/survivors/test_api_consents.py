"""/api/v1/survivors/{public_id}/consents/: the ledger, recording a consent, withdrawing one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from crsv.accounts.models import User
from crsv.audit.models import AuditEvent
from referrals.models import ServiceProvider
from survivors.consent import consent_allows
from survivors.models import Consent, ConsentText, Survivor
from survivors.services import consent_withdraw, survivor_assign
from tests.survivors.conftest import CHILD
from tests.survivors.test_api_common import (
    CANARY_NAME,
    GRANT_BODY,
    access_events,
    as_user,
    consents_url,
    grant,
    withdraw_url,
)

pytestmark = pytest.mark.django_db

ENTRY_KEYS = {
    "public_id",
    "kind",
    "purpose",
    "service_type",
    "provider",
    "organisation",
    "given_by",
    "child_assent",
    "method",
    "explained_in",
    "consent_text",
    "given_at",
    "expires_at",
    "withdraws",
    "status",
    "recorded_by",
}
NOBODY = ["outsider", "wpa_other", "analyst", "provider", "admin_user", "auditor", "no_role"]


@pytest.fixture
def owned(make_survivor: Callable[..., Survivor], wpa: User) -> Survivor:
    return make_survivor(wpa, name=CANARY_NAME)


@pytest.fixture
def given(owned: Survivor, wpa: User, consent_text: ConsentText) -> Consent:
    return grant(wpa, owned, consent_text)


@pytest.fixture
def taken_from_reporter(
    make_survivor: Callable[..., Survivor],
    reporter: User,
    senior_wpa: User,
    wpa: User,
    consent_text: ConsentText,
) -> tuple[Survivor, Consent]:
    survivor = make_survivor(reporter, name=CANARY_NAME)
    survivor_assign(actor=senior_wpa, survivor=survivor, assignee=wpa)
    return survivor, grant(wpa, survivor, consent_text)


def _ledger(api_client: Any, user: User, survivor: Survivor) -> Any:
    return as_user(api_client, user).get(consents_url(survivor))


# --- GET the ledger --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", NOBODY)
def test_ledger_out_of_scope_is_404(
    request: pytest.FixtureRequest, api_client: Any, given: Consent, owned: Survivor, persona: str
) -> None:
    assert _ledger(api_client, request.getfixturevalue(persona), owned).status_code == 404


def test_ledger_reporter_after_a_wpa_took_the_case_is_404(
    api_client: Any, taken_from_reporter: tuple[Survivor, Consent], reporter: User
) -> None:
    assert _ledger(api_client, reporter, taken_from_reporter[0]).status_code == 404


def test_ledger_owner_reads_grants_and_withdrawals_newest_first(
    api_client: Any, owned: Survivor, wpa: User, consent_text: ConsentText
) -> None:
    earlier = timezone.now() - timedelta(days=10)
    kept = grant(
        wpa,
        owned,
        consent_text,
        purpose=Consent.Purpose.REFERRAL,
        service_type=Consent.ServiceType.MEDICAL,
        given_at=earlier,
        expires_at=earlier + timedelta(days=365),
    )
    expired = grant(wpa, owned, consent_text, given_at=earlier, expires_at=earlier + timedelta(days=1))
    ended = grant(wpa, owned, consent_text, purpose=Consent.Purpose.CONTACT, given_at=earlier)
    withdrawal = consent_withdraw(actor=wpa, consent=ended)

    response = _ledger(api_client, wpa, owned)
    assert response.status_code == 200
    entries = response.json()["results"]
    assert all(set(e) == ENTRY_KEYS for e in entries)
    by_id = {e["public_id"]: e for e in entries}
    assert entries[0]["public_id"] == str(withdrawal.public_id)
    assert by_id[str(kept.public_id)] | {"given_at": None, "expires_at": None} == {
        "public_id": str(kept.public_id),
        "kind": "grant",
        "purpose": "referral",
        "service_type": "medical",
        "provider": None,
        "organisation": "",
        "given_by": "survivor",
        "child_assent": False,
        "method": "oral_witnessed",
        "explained_in": "sw",
        "consent_text": {"version": "1.0", "language": "en"},
        "given_at": None,
        "expires_at": None,
        "withdraws": None,
        "status": "active",
        "recorded_by": "wpa",
    }
    assert by_id[str(expired.public_id)]["status"] == "expired"
    assert by_id[str(ended.public_id)]["status"] == "withdrawn"
    w = by_id[str(withdrawal.public_id)]
    assert (w["kind"], w["withdraws"], w["status"], w["consent_text"]) == (
        "withdrawal",
        str(ended.public_id),
        None,
        None,
    )
    assert access_events() == 0  # the ledger reveals nobody


def test_ledger_senior_wpa_of_the_mission_reads_it_without_a_name(
    api_client: Any, given: Consent, owned: Survivor, senior_wpa: User
) -> None:
    response = _ledger(api_client, senior_wpa, owned)
    assert response.status_code == 200
    assert [e["public_id"] for e in response.json()["results"]] == [str(given.public_id)]
    assert CANARY_NAME.encode() not in response.content


def test_ledger_query_count_does_not_grow_with_entries(
    api_client: Any, owned: Survivor, wpa: User, consent_text: ConsentText, django_assert_max_num_queries: Any
) -> None:
    for _i in range(6):
        consent_withdraw(actor=wpa, consent=grant(wpa, owned, consent_text))
    client = as_user(api_client, wpa)
    with django_assert_max_num_queries(7):
        assert len(client.get(consents_url(owned)).json()["results"]) == 12


# --- POST a consent --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", NOBODY)
def test_record_out_of_scope_is_404(
    request: pytest.FixtureRequest, api_client: Any, owned: Survivor, persona: str
) -> None:
    response = as_user(api_client, request.getfixturevalue(persona)).post(
        consents_url(owned), GRANT_BODY, format="json"
    )
    assert response.status_code == 404
    assert not Consent.objects.exists()


def test_record_reporter_after_a_wpa_took_the_case_is_404(
    api_client: Any, taken_from_reporter: tuple[Survivor, Consent], reporter: User
) -> None:
    response = as_user(api_client, reporter).post(
        consents_url(taken_from_reporter[0]), GRANT_BODY, format="json"
    )
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["senior_wpa", "reporter"])
def test_record_visible_but_not_hers_to_record_is_403(
    request: pytest.FixtureRequest,
    api_client: Any,
    make_survivor: Callable[..., Survivor],
    reporter: User,
    wpa: User,
    persona: str,
) -> None:
    """A senior WPA sees every case of her mission but records consent only on hers; a reporter
    reads her own unassigned case but never records consent."""
    survivor = make_survivor(reporter if persona == "reporter" else wpa, name=CANARY_NAME)
    response = as_user(api_client, request.getfixturevalue(persona)).post(
        consents_url(survivor), GRANT_BODY, format="json"
    )
    assert response.status_code == 403
    assert CANARY_NAME.encode() not in response.content
    assert not Consent.objects.exists()


def test_record_owner_appends_a_grant(api_client: Any, owned: Survivor, wpa: User) -> None:
    panzi = ServiceProvider.objects.create(name="Panzi Foundation", service_types=["medical"])
    body = {**GRANT_BODY, "purpose": "share_identifiable", "provider": str(panzi.public_id)}
    response = as_user(api_client, wpa).post(consents_url(owned), body, format="json")
    assert response.status_code == 201
    entry = response.json()
    consent = Consent.objects.get()
    assert entry["public_id"] == str(consent.public_id)
    assert (entry["kind"], entry["status"], entry["organisation"], entry["recorded_by"]) == (
        "grant",
        "active",
        "Panzi Foundation",
        "wpa",
    )
    assert entry["provider"] == {"public_id": str(panzi.public_id), "name": "Panzi Foundation"}
    assert consent_allows(survivor=owned, purpose="share_identifiable", provider=panzi)
    assert AuditEvent.objects.filter(action="consent.record", object_public_id=consent.public_id).exists()
    assert access_events() == 0


def test_record_for_a_child_needs_a_caregiver_and_the_child_assent(
    api_client: Any, make_survivor: Callable[..., Survivor], wpa: User
) -> None:
    child = make_survivor(wpa, profile=CHILD)
    client = as_user(api_client, wpa)
    response = client.post(consents_url(child), GRANT_BODY, format="json")
    assert response.status_code == 400
    assert response.json() == {"given_by": ["For a child, consent is given by a caregiver."]}
    response = client.post(consents_url(child), {**GRANT_BODY, "given_by": "caregiver"}, format="json")
    assert response.json() == {"child_assent": ["The child's assent is required as well."]}
    assert not Consent.objects.exists()
    response = client.post(
        consents_url(child), {**GRANT_BODY, "given_by": "caregiver", "child_assent": True}, format="json"
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"purpose": "referral"}, {"service_type": ["Choose the service the referral is for."]}),
        (
            {"service_type": "medical"},
            {"service_type": ["A service type goes with a referral consent only."]},
        ),
        (
            {"purpose": "share_identifiable"},
            {"provider": ["Choose the provider the identifiable data may be shared with."]},
        ),
        (
            {"organisation": "Panzi"},
            {"organisation": ["An organisation goes with a consent to share identifiable data only."]},
        ),
        (
            {"given_at": "2026-01-02T00:00:00Z", "expires_at": "2026-01-01T00:00:00Z"},
            {"expires_at": ["A consent must expire after it was given."]},
        ),
        (
            {"consent_text_version": "0.1"},
            {"consent_text_version": ["No consent text has this version in this language."]},
        ),
        ({"method": "telepathy"}, {"method": ["Not a valid choice."]}),
        ({"purpose": None}, {"purpose": ["This field may not be null."]}),
    ],
)
def test_record_invalid_is_400_with_field_errors(
    api_client: Any, owned: Survivor, wpa: User, change: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    response = as_user(api_client, wpa).post(consents_url(owned), {**GRANT_BODY, **change}, format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert not Consent.objects.exists()


def test_record_a_retired_text_is_a_field_error(
    api_client: Any, owned: Survivor, wpa: User, consent_text: ConsentText
) -> None:
    ConsentText.objects.filter(pk=consent_text.pk).update(retired_at=timezone.now())
    response = as_user(api_client, wpa).post(consents_url(owned), GRANT_BODY, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "consent_text_version": ["This consent text version is retired; use the current one."]
    }


# --- POST withdraw ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", NOBODY)
def test_withdraw_out_of_scope_is_404(
    request: pytest.FixtureRequest, api_client: Any, owned: Survivor, given: Consent, persona: str
) -> None:
    response = as_user(api_client, request.getfixturevalue(persona)).post(withdraw_url(owned, given))
    assert response.status_code == 404
    assert consent_allows(survivor=owned, purpose="case_management")


def test_withdraw_reporter_after_a_wpa_took_the_case_is_404(
    api_client: Any, taken_from_reporter: tuple[Survivor, Consent], reporter: User
) -> None:
    survivor, consent = taken_from_reporter
    assert as_user(api_client, reporter).post(withdraw_url(survivor, consent)).status_code == 404


def test_withdraw_a_consent_of_another_case_through_this_one_is_404(
    api_client: Any,
    owned: Survivor,
    make_survivor: Callable[..., Survivor],
    wpa: User,
    consent_text: ConsentText,
) -> None:
    other = make_survivor(wpa, name="Other")
    theirs = grant(wpa, other, consent_text)
    client = as_user(api_client, wpa)
    assert client.post(withdraw_url(owned, theirs)).status_code == 404
    assert client.post(withdraw_url(owned, Consent().public_id)).status_code == 404
    assert consent_allows(survivor=other, purpose="case_management")


def test_withdraw_senior_wpa_not_assigned_is_403(
    api_client: Any, owned: Survivor, given: Consent, senior_wpa: User
) -> None:
    response = as_user(api_client, senior_wpa).post(withdraw_url(owned, given))
    assert response.status_code == 403
    assert consent_allows(survivor=owned, purpose="case_management")


def test_withdraw_takes_effect_and_a_second_withdrawal_is_400(
    api_client: Any, owned: Survivor, given: Consent, wpa: User
) -> None:
    client = as_user(api_client, wpa)
    response = client.post(withdraw_url(owned, given))
    assert response.status_code == 201
    entry = response.json()
    assert (entry["kind"], entry["withdraws"], entry["purpose"], entry["status"]) == (
        "withdrawal",
        str(given.public_id),
        "case_management",
        None,
    )
    assert not consent_allows(survivor=owned, purpose="case_management")
    assert AuditEvent.objects.filter(action="consent.withdraw").count() == 1

    again = client.post(withdraw_url(owned, given))
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["This consent was already withdrawn."]}
    withdrawal = Consent.objects.get(kind="withdrawal")
    response = client.post(withdraw_url(owned, withdrawal))
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Only a consent given can be withdrawn."]}
    assert Consent.objects.count() == 2
    assert access_events() == 0

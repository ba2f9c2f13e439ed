"""`consent_allows`: every later feature asks it; tabled cases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from crsv.accounts.models import User
from survivors.consent import consent_allows, consent_status
from survivors.models import Consent, ConsentText, Survivor
from survivors.services import consent_record, consent_withdraw
from tests.survivors.conftest import CHILD
from tests.survivors.test_api_common import legacy_sharing_grant

pytestmark = pytest.mark.django_db
P = Consent.Purpose
NOW = timezone.now


def _grant(actor: User, survivor: Survivor, text: ConsentText, **overrides: Any) -> Consent:
    values: dict[str, Any] = {
        "purpose": P.CASE_MANAGEMENT,
        "given_by": Consent.GivenBy.SURVIVOR,
        "method": Consent.Method.ORAL_WITNESSED,
        "explained_in": Consent.Language.SWAHILI,
        "consent_text": text,
    }
    values.update(overrides)
    return consent_record(actor=actor, survivor=survivor, **values)


@pytest.mark.parametrize(
    ("grant", "ask", "expected"),
    [
        ({}, {"purpose": P.CASE_MANAGEMENT}, True),
        ({}, {"purpose": P.STATISTICS}, False),  # a purpose never given
        (
            {"purpose": P.REFERRAL, "service_type": "medical"},
            {"purpose": P.REFERRAL, "service_type": "medical"},
            True,
        ),
        (
            {"purpose": P.REFERRAL, "service_type": "medical"},
            {"purpose": P.REFERRAL, "service_type": "legal_aid"},
            False,
        ),
        ({"expires_at": "+1d"}, {"purpose": P.CASE_MANAGEMENT}, True),
        ({"given_at": "-10d", "expires_at": "-1d"}, {"purpose": P.CASE_MANAGEMENT}, False),  # expired
        ({"given_at": "+1d"}, {"purpose": P.CASE_MANAGEMENT}, False),  # not yet given
    ],
)
def test_adult_grants(
    case: Survivor,
    wpa: User,
    consent_text: ConsentText,
    grant: dict[str, Any],
    ask: dict[str, Any],
    expected: bool,
) -> None:
    for key in ("given_at", "expires_at"):
        if key in grant:
            grant[key] = NOW() + timedelta(days=int(grant[key][:-1]))
    _grant(wpa, case, consent_text, **grant)
    assert consent_allows(survivor=case, **ask) is expected


def test_withdrawal_takes_effect_at_once(case: Survivor, wpa: User, consent_text: ConsentText) -> None:
    grant = _grant(wpa, case, consent_text, purpose=P.REFERRAL, service_type="medical")
    assert consent_allows(survivor=case, purpose=P.REFERRAL, service_type="medical")
    before = NOW()
    consent_withdraw(actor=wpa, consent=grant)
    assert not consent_allows(survivor=case, purpose=P.REFERRAL, service_type="medical")
    # Still answered correctly for a moment before the withdrawal (the ledger keeps history).
    assert consent_allows(survivor=case, purpose=P.REFERRAL, service_type="medical", at=before)
    grant.refresh_from_db()
    assert consent_status(grant) == "withdrawn"


def test_withdrawal_is_a_new_entry_and_cannot_repeat(
    case: Survivor, wpa: User, consent_text: ConsentText
) -> None:
    grant = _grant(wpa, case, consent_text)
    withdrawal = consent_withdraw(actor=wpa, consent=grant)
    assert withdrawal.kind == Consent.Kind.WITHDRAWAL
    assert withdrawal.withdraws == grant
    assert Consent.objects.filter(survivor=case).count() == 2
    with pytest.raises(ValidationError, match="already withdrawn"):
        consent_withdraw(actor=wpa, consent=grant)
    with pytest.raises(ValidationError, match="Only a consent given"):
        consent_withdraw(actor=wpa, consent=withdrawal)


def test_a_legacy_sharing_consent_allows_its_typed_organisation_only(
    case: Survivor, wpa: User, consent_text: ConsentText
) -> None:
    """The free-text sharing consents recorded before the directory answer the legacy question."""
    legacy_sharing_grant(wpa, case, consent_text, "HEAL Africa")
    assert consent_allows(survivor=case, purpose=P.SHARE_IDENTIFIABLE, organisation="heal africa ")
    assert not consent_allows(survivor=case, purpose=P.SHARE_IDENTIFIABLE, organisation="Panzi")


def test_a_new_grant_after_withdrawal_allows_again(
    case: Survivor, wpa: User, consent_text: ConsentText
) -> None:
    consent_withdraw(actor=wpa, consent=_grant(wpa, case, consent_text))
    assert not consent_allows(survivor=case, purpose=P.CASE_MANAGEMENT)
    _grant(wpa, case, consent_text)
    assert consent_allows(survivor=case, purpose=P.CASE_MANAGEMENT)


@pytest.mark.parametrize(
    ("given_by", "assent", "error_field"),
    [
        (Consent.GivenBy.CAREGIVER, True, None),
        (Consent.GivenBy.CAREGIVER, False, "child_assent"),
        (Consent.GivenBy.SURVIVOR, False, "given_by"),
    ],
)
def test_child_needs_caregiver_and_assent(
    make_survivor: Callable[..., Survivor],
    wpa: User,
    consent_text: ConsentText,
    given_by: str,
    assent: bool,
    error_field: str | None,
) -> None:
    child = make_survivor(wpa, profile=CHILD)
    assert child.is_child
    if error_field is None:
        _grant(wpa, child, consent_text, given_by=given_by, child_assent=assent)
        assert consent_allows(survivor=child, purpose=P.CASE_MANAGEMENT)
    else:
        with pytest.raises(ValidationError) as excinfo:
            _grant(wpa, child, consent_text, given_by=given_by, child_assent=assent)
        assert error_field in excinfo.value.message_dict
        assert not consent_allows(survivor=child, purpose=P.CASE_MANAGEMENT)


def test_adult_consent_by_caregiver_is_refused(case: Survivor, wpa: User, consent_text: ConsentText) -> None:
    with pytest.raises(ValidationError) as excinfo:
        _grant(wpa, case, consent_text, given_by=Consent.GivenBy.CAREGIVER, child_assent=True)
    assert "given_by" in excinfo.value.message_dict


def test_referral_needs_service_type(case: Survivor, wpa: User, consent_text: ConsentText) -> None:
    with pytest.raises(ValidationError) as excinfo:
        _grant(wpa, case, consent_text, purpose=P.REFERRAL)
    assert "service_type" in str(excinfo.value) or "consent_service_type_iff_referral" in str(excinfo.value)


def test_erased_case_allows_nothing(case: Survivor, wpa: User, consent_text: ConsentText) -> None:
    _grant(wpa, case, consent_text)
    case.erased_at = NOW()
    assert not consent_allows(survivor=case, purpose=P.CASE_MANAGEMENT)


def test_ledger_is_append_only_at_the_database(case: Survivor, wpa: User, consent_text: ConsentText) -> None:
    grant = _grant(wpa, case, consent_text)
    with pytest.raises(DatabaseError), transaction.atomic():
        Consent.objects.filter(pk=grant.pk).update(expires_at=NOW())
    with pytest.raises(DatabaseError), transaction.atomic():
        Consent.objects.filter(pk=grant.pk).delete()


def test_retired_text_is_refused(case: Survivor, wpa: User, consent_text: ConsentText) -> None:
    consent_text.retired_at = NOW()
    consent_text.save()
    with pytest.raises(ValidationError) as excinfo:
        _grant(wpa, case, consent_text)
    assert "consent_text" in excinfo.value.message_dict


def test_referral_and_sharing_by_provider(case: Survivor, wpa: User, consent_text: ConsentText) -> None:
    """A referral consent naming no provider allows any provider of its type; one naming a
    provider allows that one; sharing needs a consent naming the very provider (issue 10)."""
    from referrals.models import ServiceProvider

    heal = ServiceProvider.objects.create(name="HEAL Africa", service_types=["medical"])
    panzi = ServiceProvider.objects.create(name="Panzi", service_types=["medical", "legal_aid"])
    _grant(wpa, case, consent_text, purpose=P.REFERRAL, service_type="medical", provider=heal)
    assert consent_allows(survivor=case, purpose=P.REFERRAL, service_type="medical", provider=heal)
    assert not consent_allows(survivor=case, purpose=P.REFERRAL, service_type="medical", provider=panzi)
    assert not consent_allows(survivor=case, purpose=P.REFERRAL, service_type="medical")  # any: no
    _grant(wpa, case, consent_text, purpose=P.REFERRAL, service_type="legal_aid")
    assert consent_allows(survivor=case, purpose=P.REFERRAL, service_type="legal_aid", provider=panzi)
    assert consent_allows(survivor=case, purpose=P.REFERRAL, service_type="legal_aid")
    assert not consent_allows(survivor=case, purpose=P.SHARE_IDENTIFIABLE, provider=heal)
    legacy_sharing_grant(wpa, case, consent_text, "HEAL Africa")  # legacy text, no provider
    assert not consent_allows(survivor=case, purpose=P.SHARE_IDENTIFIABLE, provider=heal)
    _grant(wpa, case, consent_text, purpose=P.SHARE_IDENTIFIABLE, provider=heal)
    assert consent_allows(survivor=case, purpose=P.SHARE_IDENTIFIABLE, provider=heal)
    assert not consent_allows(survivor=case, purpose=P.SHARE_IDENTIFIABLE, provider=panzi)

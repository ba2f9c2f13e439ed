"""No referral leaves without consent (per service type, per named provider); withdrawal revokes
the open referrals that relied on it, and only those (issue 10 items 2 and 4)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from crsv.accounts.models import User
from referrals.models import Referral, ReferralEvent, ServiceProvider
from referrals.services import referral_send, referral_transition
from survivors.consent import consent_allows
from survivors.models import Consent, ConsentText, Survivor
from survivors.services import consent_withdraw
from tests.survivors.test_api_common import legacy_sharing_grant

pytestmark = pytest.mark.django_db
P = Consent.Purpose


def test_no_consent_nothing_sent(case: Survivor, refer: Callable[..., Referral], wpa: User) -> None:
    draft = refer(case)
    with pytest.raises(ValidationError) as caught:
        referral_send(actor=wpa, referral=draft)
    message = caught.value.message_dict["consent"][0]
    assert "medical" in message and "HEAL Africa" in message
    assert Referral.objects.get(pk=draft.pk).state == Referral.State.DRAFT
    with pytest.raises(ValidationError):
        refer(case, send=True)
    assert Referral.objects.count() == 1  # the one sent at creation was never created


def test_consent_is_per_service_type(
    case: Survivor, consent: Callable[..., Consent], refer: Callable[..., Referral]
) -> None:
    consent(case, service_type="psychosocial")
    with pytest.raises(ValidationError):
        refer(case, service_type="medical", send=True)
    assert refer(case, service_type="psychosocial", send=True).state == Referral.State.SENT


def test_consent_naming_a_provider_allows_that_provider_only(
    case: Survivor,
    consent: Callable[..., Consent],
    refer: Callable[..., Referral],
    hospital: ServiceProvider,
    clinic: ServiceProvider,
) -> None:
    named = consent(case, provider=hospital)
    with pytest.raises(ValidationError):
        refer(case, provider=clinic, send=True)
    sent = refer(case, provider=hospital, send=True)
    assert sent.consent == named
    anyone = consent(case)  # any provider of the type
    assert refer(case, provider=clinic, send=True).consent == anyone
    # Both in force: the one naming the provider is the one relied on.
    assert refer(case, provider=hospital, send=True).consent == named


def test_sharing_consent_names_the_provider(
    case: Survivor,
    consent: Callable[..., Consent],
    hospital: ServiceProvider,
    clinic: ServiceProvider,
    wpa: User,
    consent_text: ConsentText,
) -> None:
    grant = consent(case, P.SHARE_IDENTIFIABLE, provider=hospital)
    assert grant.organisation == "HEAL Africa"
    assert consent_allows(survivor=case, purpose=P.SHARE_IDENTIFIABLE, provider=hospital)
    assert not consent_allows(survivor=case, purpose=P.SHARE_IDENTIFIABLE, provider=clinic)
    legacy = legacy_sharing_grant(wpa, case, consent_text, "Clinique Ngangi")  # names no provider
    assert legacy.provider is None
    assert not consent_allows(survivor=case, purpose=P.SHARE_IDENTIFIABLE, provider=clinic)


def test_withdrawal_revokes_only_the_referrals_relying_on_it(
    case: Survivor,
    consent: Callable[..., Consent],
    refer: Callable[..., Referral],
    wpa: User,
    provider: User,
    hospital: ServiceProvider,
    clinic: ServiceProvider,
) -> None:
    medical = consent(case)
    psychosocial = consent(case, service_type="psychosocial")
    sent = refer(case, send=True)
    accepted = referral_transition(user=provider, referral=refer(case, send=True), action="accept")
    completed = referral_transition(user=provider, referral=refer(case, send=True), action="accept")
    referral_transition(user=provider, referral=completed, action="complete")
    other = refer(case, service_type="psychosocial", send=True)
    draft = refer(case)
    consent_withdraw(actor=wpa, consent=medical)
    states = dict(Referral.objects.values_list("pk", "state"))
    assert states[sent.pk] == states[accepted.pk] == Referral.State.REVOKED
    assert states[completed.pk] == Referral.State.COMPLETED  # done: nothing to revoke
    assert states[other.pk] == Referral.State.SENT  # another consent
    assert states[draft.pk] == Referral.State.DRAFT  # relied on nothing yet
    event = ReferralEvent.objects.filter(referral=sent, action="revoke").get()
    assert (event.from_state, event.actor) == (Referral.State.SENT, wpa)
    assert psychosocial.pk  # untouched
    with pytest.raises(ValidationError):  # the draft can no longer be sent either
        referral_send(actor=wpa, referral=draft)


def test_withdrawal_fails_whole_when_revocation_fails(
    case: Survivor,
    consent: Callable[..., Consent],
    refer: Callable[..., Referral],
    wpa: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Same transaction: a subscriber that raises rolls the withdrawal back."""
    from crsv import registry

    grant = consent(case)
    refer(case, send=True)

    def broken(**kwargs: object) -> None:
        raise RuntimeError("subscriber failed")

    monkeypatch.setitem(registry.consent_withdrawn_hooks, "referrals.revoke", broken)
    with pytest.raises(RuntimeError):
        consent_withdraw(actor=wpa, consent=grant)
    assert not Consent.objects.filter(withdraws=grant).exists()
    assert Referral.objects.get().state == Referral.State.SENT


def test_provider_only_for_referral_or_sharing(
    case: Survivor, consent: Callable[..., Consent], hospital: ServiceProvider
) -> None:
    with pytest.raises(ValidationError) as caught:
        consent(case, P.CASE_MANAGEMENT, provider=hospital)
    assert "provider" in caught.value.message_dict
    with pytest.raises(ValidationError):
        consent(case, service_type="legal_aid", provider=hospital)  # the hospital offers no legal aid

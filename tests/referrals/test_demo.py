"""The demo cases, providers and referrals (issue 10 item 8): made through the services, in every
state, idempotent, loaded by `manage.py bootstrap --demo` after the incidents."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from crsv.accounts.models import FieldOffice, User
from crsv.audit.models import AuditEvent
from referrals.demo import PROVIDERS, REFERRALS
from referrals.models import ProviderMembership, Referral, ReferralEvent, ServiceProvider, provider_id_of
from reports.rollups import rollups_flush, rollups_recompute
from survivors.consent import consent_allows
from survivors.demo import OFFICES as CASE_OFFICES
from survivors.identity import SurvivorIdentity
from survivors.models import Consent, Survivor

pytestmark = pytest.mark.django_db

CASES = sum(count for count, _wpa in CASE_OFFICES.values())


def _bootstrap() -> str:
    output = StringIO()
    call_command("bootstrap", "--demo", stdout=output)
    return output.getvalue()


def _check_cases() -> None:
    assert 55 <= Survivor.objects.count() == CASES <= 65
    by_office = {code: Survivor.objects.filter(field_office__code=code) for code in CASE_OFFICES}
    for code, (count, wpa) in CASE_OFFICES.items():
        assert by_office[code].count() == count
        assert set(by_office[code].values_list("assigned_wpa__username", flat=True)) == {wpa}
    # Every case is linked to an incident of its own office, and has a case-management consent.
    for survivor in Survivor.objects.prefetch_related("incidents").select_related("data_key"):
        incidents = list(survivor.incidents.all())
        assert incidents and all(i.field_office_id == survivor.field_office_id for i in incidents)
        assert consent_allows(survivor=survivor, purpose=Consent.Purpose.CASE_MANAGEMENT)
        assert SurvivorIdentity.of(survivor).name.endswith("(demo)")
    children = [s for s in Survivor.objects.all() if s.is_child]
    assert len(children) >= 3
    child_grants = Consent.objects.filter(survivor__in=children, kind=Consent.Kind.GRANT)
    assert child_grants.exists()
    assert not child_grants.exclude(given_by=Consent.GivenBy.CAREGIVER, child_assent=True).exists()
    assert Survivor.objects.filter(sex=Survivor.Sex.MALE).exists()
    # Some cases were registered by the reporter and assigned by the senior WPA.
    assert AuditEvent.objects.filter(action="survivor.assign").exists()


def _check_providers() -> None:
    assert ServiceProvider.objects.count() == len(PROVIDERS) >= 12
    for office in FieldOffice.objects.filter(code__in=CASE_OFFICES):
        serving = ServiceProvider.objects.active().filter(field_offices=office)
        assert serving.offering("medical").filter(pep_available=True).exists(), office.code
    assert ServiceProvider.objects.filter(child_friendly=True).exists()
    assert ServiceProvider.objects.filter(serves_male_survivors=True).exists()
    assert ServiceProvider.objects.filter(active=False).exists()
    emails = ServiceProvider.objects.values_list("contact_email", flat=True)
    assert all(email.endswith(".example.org") for email in emails)
    assert not ServiceProvider.objects.filter(languages=[]).exists()
    assert not ServiceProvider.objects.filter(locations=None).exists()


def _check_referrals() -> None:
    assert Referral.objects.count() == len(REFERRALS)
    assert set(Referral.objects.values_list("state", flat=True)) == set(Referral.State.values)
    now = timezone.now()
    overdue = Referral.objects.overdue(now)
    assert overdue.count() >= 3
    assert set(overdue.values_list("state", flat=True)) == {Referral.State.SENT, Referral.State.ACCEPTED}
    # Every reference as the incidents' (MONUSCO-GOM-2026-R-00012); every sent one names its consent.
    assert all(
        re.fullmatch(r"MONUSCO-(GOM|BUN|BKV)-\d{4}-R-\d{5}", ref)
        for ref in Referral.objects.values_list("reference", flat=True)
    )
    assert not Referral.objects.exclude(sent_at=None).filter(consent=None).exists()
    # Revoked through a real withdrawal: the consent each relied on was withdrawn.
    for referral in Referral.objects.filter(state=Referral.State.REVOKED):
        assert referral.consent is not None and Consent.objects.filter(withdraws=referral.consent).exists()
        assert referral.consent.provider_id == referral.provider_id
    # Each move left its history event, in order.
    for state, action in (("completed", "complete"), ("in_progress", "start"), ("declined", "decline")):
        assert ReferralEvent.objects.filter(referral__state=state, action=action).exists()


def _check_provider_user() -> None:
    provider = User.objects.get(username="provider")
    organisation = ProviderMembership.objects.get(user=provider).provider
    assert organisation.field_offices.filter(code="GOM").exists()
    assert provider_id_of(provider) == organisation.pk
    seen = Referral.objects.visible_to(User.objects.get(username="provider"))
    assert seen.count() >= 5
    assert set(seen.values_list("provider_id", flat=True)) == {organisation.pk}
    assert Referral.objects.filter(provider=organisation, state=Referral.State.DRAFT).exists()
    assert not seen.filter(state=Referral.State.DRAFT).exists()
    # Some of her referrals come with a consent to share the safe contact details with her organisation.
    assert Consent.objects.filter(
        purpose=Consent.Purpose.SHARE_IDENTIFIABLE,
        provider=organisation,
        survivor__referrals__provider=organisation,
    ).exists()


def test_demo_cases_providers_and_referrals() -> None:
    """One test (bootstrap loads 300 incidents first), several checks, then idempotence."""
    first = _bootstrap()

    assert f"demo survivors: {CASES} created" in first
    assert f"demo referrals: {len(PROVIDERS) + len(REFERRALS)} created" in first
    for username in ("provider", "provider_bunia", "provider_bukavu"):
        assert re.search(rf"^  {username} +otpauth://totp/", first, re.MULTILINE), username
    _check_cases()
    _check_providers()
    _check_referrals()
    _check_provider_user()
    # The statistics rollup the triggers kept through the whole demo equals a full scan (reports).
    rollups_flush()
    assert rollups_recompute(replace=False).differences == 0

    counts = (Survivor.objects.count(), Consent.objects.count(), ServiceProvider.objects.count())
    events = ReferralEvent.objects.count()
    second = _bootstrap()

    assert "demo survivors: present" in second
    assert "demo referrals: present" in second
    assert (Survivor.objects.count(), Consent.objects.count(), ServiceProvider.objects.count()) == counts
    assert Referral.objects.count() == len(REFERRALS)
    assert ReferralEvent.objects.count() == events
    assert ProviderMembership.objects.count() == 3

"""Who sees which referral, what a provider reads, and the list's query count (issue 10 items 5-6)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crsv.accounts.models import User
from crsv.audit.models import AccessEvent
from referrals import selectors
from referrals.models import Referral, ServiceProvider
from referrals.selectors import DirectoryFlags
from survivors.models import Consent, Survivor
from survivors.services import survivor_grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(case: Survivor, consent: Callable[..., Consent], refer: Callable[..., Referral]) -> Referral:
    consent(case)
    return refer(case, note="Needs PEP within 72 hours.", send=True)


def test_bunia_wpa_without_grant_gets_404_then_sees_it_with_one(
    sent: Referral, wpa_other: User, senior_wpa: User, case: Survivor
) -> None:
    with pytest.raises(Http404):
        selectors.referral_get(user=wpa_other, public_id=sent.public_id)
    assert list(selectors.referral_list(user=wpa_other)) == []
    survivor_grant(actor=senior_wpa, survivor=case, grantee=wpa_other)
    fresh = User.objects.get(pk=wpa_other.pk)
    assert selectors.referral_get(user=fresh, public_id=sent.public_id) == sent


def test_who_sees_what(
    sent: Referral,
    case: Survivor,
    refer: Callable[..., Referral],
    wpa: User,
    senior_wpa: User,
    provider: User,
    clinic_user: User,
    outsider: User,
) -> None:
    draft = refer(case)
    assert set(selectors.referral_list(user=wpa)) == {sent, draft}
    assert set(selectors.referral_list(user=senior_wpa)) == {sent, draft}
    assert list(selectors.referral_list(user=provider)) == [sent]  # never a draft
    assert list(selectors.referral_list(user=clinic_user)) == []  # another organisation
    assert list(selectors.referral_list(user=outsider)) == []
    for user in (provider, clinic_user):
        with pytest.raises(Http404):
            selectors.referral_get(user=user, public_id=draft.public_id)
    with pytest.raises(Http404):
        selectors.provider_referral_get(user=clinic_user, public_id=sent.public_id)


@pytest.mark.parametrize("persona", ["analyst", "admin_user", "auditor", "reporter"])
def test_roles_without_referrals_are_refused_the_list(request: pytest.FixtureRequest, persona: str) -> None:
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        selectors.referral_list(user=user)


def test_provider_view_is_minimal_and_contact_needs_the_named_consent(
    sent: Referral,
    case: Survivor,
    consent: Callable[..., Consent],
    provider: User,
    clinic: ServiceProvider,
) -> None:
    case.safe_contact_method = "Call her sister"
    case.safe_contact_times = "Mornings"
    case.save()
    view = selectors.provider_referral_get(user=provider, public_id=sent.public_id)
    assert (view.survivor_code, view.note, view.urgency) == (
        case.code,
        "Needs PEP within 72 hours.",
        "emergency",
    )
    assert (view.safe_contact_method, view.safe_contact_times, view.contact_shared) == (None, None, False)
    field_names = set(vars(view))
    assert not field_names & {"name", "narrative", "incident", "phone", "address"}
    consent(case, Consent.Purpose.SHARE_IDENTIFIABLE, provider=clinic)  # another organisation
    assert (
        selectors.provider_referral_get(user=provider, public_id=sent.public_id).safe_contact_method is None
    )
    assert not AccessEvent.objects.exists()
    consent(case, Consent.Purpose.SHARE_IDENTIFIABLE, provider=sent.provider)
    view = selectors.provider_referral_get(user=provider, public_id=sent.public_id)
    assert (view.safe_contact_method, view.safe_contact_times) == ("Call her sister", "Mornings")
    assert AccessEvent.objects.filter(actor=provider, survivor_public_id=case.public_id).count() == 1
    rows = selectors.provider_referral_page(user=provider).rows
    assert [r.reference for r in rows] == [sent.reference]
    assert rows[0].contact_shared and rows[0].safe_contact_method is None  # lists never show it


def test_filters_and_overdue(
    sent: Referral, case: Survivor, refer: Callable[..., Referral], wpa: User
) -> None:
    routine = refer(case, urgency=Referral.Urgency.ROUTINE, send=True)
    assert list(selectors.referral_list(user=wpa, urgency="routine")) == [routine]
    assert set(selectors.referral_list(user=wpa, state="sent")) == {sent, routine}
    assert list(selectors.referral_list(user=wpa, overdue=True)) == []
    later = timezone.now() + timedelta(hours=5)
    assert list(selectors.referral_list(user=wpa, overdue=True, now=later)) == [sent]


def _list_queries(user: User) -> int:
    fresh = User.objects.get(pk=user.pk)
    fresh.role_names(), fresh.office_ids(), fresh.mission_ids()
    with CaptureQueriesContext(connection) as queries:
        page = selectors.referral_page(user=fresh, size=50)
        [(r.survivor.code, r.provider.name, r.note, r.survivor.field_office.mission.code) for r in page.rows]
    return len(queries)


def _provider_queries(user: User) -> int:
    fresh = User.objects.get(pk=user.pk)
    fresh.role_names(), fresh.office_ids(), fresh.mission_ids()
    with CaptureQueriesContext(connection) as queries:
        selectors.provider_referral_page(user=fresh, size=50)
    return len(queries)


def test_list_query_count_is_constant_in_rows(
    case: Survivor, consent: Callable[..., Consent], refer: Callable[..., Referral], wpa: User, provider: User
) -> None:
    consent(case)
    refer(case, note="one", send=True)
    few = (_list_queries(wpa), _provider_queries(provider))
    for n in range(8):
        refer(case, note=f"note {n}", send=True)
    assert (_list_queries(wpa), _provider_queries(provider)) == few


def test_directory(
    hospital: ServiceProvider,
    clinic: ServiceProvider,
    other_office: object,
    wpa: User,
    provider: User,
    admin_user: User,
) -> None:
    assert list(selectors.provider_list(user=wpa)) == [clinic, hospital]
    assert list(selectors.provider_list(user=wpa, office=other_office)) == [hospital]  # type: ignore[arg-type]
    assert list(selectors.provider_list(user=wpa, flags=DirectoryFlags(pep_available=True))) == [hospital]
    assert list(selectors.provider_list(user=wpa, service_type="legal_aid")) == []
    ServiceProvider.objects.filter(pk=clinic.pk).update(active=False)
    assert list(selectors.provider_list(user=wpa)) == [hospital]
    assert list(selectors.provider_list(user=admin_user, include_inactive=True)) == [clinic, hospital]
    with pytest.raises(PermissionDenied):
        selectors.provider_list(user=provider)

"""What referrals adds to other pages without their importing it (crsv.registry): the case
page's referrals and "Refer", the home panels, and the navigation links."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db.models import F
from django.test import Client

from crsv.accounts.models import User
from referrals.models import Referral
from survivors.models import Consent, Survivor

pytestmark = pytest.mark.django_db


def case_url(case: Survivor) -> str:
    return f"/survivors/{case.public_id}/"


def test_case_page_shows_its_referrals_and_refer(
    login: Callable[[User], Client], wpa: User, case: Survivor, refer: Callable[..., Referral]
) -> None:
    draft = refer(case)
    html = login(wpa).get(case_url(case)).content.decode()
    assert draft.reference in html
    assert f'href="/referrals/new/?survivor={case.public_id}"' in html and ">Refer<" in html


def test_no_refer_for_who_may_not(
    login: Callable[[User], Client], reporter: User, make_survivor: Callable[..., Survivor]
) -> None:
    registered = make_survivor(reporter)  # a reporter sees the case she registered; no referrals
    response = login(reporter).get(case_url(registered))
    assert response.status_code == 200
    assert ">Refer<" not in response.content.decode() and response.context["sections"] == []


def test_provider_home_shows_new_referrals(
    login: Callable[[User], Client],
    provider: User,
    case: Survivor,
    consent: Callable[..., Consent],
    refer: Callable[..., Referral],
) -> None:
    consent(case)
    sent = refer(case, send=True)
    html = login(provider).get("/").content.decode()
    assert "New referrals for your organisation" in html and sent.reference in html
    assert "Esperance" not in html


def test_wpa_home_shows_referrals_due_soon_or_overdue(
    login: Callable[[User], Client],
    wpa: User,
    case: Survivor,
    consent: Callable[..., Consent],
    refer: Callable[..., Referral],
) -> None:
    consent(case)
    soon = refer(case, send=True)  # emergency: due in 4 hours
    later = refer(case, send=True, urgency=Referral.Urgency.ROUTINE)  # in 7 days
    late = refer(case, send=True, urgency=Referral.Urgency.HIGH)
    day = timedelta(days=1)
    Referral.objects.filter(pk=late.pk).update(
        created_at=F("created_at") - day * 2, due_at=F("created_at") - day * 2 + timedelta(minutes=1)
    )
    response = login(wpa).get("/")
    html = response.content.decode()
    assert "Referrals due soon or overdue" in html
    assert late.reference in html and soon.reference in html and later.reference not in html
    assert html.index(late.reference) < html.index(soon.reference)  # the most urgent first


def test_navigation_by_capability(
    login: Callable[[User], Client], wpa: User, provider: User, analyst: User
) -> None:
    html = login(wpa).get("/").content.decode()
    assert (
        'href="/referrals/">Referrals<' in html and 'href="/referrals/providers/">Service directory<' in html
    )
    html = login(provider).get("/").content.decode()
    assert 'href="/referrals/">Referrals<' in html and "Service directory" not in html
    html = login(analyst).get("/").content.decode()
    assert 'href="/referrals/"' not in html and "Service directory" not in html

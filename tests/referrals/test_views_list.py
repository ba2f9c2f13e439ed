"""The referral list (issue 10 item 6): per role, filters, overdue shown, keyset pages, the
provider's minimal rows, and a query count that does not grow with the rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext

from crsv.accounts.models import User
from referrals import selectors
from referrals.models import Referral
from survivors.models import Consent, Survivor

pytestmark = pytest.mark.django_db

NAME = "Esperance Kavira"


@pytest.fixture
def consented(case: Survivor, consent: Callable[..., Consent]) -> Survivor:
    consent(case)
    return case


def make_overdue(referral: Referral) -> None:
    """Made and sent a day ago, due a minute after (a test shortcut for a clock that moved on):
    the oldest row now."""
    day = timedelta(days=1)
    Referral.objects.filter(pk=referral.pk).update(
        created_at=F("created_at") - day,
        sent_at=F("sent_at") - day,
        due_at=F("created_at") - day + timedelta(minutes=1),
    )


def test_case_worker_sees_her_cases_referrals_with_overdue_shown(
    login: Callable[[User], Client], wpa: User, consented: Survivor, refer: Callable[..., Referral]
) -> None:
    draft = refer(consented, urgency="routine")
    late = refer(consented, send=True)
    make_overdue(late)
    response = login(wpa).get("/referrals/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["reference"] for r in rows] == [draft.reference, late.reference]
    assert [r["overdue"] for r in rows] == [False, True]
    html = response.content.decode()
    assert "overdue" in html and "HEAL Africa" in html and NAME not in html


def test_filters_by_state_urgency_overdue_and_mine(
    login: Callable[[User], Client],
    wpa: User,
    senior_wpa: User,
    consented: Survivor,
    refer: Callable[..., Referral],
) -> None:
    draft = refer(consented, urgency="routine")
    sent = refer(consented, send=True)
    by_senior = refer(consented, actor=senior_wpa, urgency="high")
    make_overdue(sent)
    client = login(wpa)

    def refs(query: str) -> list[str]:
        return [r["reference"] for r in client.get(f"/referrals/?{query}").context["rows"]]

    assert refs("state=draft") == [by_senior.reference, draft.reference]
    assert refs("urgency=routine") == [draft.reference]
    assert refs("overdue=on") == [sent.reference]
    assert refs("mine=on") == [draft.reference, sent.reference]  # the sent one is a day old
    bad = client.get("/referrals/?state=lost")
    assert bad.status_code == 200 and bad.context["form"].errors["state"] and bad.context["rows"] == []


def test_provider_sees_minimal_rows_of_her_organisation_only(
    login: Callable[[User], Client],
    provider: User,
    clinic_user: User,
    consented: Survivor,
    refer: Callable[..., Referral],
) -> None:
    refer(consented)  # a draft: never a provider's
    sent = refer(consented, send=True, note="Secret note for the row?")
    response = login(provider).get("/referrals/")
    assert response.status_code == 200 and response.context["as_provider"]
    assert [r["reference"] for r in response.context["rows"]] == [sent.reference]
    html = response.content.decode()
    assert consented.code in html and "Female" in html
    assert NAME not in html and "+243" not in html and "Secret note" not in html
    assert "mine" not in response.context["form"].fields
    assert login(clinic_user).get("/referrals/").context["rows"] == []


def test_roles_without_referrals_get_403(
    login: Callable[[User], Client], reporter: User, analyst: User, admin_user: User, auditor: User
) -> None:
    for user in (reporter, analyst, admin_user, auditor):
        assert login(user).get("/referrals/").status_code == 403


def test_keyset_pages_keep_the_filters(
    login: Callable[[User], Client],
    wpa: User,
    consented: Survivor,
    refer: Callable[..., Referral],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    made = [refer(consented, urgency="high") for _ in range(3)]
    client = login(wpa)
    first = client.get("/referrals/?urgency=high")
    assert [r["reference"] for r in first.context["rows"]] == [made[2].reference, made[1].reference]
    next_url = first.context["next_url"]
    assert next_url.startswith("?urgency=high&after=")
    second = client.get(f"/referrals/{next_url}")
    assert [r["reference"] for r in second.context["rows"]] == [made[0].reference]
    assert second.context["next_url"] is None and second.context["first_url"] == "?urgency=high"
    stale = client.get("/referrals/?after=forged")
    assert stale.status_code == 200 and len(stale.context["rows"]) == 2  # the first page


@pytest.mark.parametrize("persona", ["wpa", "provider"])
def test_query_count_does_not_grow_with_the_rows(
    persona: str,
    request: pytest.FixtureRequest,
    login: Callable[[User], Client],
    consented: Survivor,
    refer: Callable[..., Referral],
) -> None:
    user = request.getfixturevalue(persona)
    client = login(user)
    refer(consented, send=True)
    client.get("/referrals/")  # warm: sessions, device, content types
    with CaptureQueriesContext(connection) as one:
        assert client.get("/referrals/").status_code == 200
    for _ in range(4):
        refer(consented, send=True)
    with CaptureQueriesContext(connection) as five:
        response = client.get("/referrals/")
    assert len(response.context["rows"]) == 5
    assert len(five) == len(one)

"""Issue 9, items 1 and 6 for survivor cases: each use case is one service that decides (the
pages and the API only adapt), and the list is one selector both doors page through."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from crsv.accounts.models import User
from crsv.pagination import keyset_page
from survivors import selectors
from survivors.identity import SurvivorIdentity
from survivors.models import BreakGlass, Consent, ConsentText, Survivor, SurvivorUserObjectPermission
from survivors.permissions import AlreadyIdentifiable, CaseAction, case_authorize
from survivors.services import (
    ConsentGrant,
    IntakeConsentErrors,
    survivor_break_glass,
    survivor_grant,
    survivor_intake,
)
from tests.survivors.conftest import ADULT

REASON = "Safety check requested by the hotline, today"

pytestmark = pytest.mark.django_db


# --- the break-glass rule lives in the service -------------------------------------------------


def test_the_service_refuses_break_glass_on_a_case_she_already_identifies(
    make_survivor: Callable[..., Survivor], senior_wpa: User
) -> None:
    """Before, only the page and the API knew this rule: the service opened the glass anyway."""
    own = make_survivor(senior_wpa)  # registered by her: she owns it
    with pytest.raises(AlreadyIdentifiable):
        survivor_break_glass(actor=senior_wpa, survivor=own, reason=REASON)
    assert not BreakGlass.objects.exists()


def test_both_doors_give_the_service_refusal(
    make_survivor: Callable[..., Survivor], senior_wpa: User, login: Callable[[User], Client], api_client: Any
) -> None:
    own = make_survivor(senior_wpa)
    page = login(senior_wpa).post(
        reverse("survivors:break_glass", args=[own.public_id]), {"reason": ""}, follow=True
    )
    assert "no need to break the glass" in page.content.decode()  # even with no reason typed
    api_client.force_authenticate(senior_wpa)
    api = api_client.post(
        f"/api/v1/survivors/{own.public_id}/break-glass/", {"reason": REASON}, format="json"
    )
    assert api.status_code == 400
    assert api.json() == {
        "non_field_errors": ["You can already identify this survivor: no need to break the glass."]
    }
    assert not BreakGlass.objects.exists()


@pytest.mark.parametrize(
    ("persona", "action", "allowed"),
    [
        ("wpa", CaseAction.EDIT, True),
        ("wpa", CaseAction.ASSIGN, False),
        ("wpa", CaseAction.ERASE, False),
        ("senior_wpa", CaseAction.EDIT, False),
        ("senior_wpa", CaseAction.GRANT, True),
        ("senior_wpa", CaseAction.BREAK_GLASS, True),
        ("reporter", CaseAction.RECORD_CONSENT, False),
    ],
)
def test_one_refusal_per_use_case(
    request: pytest.FixtureRequest, case: Survivor, persona: str, action: CaseAction, allowed: bool
) -> None:
    user = request.getfixturevalue(persona)
    if allowed:
        case_authorize(actor=user, survivor=case, action=action)
    else:
        with pytest.raises(PermissionDenied):
            case_authorize(actor=user, survivor=case, action=action)


# --- one intake for both doors ----------------------------------------------------------------


def _grant(consent_text: ConsentText, **changes: Any) -> ConsentGrant:
    values: dict[str, Any] = {
        "purpose": Consent.Purpose.CASE_MANAGEMENT,
        "given_by": Consent.GivenBy.SURVIVOR,
        "method": Consent.Method.ORAL_WITNESSED,
        "explained_in": "sw",
        "consent_text": consent_text,
    }
    return ConsentGrant(**(values | changes))


def test_intake_reports_every_refused_consent_by_position(
    wpa: User, office: Any, consent_text: ConsentText
) -> None:
    """The API reported each refused consent under its index; the page's service stopped at the
    first. Now the service checks them all and both doors report what it raised."""
    consents = [
        _grant(consent_text),
        _grant(consent_text, given_by=Consent.GivenBy.CAREGIVER),  # an adult gives her own
        _grant(consent_text, purpose=Consent.Purpose.REFERRAL),  # a referral needs its service
    ]
    with pytest.raises(IntakeConsentErrors) as refused:
        survivor_intake(
            actor=wpa,
            field_office=office,
            identity=SurvivorIdentity(name="Esperance Kavira"),
            profile=ADULT,
            consents=consents,
        )
    assert sorted(refused.value.by_index) == [1, 2]
    assert "given_by" in refused.value.by_index[1].message_dict
    assert "service_type" in refused.value.by_index[2].message_dict
    assert not Survivor.objects.exists() and not Consent.objects.exists()


def test_the_api_intake_is_the_service_intake(
    api_client: Any, wpa: User, office: Any, consent_text: ConsentText, monkeypatch: pytest.MonkeyPatch
) -> None:
    from survivors import services

    calls: list[int] = []
    real = services.survivor_intake

    def spy(**kwargs: Any) -> Survivor:
        calls.append(len(kwargs["consents"]))
        return real(**kwargs)

    monkeypatch.setattr(services, "survivor_intake", spy)
    api_client.force_authenticate(wpa)
    body = {
        "field_office": office.code,
        "name": "Esperance Kavira",
        "sex": "female",
        "age": 12,  # a child: consent by a caregiver, with her assent
        "consents": [
            {
                "purpose": "case_management",
                "given_by": "caregiver",
                "method": "oral_witnessed",
                "explained_in": "sw",
                "consent_text_version": consent_text.version,
                "consent_text_language": consent_text.language,
            }
        ],
    }
    response = api_client.post("/api/v1/survivors/", body, format="json")
    assert calls == [1]
    assert response.status_code == 400
    assert response.json() == {
        "consents": {"0": {"child_assent": ["The child's assent is required as well."]}}
    }
    assert not Survivor.objects.exists()


def test_the_intake_page_shows_a_refusal_once(
    login: Callable[[User], Client], wpa: User, office: Any, consent_text: ConsentText
) -> None:
    data = {
        "field_office": office.pk,
        "name": "Esperance Kavira",
        "sex": "female",
        "age": "12",
        "age_band": "unknown",
        "disability": "none",
        "displacement_status": "idp",
        "interview_count": "1",
        "consent-purposes": ["case_management", "statistics"],
        "consent-given_by": "survivor",
        "consent-method": "oral_witnessed",
        "consent-explained_in": "sw",
        "consent-consent_text": consent_text.pk,
    }
    body = login(wpa).post(reverse("survivors:create"), data).content.decode()
    assert body.count("For a child, consent is given by a caregiver.") == 1
    assert not Survivor.objects.exists()


# --- one list selector for both doors ---------------------------------------------------------


@pytest.mark.parametrize("persona", ["wpa", "wpa_other", "reporter", "senior_wpa"])
def test_the_page_selector_pages_exactly_the_visible_cases(
    request: pytest.FixtureRequest,
    make_survivor: Callable[..., Survivor],
    wpa: User,
    reporter: User,
    senior_wpa: User,
    persona: str,
) -> None:
    """`survivor_page` reads a WPA's or a reporter's list source by source; it must page the
    same rows, in the same order, with the same cursors, as `survivor_list` does."""
    user = request.getfixturevalue(persona)
    cases = [make_survivor(wpa if i % 3 else reporter, name=f"Case {i}") for i in range(9)]
    for i, case in enumerate(cases[:6]):
        grant = (
            survivor_grant(actor=senior_wpa, survivor=case, grantee=user) if persona != "senior_wpa" else None
        )
        if grant is not None and i == 0:  # an expired grant counts for nothing
            SurvivorUserObjectPermission.objects.filter(pk=grant.pk).update(
                expires_at=timezone.now() - timedelta(minutes=1)
            )
    Survivor.objects.filter(pk=cases[4].pk).update(created_at=cases[5].created_at)  # a tie on the time
    cursor, new_cursor = None, None
    while True:
        old = keyset_page(selectors.survivor_list(user=user), cursor=cursor, size=2)
        new = selectors.survivor_page(user=user, cursor=new_cursor, size=2)
        assert [s.pk for s in new.rows] == [s.pk for s in old.rows]
        assert [s.identifying for s in new.rows] == [s.identifying for s in old.rows]  # type: ignore[attr-defined]
        assert new.next_cursor == old.next_cursor
        if old.next_cursor is None:
            break
        cursor, new_cursor = old.next_cursor, new.next_cursor


def test_the_list_page_keeps_its_cells(
    login: Callable[[User], Client], make_survivor: Callable[..., Survivor], wpa: User, reporter: User
) -> None:
    mine = make_survivor(wpa, name="Esperance <Kavira>")
    waiting = make_survivor(reporter)
    body = login(wpa).get(reverse("survivors:list")).content.decode()
    assert f'<a href="/survivors/{mine.public_id}/">{mine.code}</a>' in body
    assert "Esperance &lt;Kavira&gt;" in body  # escaped
    assert "<td>Female</td>" in body and "<td>18-25</td>" in body
    assert waiting.code not in body  # a reporter's case is not a WPA's until assigned
    hidden = login(wpa).get(reverse("survivors:list") + "?names=hide").content.decode()
    assert '<span class="muted">hidden</span>' in hidden and "Esperance" not in hidden

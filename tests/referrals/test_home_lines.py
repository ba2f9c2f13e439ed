"""The referrals' lines of the home page: a case worker's referrals waiting for an answer and
overdue ones, a provider's referrals to answer; scoped, and each link lists exactly the rows
counted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db.models import F
from django.test import Client

from crsv.accounts.models import FieldOffice, User
from referrals.models import Referral, ServiceProvider
from referrals.services import referral_create
from survivors.identity import SurvivorIdentity
from survivors.models import Consent, ConsentText, Survivor
from survivors.services import consent_record, survivor_register
from tests.home_lines import counts_of, lines_of, links_list_their_rows
from tests.survivors.conftest import ADULT

pytestmark = pytest.mark.django_db


def overdue(referral: Referral) -> None:
    day = timedelta(days=1)
    Referral.objects.filter(pk=referral.pk).update(
        created_at=F("created_at") - day * 2, due_at=F("created_at") - day
    )


def bunia_case(wpa_other: User, other_office: FieldOffice, consent_text: ConsentText) -> Survivor:
    case = survivor_register(
        actor=wpa_other, field_office=other_office, identity=SurvivorIdentity(name="Zawadi K"), profile=ADULT
    )
    consent_record(
        actor=wpa_other,
        survivor=case,
        purpose=Consent.Purpose.REFERRAL,
        service_type="medical",
        given_by=Consent.GivenBy.SURVIVOR,
        method=Consent.Method.ORAL_WITNESSED,
        explained_in=Consent.Language.SWAHILI,
        consent_text=consent_text,
    )
    return case


@pytest.fixture
def goma_and_bunia(
    case: Survivor,
    consent: Callable[..., Consent],
    refer: Callable[..., Referral],
    wpa_other: User,
    other_office: FieldOffice,
    consent_text: ConsentText,
    hospital: ServiceProvider,
    clinic: ServiceProvider,
) -> None:
    """Goma (the WPA's case): a draft, two sent to the hospital (one overdue), one accepted
    and overdue, one sent to the clinic. Bunia: one sent to the hospital, overdue."""
    consent(case)
    refer(case)
    refer(case, send=True, urgency=Referral.Urgency.ROUTINE)
    overdue(refer(case, send=True, urgency=Referral.Urgency.ROUTINE))
    accepted = refer(case, send=True, urgency=Referral.Urgency.ROUTINE)
    Referral.objects.filter(pk=accepted.pk).update(state=Referral.State.ACCEPTED)
    overdue(accepted)
    refer(case, send=True, provider=clinic, urgency=Referral.Urgency.ROUTINE)
    bunia = bunia_case(wpa_other, other_office, consent_text)
    overdue(
        referral_create(
            actor=wpa_other,
            survivor=bunia,
            provider=hospital,
            service_type="medical",
            urgency=Referral.Urgency.ROUTINE,
            send=True,
        )
    )


def _referral_counts(user: User) -> dict[str, int]:
    return {name: n for name, n in counts_of(user).items() if name.startswith("referrals.")}


@pytest.mark.usefixtures("goma_and_bunia")
def test_each_persona_sees_her_lines_with_her_counts(
    wpa: User,
    wpa_other: User,
    senior_wpa: User,
    provider: User,
    clinic_user: User,
    reporter: User,
    analyst: User,
) -> None:
    assert _referral_counts(wpa) == {"referrals.awaiting_answer": 3, "referrals.overdue": 2}
    assert _referral_counts(wpa_other) == {"referrals.awaiting_answer": 1, "referrals.overdue": 1}
    assert _referral_counts(senior_wpa) == {"referrals.awaiting_answer": 4, "referrals.overdue": 3}
    # Sent to her organisation (Goma's and Bunia's), never a draft nor the clinic's.
    assert _referral_counts(provider) == {"referrals.to_answer": 3}
    assert _referral_counts(clinic_user) == {"referrals.to_answer": 1}
    assert _referral_counts(reporter) == _referral_counts(analyst) == {}


@pytest.mark.usefixtures("goma_and_bunia")
def test_urgency_an_overdue_line_and_a_provider_line_with_an_overdue_row(
    wpa: User, provider: User, clinic_user: User
) -> None:
    assert lines_of(wpa)["referrals.overdue"].urgent and not lines_of(wpa)["referrals.awaiting_answer"].urgent
    assert lines_of(provider)["referrals.to_answer"].urgent  # one of them is overdue
    assert not lines_of(clinic_user)["referrals.to_answer"].urgent  # routine, on time


@pytest.mark.usefixtures("goma_and_bunia")
@pytest.mark.parametrize("persona", ["wpa", "wpa_other", "senior_wpa", "provider", "clinic_user"])
def test_each_link_lists_exactly_the_rows_counted(
    persona: str, request: pytest.FixtureRequest, login: Callable[[User], Client]
) -> None:
    user = request.getfixturevalue(persona)
    assert links_list_their_rows(login(user), user, app="referrals") >= 1

"""The clocks (issue 11 item 5), run as beat runs them (the task functions), twice: the 72-hour
window's escalation and the overdue referrals' reminder then escalation, each exactly once, none
when the survivor is cared for or the clock has stopped; no survivor value in their e-mails;
the home lines that count them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from crsv.accounts.models import FieldOffice, User
from crsv.notifications.models import Notification
from crsv.notifications.tasks import notification_deliver
from incidents import clock
from referrals.models import Referral, ServiceProvider
from referrals.reminders import ESCALATION, REMINDER
from referrals.services.transitions import referral_transition
from referrals.tasks import referrals_overdue_notify
from survivors.clock import MEDICAL_CARE_ACCEPTED_STATES
from survivors.clock_notifications import KIND as WINDOW
from survivors.identity import SurvivorIdentity
from survivors.models import Consent, Survivor
from survivors.services import survivor_register
from survivors.tasks import medical_window_escalate
from tests.home_lines import counts_of
from tests.incidents.factories import LocationFactory, incident_in_state
from tests.survivors.conftest import ADULT

pytestmark = pytest.mark.django_db
CANARY = "Zawadi Canarykavira"
PHONE = "+243 970 555 123"


@pytest.fixture
def window_case(office: FieldOffice, reporter: User, wpa: User) -> Callable[..., Survivor]:
    """`window_case(days_ago=2)`: the WPA's case, registered three hours ago, linked to a rape of
    `days_ago` days before today (office date)."""
    place: Any = LocationFactory(pcode="CD62", name="Nord-Kivu", admin_level=1)

    def make(days_ago: int = 2) -> Survivor:
        day = clock.office_today(office) - timedelta(days=days_ago)
        incident = incident_in_state(
            "submitted",
            reporter=reporter,
            reviewer=wpa,
            location=place,
            incident_date_start=day,
            incident_date_end=day,
        )
        case = survivor_register(
            actor=wpa,
            field_office=office,
            identity=SurvivorIdentity(name=CANARY, phone=PHONE),
            profile=ADULT,
            incident=incident,
        )
        Survivor.objects.filter(pk=case.pk).update(created_at=timezone.now() - timedelta(hours=3))
        return case

    return make


def _rows(kind: str) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind).select_related("recipient").order_by("id"))


def _no_survivor_value(case: Survivor, sent: list[Any]) -> None:
    assert sent
    for message in sent:
        raw = message.message().as_bytes()
        for value in (CANARY, "Canarykavira", PHONE, "970 555", case.code):
            assert value.encode() not in raw, value


def test_the_window_escalates_once_to_her_wpa_and_the_senior_wpas(
    window_case: Callable[..., Survivor], wpa: User, senior_wpa: User, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    wpa.email, senior_wpa.email = "wpa@example.org", "senior@example.org"
    wpa.save()
    senior_wpa.save()
    case = window_case()
    assert medical_window_escalate() == 2
    assert medical_window_escalate() == 0  # beat runs again: nothing new
    rows = _rows(WINDOW)
    assert {row.recipient for row in rows} == {wpa, senior_wpa}
    assert {row.object_public_id for row in rows} == {case.public_id}
    for row in rows:
        notification_deliver(row.id)
    assert sorted(m.to[0] for m in mail.outbox) == ["senior@example.org", "wpa@example.org"]
    assert mail.outbox[0].subject == "A case inside the 72-hour window has no accepted medical referral"
    assert f"/survivors/{case.public_id}/" in mail.outbox[0].body
    _no_survivor_value(case, mail.outbox)


def test_no_escalation_before_two_hours_or_when_the_window_is_closed(
    window_case: Callable[..., Survivor], senior_wpa: User
) -> None:
    window_case(days_ago=5)  # closed since yesterday
    fresh = window_case()
    Survivor.objects.filter(pk=fresh.pk).update(created_at=timezone.now() - timedelta(minutes=90))
    assert medical_window_escalate() == 0
    assert _rows(WINDOW) == []


def test_no_escalation_once_a_medical_referral_is_accepted(
    window_case: Callable[..., Survivor],
    senior_wpa: User,
    provider: User,
    consent: Callable[..., Consent],
    refer: Callable[..., Referral],
) -> None:
    case = window_case()
    consent(case)
    referral = refer(case, send=True)
    assert counts_of(senior_wpa)["survivors.medical_window"] == 1  # sent is not accepted
    referral_transition(user=provider, referral=referral, action="accept")
    assert medical_window_escalate() == 0
    assert counts_of(senior_wpa)["survivors.medical_window"] == 0


def test_the_accepted_states_are_the_workflow_s() -> None:
    assert set(MEDICAL_CARE_ACCEPTED_STATES) <= set(Referral.State.values)
    assert Referral.State.SENT not in MEDICAL_CARE_ACCEPTED_STATES


def test_the_window_home_line_counts_her_cases(
    window_case: Callable[..., Survivor], wpa: User, wpa_other: User, login: Callable[[User], Client]
) -> None:
    window_case()
    window_case()
    window_case(days_ago=6)
    assert counts_of(wpa)["survivors.medical_window"] == 2
    assert counts_of(wpa_other)["survivors.medical_window"] == 0
    response = login(wpa).get("/survivors/?assignment=medical_window")
    assert response.status_code == 200
    assert len(response.context["rows"]) == 2


def _overdue(referral: Referral, hours_late: float) -> None:
    now = timezone.now()
    Referral.objects.filter(pk=referral.pk).update(
        created_at=now - timedelta(hours=24),
        sent_at=now - timedelta(hours=24),
        due_at=now - timedelta(hours=hours_late),
    )


def test_an_unanswered_referral_is_reminded_then_escalated_once_each(
    case: Survivor,
    wpa: User,
    provider: User,
    consent: Callable[..., Consent],
    refer: Callable[..., Referral],
    hospital: ServiceProvider,
    settings: Any,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ServiceProvider.objects.filter(pk=hospital.pk).update(contact_email="referrals@heal.example.org")
    consent(case)
    referral = refer(case, send=True)  # emergency: escalated 2 h after the due time
    assert referrals_overdue_notify() == 0  # not due yet
    _overdue(referral, hours_late=1)
    assert referrals_overdue_notify() == 2  # the hospital's user and its contact address
    assert referrals_overdue_notify() == 0
    assert _rows(ESCALATION) == []
    _overdue(referral, hours_late=3)
    assert referrals_overdue_notify() == 1
    assert referrals_overdue_notify() == 0
    assert [row.recipient for row in _rows(ESCALATION)] == [wpa]
    assert len(_rows(REMINDER)) == 2
    for row in [*_rows(REMINDER), *_rows(ESCALATION)]:
        notification_deliver(row.id)
    assert any(referral.reference in m.subject for m in mail.outbox)
    _no_survivor_value(case, mail.outbox)


def test_an_answered_referral_is_not_chased(
    case: Survivor, provider: User, consent: Callable[..., Consent], refer: Callable[..., Referral]
) -> None:
    consent(case)
    referral = refer(case, send=True)
    referral_transition(user=provider, referral=referral, action="accept")
    _overdue(referral, hours_late=5)
    assert referrals_overdue_notify() == 0
    assert _rows(REMINDER) == [] and _rows(ESCALATION) == []

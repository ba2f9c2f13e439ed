"""What a new or escalated alert notifies, delivered through the real outbox (the delivery task,
Django's locmem mail backend): the on-call focal points, else the office's WPAs (the e-mail says
why she gets it), else the mission's senior WPAs; the e-mails in English and French with the
reference, office, urgency and a link, never the place, the indicators or the description."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from crsv.notifications.delivery import notification_render
from crsv.notifications.models import Notification
from crsv.notifications.tasks import notification_deliver
from incidents import clock
from incidents.alert_notifications import ESCALATED, RECEIVED
from incidents.models import Alert, Location, OnCallAssignment
from incidents.services import alerts as services
from incidents.tasks import alerts_escalate
from tests.factories import UserFactory
from tests.incidents.alerts.conftest import CANARY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _deliver(kind: str) -> list[Notification]:
    """Deliver the kind's rows as the worker does (one task drains whatever else is due too)."""
    rows = list(Notification.objects.filter(kind=kind).select_related("recipient").order_by("id"))
    if rows:
        notification_deliver(*[row.id for row in rows])
    for row in rows:
        row.refresh_from_db()
        assert row.status == Notification.Status.SENT, (row.status, row.last_error)
    return rows


def _mailed(user: User, address: str) -> User:
    user.email = address
    user.save()
    return user


def test_the_focal_points_on_call_are_told_and_no_one_else(
    raise_alert: Callable[..., Alert],
    on_call: Callable[..., OnCallAssignment],
    wpa: User,
    senior_wpa: User,
    office: FieldOffice,
) -> None:
    colleague_wpa = _mailed(
        UserFactory(username="wpa2", roles=[Role.WPA], offices=[office]), "wpa2@example.org"
    )
    _mailed(wpa, "wpa@example.org")
    on_call(colleague_wpa)
    past = services.oncall_assign(  # ended yesterday: not on call
        actor=wpa,
        field_office=office,
        user=wpa,
        starts_at=clock.now() - timedelta(hours=2),
        ends_at=clock.now() + timedelta(minutes=1),
    )
    services.oncall_end(actor=wpa, assignment=past)
    alert = raise_alert()
    rows = _deliver(RECEIVED)
    assert [row.recipient for row in rows] == [colleague_wpa]
    assert rows[0].idempotency_key == f"alert.received:{alert.public_id}:on_call:{colleague_wpa.public_id}"
    assert rows[0].mission_id == office.mission_id
    [message] = mail.outbox
    assert message.to == ["wpa2@example.org"]
    assert message.subject == f"New alert {alert.reference} (Goma, urgency: High)"
    assert "You are on call for this field office." in message.body
    assert f"/incidents/alerts/{alert.public_id}/" in message.body


def test_nobody_on_call_tells_the_office_wpas_and_says_so(
    raise_alert: Callable[..., Alert], wpa: User, wpa_other: User, senior_wpa: User
) -> None:
    _mailed(wpa, "wpa@example.org")
    alert = raise_alert()
    rows = _deliver(RECEIVED)
    assert [row.recipient for row in rows] == [wpa]  # not Bunia's WPA, not the senior WPA
    assert "Nobody is on call for this field office at the moment" in mail.outbox[0].body
    assert alert.reference in mail.outbox[0].body


def test_an_office_without_wpa_tells_the_senior_wpas(
    raise_alert: Callable[..., Alert], senior_wpa: User, senior_other: User
) -> None:
    raise_alert()
    assert {row.recipient for row in _deliver(RECEIVED)} == {senior_wpa, senior_other}
    assert all("you receive this alert as a senior WPA" in message.body for message in mail.outbox)


def test_someone_on_call_who_left_the_office_is_not_told(
    raise_alert: Callable[..., Alert],
    on_call: Callable[..., OnCallAssignment],
    wpa: User,
    office: FieldOffice,
) -> None:
    leaver = UserFactory(username="leaver", roles=[Role.WPA], offices=[office])
    on_call(leaver)
    leaver.memberships.all().delete()
    raise_alert()
    assert [row.recipient for row in Notification.objects.filter(kind=RECEIVED)] == [wpa]  # the fallback


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_e_mails_hold_no_place_sign_or_description(
    language: str,
    raise_alert: Callable[..., Alert],
    wpa: User,
    senior_wpa: User,
    sake: Location,
) -> None:
    alert = raise_alert()
    Alert.objects.filter(pk=alert.pk).update(received_at=clock.now() - timedelta(hours=1))
    assert alerts_escalate() == 1
    for notification in Notification.objects.filter(kind__in=(RECEIVED, ESCALATED)):
        notification.language = language
        rendered = notification_render(notification)
        assert alert.reference in rendered.subject
        for body in (rendered.text, rendered.html):
            assert alert.reference in body and f"/incidents/alerts/{alert.public_id}/" in body
            for secret in (CANARY, "Canarymwamba", "market", sake.name, sake.pcode, "Armed group", "Threats"):
                assert secret not in body, secret
        assert f'<html lang="{language}">' in rendered.html


def test_the_escalation_e_mail_is_delivered_to_the_senior_wpas(
    raise_alert: Callable[..., Alert], senior_wpa: User, settings: Any
) -> None:
    settings.ALERT_ESCALATION_MINUTES = 30
    _mailed(senior_wpa, "senior@example.org")
    alert = raise_alert()
    Alert.objects.filter(pk=alert.pk).update(received_at=clock.now() - timedelta(minutes=31))
    alerts_escalate()
    _deliver(ESCALATED)
    [message] = [m for m in mail.outbox if "was not acknowledged" in m.subject]
    assert message.to == ["senior@example.org"]
    assert message.subject == f"Alert {alert.reference} was not acknowledged within 30 minutes"

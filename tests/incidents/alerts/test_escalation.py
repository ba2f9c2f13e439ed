"""The escalation clock: an alert still new ALERT_ESCALATION_MINUTES after it came in is escalated
to the senior WPAs of its mission exactly once, however often beat runs the task and however
many workers run it at the same moment; an acknowledged alert, or one not yet due, is not."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone

from crsv.accounts.models import User
from crsv.audit.models import AuditEvent
from crsv.notifications.models import Notification
from incidents.alert_notifications import ESCALATED
from incidents.models import Alert, AlertEvent
from incidents.services import alerts as services
from incidents.tasks import alerts_escalate

pytestmark = pytest.mark.django_db


def _age(alert: Alert, minutes: int) -> None:
    Alert.objects.filter(pk=alert.pk).update(received_at=timezone.now() - timedelta(minutes=minutes))


def _escalations() -> list[tuple[Any, ...]]:
    return list(
        Notification.objects.filter(kind=ESCALATED)
        .order_by("id")
        .values_list("object_public_id", "recipient_id")
    )


def test_beat_twice_escalates_once_to_the_mission_seniors(
    raise_alert: Callable[..., Alert],
    senior_wpa: User,
    senior_other: User,
    wpa: User,
    settings: Any,
) -> None:
    settings.ALERT_ESCALATION_MINUTES = 30
    due, fresh = raise_alert(), raise_alert()
    _age(due, 31)
    _age(fresh, 29)
    assert alerts_escalate() == 1
    assert alerts_escalate() == 0  # beat again: nothing new
    assert sorted(_escalations()) == sorted(
        [(due.public_id, senior_wpa.pk), (due.public_id, senior_other.pk)]
    )
    due.refresh_from_db()
    fresh.refresh_from_db()
    assert due.escalated_at is not None and fresh.escalated_at is None and due.state == Alert.State.NEW
    event = AlertEvent.objects.get(alert=due, action="escalate")
    assert event.actor is None and event.occurred_at == due.escalated_at
    assert (
        AuditEvent.objects.filter(action="alert.escalate", object_public_id=due.public_id, actor=None).count()
        == 1
    )
    _age(fresh, 45)
    assert alerts_escalate() == 1 and alerts_escalate() == 0
    assert len(_escalations()) == 4


def test_the_delay_is_the_setting(raise_alert: Callable[..., Alert], senior_wpa: User, settings: Any) -> None:
    settings.ALERT_ESCALATION_MINUTES = 5
    alert = raise_alert()
    _age(alert, 6)
    assert alerts_escalate() == 1


def test_an_acknowledged_alert_is_not_escalated(
    alert_in_state: Callable[..., Alert], senior_wpa: User
) -> None:
    for state in ("acknowledged", "response_dispatched", "closed"):
        _age(alert_in_state(state), 120)
    assert alerts_escalate() == 0 and _escalations() == []


def test_the_task_takes_no_argument() -> None:
    """Nothing of an alert travels in a task message: beat sends none, the task accepts none."""
    with pytest.raises(TypeError):
        alerts_escalate(1)  # type: ignore[call-arg]
    assert alerts_escalate.name == "incidents.tasks.alerts_escalate"


def test_the_beat_schedule_runs_it_every_minute(settings: Any) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["alerts-escalate"]
    assert entry["task"] == alerts_escalate.name and entry["schedule"] == 60.0 and "args" not in entry


def test_a_run_rolled_back_escalates_nothing_and_the_next_run_does(
    raise_alert: Callable[..., Alert], senior_wpa: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    alert = raise_alert()
    _age(alert, 60)

    def broken(**kwargs: Any) -> int:
        raise RuntimeError("SMTP? no: the outbox insert failed")

    monkeypatch.setattr("incidents.services.alerts.escalation.alert_notify_escalated", broken)
    with pytest.raises(RuntimeError):
        alerts_escalate()
    alert.refresh_from_db()
    assert alert.escalated_at is None and not AlertEvent.objects.filter(action="escalate").exists()
    monkeypatch.undo()
    assert alerts_escalate() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_escalate_each_alert_once(
    raise_alert: Callable[..., Alert], senior_wpa: User, senior_other: User
) -> None:
    alerts = [raise_alert() for _ in range(6)]
    for alert in alerts:
        _age(alert, 90)
    barrier = threading.Barrier(2)
    claimed: list[list[int]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            claimed.append(services.alerts_escalate_due(limit=100))
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    every = [alert_id for run in claimed for alert_id in run]
    assert sorted(every) == sorted(alert.pk for alert in alerts)  # each claimed once, by one run
    assert AlertEvent.objects.filter(action="escalate").count() == 6
    assert len(_escalations()) == 12 == len(set(_escalations()))  # two senior WPAs per alert
    assert services.alerts_escalate_due(limit=100) == []

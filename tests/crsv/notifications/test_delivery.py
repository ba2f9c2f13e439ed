"""The outbox delivered to a real SMTP server: once, with the Message-ID of its key; 4xx retried,
5xx and the last attempt failed; a rolled-back change enqueues nothing."""

from __future__ import annotations

import email
import uuid
from datetime import timedelta
from email import policy
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from crsv.accounts.models import User
from crsv.notifications.delivery import message_id_for, retry_delay
from crsv.notifications.models import Notification
from crsv.notifications.services import notification_enqueue
from crsv.notifications.tasks import notification_deliver, notification_sweep
from tests.crsv.notifications.conftest import SinkHandler

pytestmark = pytest.mark.django_db


def _enqueue(recipients: list[Any], key: str = "ev-1") -> list[Notification]:
    return notification_enqueue(
        kind="test.ping",
        recipients=recipients,
        object_type="tests.thing",
        object_public_id=uuid.uuid4(),
        idempotency_key=f"test.ping:{key}",
    )


def _due_now(notification: Notification) -> None:
    Notification.objects.filter(id=notification.id).update(
        next_attempt_at=timezone.now() - timedelta(hours=1)
    )


def _parsed(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]


def test_delivered_once_with_the_message_id_of_its_key(
    smtp: SinkHandler, wpa: User, django_capture_on_commit_callbacks: Any
) -> None:
    wpa.email = "wpa@example.org"
    wpa.save()
    with django_capture_on_commit_callbacks() as callbacks:
        [notification] = _enqueue([wpa])
    assert len(callbacks) == 1  # the publish, after commit, ids only
    assert notification_deliver(notification.id) == "sent"
    assert notification_deliver(notification.id) is None  # already sent: nothing happens

    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT and notification.attempts == 1
    assert notification.sent_at is not None and notification.claimed_until is None
    assert notification.message_id == message_id_for(notification.idempotency_key)
    [raw] = smtp.messages
    message = _parsed(raw)
    assert message["Message-ID"] == notification.message_id
    assert message["To"] == "wpa@example.org"
    assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Ping PING-" in text and "http://" in text


def test_the_same_event_enqueues_once(smtp: SinkHandler, wpa: User) -> None:
    assert len(_enqueue([wpa, "Office@Example.org"])) == 2
    assert _enqueue([wpa, "office@example.org"]) == []
    assert Notification.objects.count() == 2


def test_a_user_without_an_address_is_notified_in_app_only(smtp: SinkHandler, wpa: User) -> None:
    wpa.email = ""
    wpa.save()
    [notification] = _enqueue([wpa])
    assert notification_deliver(notification.id) == "sent"
    notification.refresh_from_db()
    assert notification.message_id == "" and smtp.messages == []


def test_a_temporary_failure_is_retried_with_backoff_then_delivered(smtp: SinkHandler) -> None:
    smtp.fail_reply, smtp.fail_times = "451 4.3.0 Try again later", 2
    [notification] = _enqueue(["office@example.org"])

    assert notification_deliver(notification.id) == "pending"
    notification.refresh_from_db()
    assert notification.attempts == 1 and notification.last_error == "SMTPDataError 451"
    assert notification.next_attempt_at > timezone.now()
    assert notification_deliver(notification.id) is None  # not due yet: not even claimed
    _due_now(notification)
    assert notification_deliver(notification.id) == "pending"
    _due_now(notification)
    assert notification_deliver(notification.id) == "sent"

    notification.refresh_from_db()
    assert notification.attempts == 3 and notification.last_error == ""
    assert smtp.refused == 2 and len(smtp.messages) == 1


def test_a_permanent_failure_marks_it_failed_at_once(smtp: SinkHandler) -> None:
    smtp.fail_reply, smtp.fail_times = "550 5.1.1 Mailbox unavailable", 1
    [notification] = _enqueue(["office@example.org"])
    assert notification_deliver(notification.id) == "failed"
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == 1 and notification.last_error == "SMTPDataError 550"
    assert notification_sweep() == 0 and smtp.messages == []


def test_temporary_failures_past_the_last_attempt_mark_it_failed(smtp: SinkHandler, settings: Any) -> None:
    assert settings.NOTIFICATION_MAX_ATTEMPTS == 8
    smtp.fail_reply, smtp.fail_times = "421 4.7.0 Busy", -1
    [notification] = _enqueue(["office@example.org"])
    outcomes = []
    for _ in range(8):
        _due_now(notification)
        outcomes.append(notification_deliver(notification.id))
    assert outcomes == ["pending"] * 7 + ["failed"]
    notification.refresh_from_db()
    assert notification.attempts == 8 and notification.status == Notification.Status.FAILED
    assert smtp.refused == 8 and smtp.messages == []


def test_an_unreachable_server_is_a_temporary_failure(smtp: SinkHandler, settings: Any) -> None:
    settings.EMAIL_PORT = 1  # nothing listens there
    [notification] = _enqueue(["office@example.org"])
    assert notification_deliver(notification.id) == "pending"
    notification.refresh_from_db()
    assert notification.last_error == "ConnectionRefusedError"


def test_the_backoff_grows_and_is_capped(settings: Any) -> None:
    base = settings.NOTIFICATION_RETRY_BASE_SECONDS
    assert base * 0.5 <= retry_delay(1).total_seconds() <= base * 1.5
    assert base * 8 * 0.5 <= retry_delay(4).total_seconds() <= base * 8 * 1.5
    assert retry_delay(30).total_seconds() <= settings.NOTIFICATION_RETRY_CAP_SECONDS * 1.5


def test_a_rolled_back_change_leaves_no_notification_and_no_task(
    smtp: SinkHandler, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _enqueue(["office@example.org"])
        raise RuntimeError("the change failed")
    assert callbacks == []
    assert not Notification.objects.exists()


def test_the_sweep_delivers_due_rows_and_expired_claims_only(smtp: SinkHandler) -> None:
    due, later, stuck, claimed = (_enqueue([f"o{n}@example.org"], key=f"k{n}")[0] for n in range(4))
    Notification.objects.filter(id=later.id).update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    past, future = timezone.now() - timedelta(hours=1), timezone.now() + timedelta(minutes=2)
    Notification.objects.filter(id=stuck.id).update(status="sending", claimed_until=past, attempts=1)
    Notification.objects.filter(id=claimed.id).update(status="sending", claimed_until=future, attempts=1)

    assert notification_sweep() == 2
    statuses = dict(Notification.objects.values_list("id", "status"))
    assert statuses == {due.id: "sent", later.id: "pending", stuck.id: "sent", claimed.id: "sending"}
    assert sorted(_parsed(raw)["To"] for raw in smtp.messages) == ["o0@example.org", "o2@example.org"]
    assert Notification.objects.get(id=stuck.id).attempts == 2  # the crash counted as an attempt

"""Delivery in batches over one SMTP session: a burst is one connection; a connection the server
dropped between two messages is reopened without a lost or doubled message; batch claims under
concurrency still send each message once; a crash after the server accepted a batch resends it
once, with the same Message-IDs; one publish per commit; an e-mail the same for many rows is
rendered once per batch."""

from __future__ import annotations

import asyncio
import email
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from email import policy
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from crsv.notifications import claims, delivery, services
from crsv.notifications.delivery import message_id_for
from crsv.notifications.models import Notification
from crsv.notifications.registry import NotificationKind, notification_kind_register, notification_kinds
from crsv.notifications.services import notification_enqueue
from crsv.notifications.tasks import notification_deliver, notification_sweep
from tests.crsv.notifications.conftest import SinkHandler

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """Each publish (one per commit) and its ids; nothing reaches the shared Redis."""
    calls: list[list[int]] = []
    monkeypatch.setattr(services, "notification_publish", lambda ids: calls.append(list(ids)))
    return calls


def _enqueue(count: int, key: str, kind: str = "test.ping") -> list[int]:
    """`count` notifications, one event each, to addresses, committed; their ids."""
    with transaction.atomic():
        return [
            notification_enqueue(
                kind=kind,
                recipients=[f"o{n}@example.org"],
                object_type="tests.thing",
                object_public_id=uuid.uuid4(),
                idempotency_key=f"{kind}:{key}{n}",
            )[0].id
            for n in range(count)
        ]


def _message_ids(smtp: SinkHandler) -> list[str]:
    return [str(email.message_from_bytes(raw, policy=policy.default)["Message-ID"]) for raw in smtp.messages]


def _expected_message_ids(ids: list[int]) -> set[str]:
    keys = Notification.objects.filter(id__in=ids).values_list("idempotency_key", flat=True)
    return {message_id_for(key) for key in keys}


def test_a_burst_is_sent_over_one_connection(
    smtp: SinkHandler, published: list[list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "BATCH", 7)  # several batches, one session
    ids = _enqueue(30, "burst")
    assert published == [ids]  # one task for the commit, with all its ids
    assert notification_deliver(*ids) == "sent"
    assert len(smtp.messages) == 30 and len(smtp.peers) == 1
    assert sorted(_message_ids(smtp)) == sorted(_expected_message_ids(ids))
    rows = Notification.objects.filter(id__in=ids)
    assert set(rows.values_list("status", "attempts", "claimed_until")) == {("sent", 1, None)}
    assert rows.filter(sent_at__isnull=True).count() == 0


def test_the_task_drains_what_else_is_due(smtp: SinkHandler, published: list[list[int]]) -> None:
    first, others = _enqueue(1, "given"), _enqueue(5, "due")
    assert notification_deliver(*first) == "sent"
    assert len(smtp.messages) == 6 and len(smtp.peers) == 1
    assert not Notification.objects.filter(id__in=others).exclude(status="sent").exists()


class DroppingSink(SinkHandler):
    """Closes the connection, after its reply, once `drop_after` messages were accepted (as a
    server does with an idle client)."""

    def __init__(self, drop_after: int) -> None:
        super().__init__()
        self.drop_after = drop_after

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        if len(self.messages) == self.drop_after:
            asyncio.get_running_loop().call_soon(server.transport.close)  # after the 250 is written
        return reply


def test_a_reused_connection_the_server_dropped_is_reopened_without_loss_or_double(
    smtp: SinkHandler, published: list[list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    dropping = DroppingSink(drop_after=2)
    monkeypatch.setattr(smtp, "handle_DATA", dropping.handle_DATA)
    ids = _enqueue(5, "drop")
    notification_deliver(*ids)
    assert len(dropping.messages) == 5 and len(dropping.peers) == 2  # reopened once
    assert Counter(_message_ids(dropping)) == Counter(_expected_message_ids(ids))  # each once
    rows = Notification.objects.filter(id__in=ids)
    assert set(rows.values_list("status", "attempts", "last_error")) == {("sent", 1, "")}


def test_a_fresh_connection_dropped_is_a_counted_attempt(
    smtp: SinkHandler, published: list[list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a reused connection is retried at once; a new one failing is the message's attempt."""

    async def drop_before_data(server: Any, session: Any, envelope: Any) -> str:
        server.transport.close()
        return "250 unseen"

    monkeypatch.setattr(smtp, "handle_DATA", drop_before_data)
    [notification_id] = _enqueue(1, "fresh")
    assert notification_deliver(notification_id) == "pending"
    row = Notification.objects.get(id=notification_id)
    assert (row.attempts, row.last_error) == (1, "SMTPServerDisconnected")


def _at_once(*works: Callable[[], object]) -> None:
    barrier = threading.Barrier(len(works))
    errors: list[BaseException] = []

    def run(work: Callable[[], object]) -> None:
        try:
            barrier.wait()
            work()
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors


def test_batch_claims_by_two_workers_and_two_sweeps_send_each_once(
    smtp: SinkHandler, published: list[list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "BATCH", 3)
    ids = _enqueue(40, "race")
    _at_once(
        lambda: notification_deliver(*ids),
        lambda: notification_deliver(*reversed(ids)),
        notification_sweep,
        notification_sweep,
    )
    assert len(smtp.messages) == 40
    assert Counter(_message_ids(smtp)) == Counter(_expected_message_ids(ids))
    assert set(Notification.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_a_crash_before_recording_resends_the_batch_once_with_the_same_message_ids(
    smtp: SinkHandler, published: list[list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _enqueue(4, "crash")

    def worker_dies(rows: object) -> None:
        raise SystemExit("killed after the server accepted the batch")

    with monkeypatch.context() as patched:
        patched.setattr(claims, "record_sent", worker_dies)
        with pytest.raises(SystemExit):
            notification_deliver(*ids)
    assert set(Notification.objects.values_list("status", flat=True)) == {"sending"}
    assert notification_sweep() == 0  # the claims still run: nobody takes them over
    Notification.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))

    assert notification_sweep() == 4
    assert Counter(_message_ids(smtp)) == Counter(dict.fromkeys(_expected_message_ids(ids), 2))
    assert set(Notification.objects.values_list("status", "attempts")) == {("sent", 2)}


def test_one_publish_per_commit_whatever_savepoints_rolled_back(
    smtp: SinkHandler, published: list[list[int]]
) -> None:
    def one(key: str) -> int:
        return notification_enqueue(kind="test.ping", recipients=["office@example.org"], idempotency_key=key)[
            0
        ].id

    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            one("rolled-back")  # registered the publish, then rolled back with it
            raise RuntimeError
        kept = [one("a"), one("b")]
    assert published == [kept]
    with pytest.raises(RuntimeError), transaction.atomic():
        one("c")
        raise RuntimeError
    assert published == [kept]  # a rolled-back transaction publishes nothing


@pytest.fixture
def shared_kind() -> Any:
    """A kind whose e-mail is the same for every recipient of an object; counts its renders."""
    calls: list[str] = []

    def context(notification: Notification) -> dict[str, Any]:
        calls.append(notification.recipient_email)
        return {"reference": f"PING-{str(notification.object_public_id)[:8]}"}

    notification_kind_register(
        NotificationKind(
            name="test.shared",
            label="Shared",
            context=context,
            link=lambda notification: f"/things/{notification.object_public_id}/",
            subject_template="notifications/test.ping.subject",
            text_template="notifications/test.ping.txt",
            html_template="notifications/test.ping.html",
            same_for_object=True,
        )
    )
    yield calls
    notification_kinds.pop("test.shared", None)


def test_an_email_the_same_for_an_objects_recipients_is_rendered_once_per_batch(
    smtp: SinkHandler, published: list[list[int]], shared_kind: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "BATCH", 4)
    thing = uuid.uuid4()
    with transaction.atomic():
        rows = notification_enqueue(
            kind="test.shared",
            recipients=[f"o{n}@example.org" for n in range(8)],
            object_type="tests.thing",
            object_public_id=thing,
            idempotency_key="shared",
        )
    notification_deliver(*[row.id for row in rows])
    assert len(shared_kind) == 2  # two batches of four
    received = [email.message_from_bytes(raw, policy=policy.default) for raw in smtp.messages]
    assert sorted(str(message["To"]) for message in received) == [f"o{n}@example.org" for n in range(8)]
    assert len({str(message["Message-ID"]) for message in received}) == 8
    assert all(f"PING-{str(thing)[:8]}" in str(message["Subject"]) for message in received)

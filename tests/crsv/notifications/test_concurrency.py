"""Committed transactions: two claimants at once send once; Redis down does not fail the commit,
and the sweep delivers; no survivor value reaches the SMTP server."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, transaction

from crsv.accounts.models import User
from crsv.celery import app
from crsv.notifications import services
from crsv.notifications.models import Notification
from crsv.notifications.services import notification_enqueue
from crsv.notifications.tasks import notification_deliver, notification_sweep
from tests.crsv.notifications.conftest import SinkHandler

pytestmark = pytest.mark.django_db(transaction=True)


def _enqueue(recipients: list[Any], key: str) -> list[Notification]:
    return notification_enqueue(
        kind="test.ping",
        recipients=recipients,
        object_type="tests.thing",
        object_public_id=uuid.uuid4(),
        idempotency_key=f"test.ping:{key}",
    )


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """What would have been published after commit (nothing reaches the shared Redis)."""
    ids: list[int] = []
    monkeypatch.setattr(services, "notification_publish", ids.extend)
    return ids


def _at_once(work: Callable[[], object], threads: int = 2) -> None:
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            work()
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert not errors


def test_two_workers_claiming_one_notification_send_it_once(smtp: SinkHandler, published: list[int]) -> None:
    with transaction.atomic():
        [notification] = _enqueue(["office@example.org"], "one")
    assert published == [notification.id]  # after commit, its id only
    for _ in range(5):
        _at_once(lambda: notification_deliver(notification.id))
    assert len(smtp.messages) == 1
    assert Notification.objects.get(id=notification.id).attempts == 1


def test_two_sweeps_and_two_workers_at_once_send_each_once(smtp: SinkHandler, published: list[int]) -> None:
    with transaction.atomic():
        rows = [_enqueue([f"o{n}@example.org"], f"k{n}")[0] for n in range(12)]

    def sweep_or_deliver() -> None:
        notification_sweep()
        for row in rows:
            notification_deliver(row.id)

    _at_once(sweep_or_deliver, threads=4)
    assert len(smtp.messages) == 12
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


@pytest.fixture
def broker_down() -> Iterator[None]:
    """The Celery broker at a closed port, as when Redis is down."""
    url = app.conf.broker_url
    app.pool.force_close_all()
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.pool.force_close_all()
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None


def test_with_the_broker_down_the_commit_succeeds_and_the_sweep_delivers(
    smtp: SinkHandler, broker_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    started = time.monotonic()
    with transaction.atomic():
        rows = [_enqueue([f"o{n}@example.org"], f"down{n}")[0] for n in range(3)]
    assert time.monotonic() - started < 3  # one refused connection, not a retry loop per row
    # One publish per commit, with the commit's three ids: one refused connection, one line.
    assert caplog.text.count("notification publish failed (OperationalError); 3 left to the sweep") == 1
    assert set(Notification.objects.values_list("status", flat=True)) == {"pending"}
    assert smtp.messages == []

    assert notification_sweep() == 3
    assert len(smtp.messages) == 3
    assert {row.id for row in rows} == set(
        Notification.objects.filter(status="sent").values_list("id", flat=True)
    )


def test_no_survivor_value_reaches_the_smtp_server(
    smtp: SinkHandler, published: list[int], office: Any, wpa: User
) -> None:
    """The canary: a case whose name and phone are unique strings, notified about by every
    channel; none of the bytes the server received holds them. Kinds added by the apps use the
    same check with their own objects."""
    from survivors.identity import SurvivorIdentity
    from survivors.models import Survivor
    from survivors.services import SurvivorProfile, survivor_register

    canaries = ["Canarynamezq Kavira", "+243 970 123 987"]
    survivor = survivor_register(
        actor=wpa,
        field_office=office,
        identity=SurvivorIdentity(name=canaries[0], phone=canaries[1]),
        profile=SurvivorProfile(sex=Survivor.Sex.FEMALE, age=24),
    )
    wpa.email = "wpa@example.org"
    wpa.save()
    with transaction.atomic():
        rows = notification_enqueue(
            kind="test.ping", recipients=[wpa, "office@example.org"], obj=survivor, idempotency_key="canary"
        )
    assert [row.mission_id for row in rows] == [office.mission_id] * 2
    assert notification_sweep() == 2
    assert len(smtp.messages) == 2
    for raw in smtp.messages:
        for canary in canaries:
            assert canary.encode() not in raw
            assert canary.split()[0].lower().encode() not in raw.lower()

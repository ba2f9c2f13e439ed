"""Two beats at once (real threads, each with its own database connection): each idle account is
deactivated and audited once, each ended membership ended and audited once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connections, transaction
from django.utils import timezone

from crsv.access.idle import KIND, users_idle_deactivate
from crsv.accounts.expiry import memberships_end_due
from crsv.accounts.models import FieldOffice, Membership, User
from crsv.audit.models import AuditEvent
from crsv.notifications.models import Notification
from tests.crsv.access_review.conftest import account
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
NOW = timezone.now() + timedelta(days=1000)


def _in_parallel(calls: list[Callable[[], Any]], *, start_together: bool = True) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            if start_together:
                barrier.wait(10)
            results[i] = calls[i]()
        except BaseException as exc:  # re-raised below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    if errors:
        raise errors[0]
    return results


@pytest.fixture
def sleepers(admin_user: User) -> list[User]:
    User.objects.filter(pk=admin_user.pk).update(last_active_at=NOW)
    return [account(f"sleeper{i}", now=NOW, active_days_ago=100 + i) for i in range(6)]


def _audited() -> list[Any]:
    return list(
        AuditEvent.objects.filter(action=AuditEvent.Action.USER_IDLE_DEACTIVATED).values_list(
            "object_public_id", flat=True
        )
    )


def test_a_run_skips_the_accounts_another_run_holds(sleepers: list[User]) -> None:
    """The first run claims the 3 longest idle and keeps its transaction open; the second takes
    the 3 others without waiting; neither touches the other's."""
    claimed, release = threading.Event(), threading.Event()

    def first() -> list[str]:
        with transaction.atomic():
            users = users_idle_deactivate(now=NOW, idle_days=90, limit=3)
            claimed.set()
            assert release.wait(10)
        return [user.username for user in users]

    def second() -> list[str]:
        assert claimed.wait(10)
        try:
            return [user.username for user in users_idle_deactivate(now=NOW, idle_days=90, limit=10)]
        finally:
            release.set()

    a, b = _in_parallel([first, second], start_together=False)
    assert sorted(a) == ["sleeper3", "sleeper4", "sleeper5"]  # the longest idle first
    assert sorted(b) == ["sleeper0", "sleeper1", "sleeper2"]
    assert sorted(_audited()) == sorted(user.public_id for user in sleepers)
    assert not User.objects.filter(username__startswith="sleeper", is_active=True).exists()
    assert Notification.objects.filter(kind=KIND).count() == 2
    assert users_idle_deactivate(now=NOW, idle_days=90, limit=10) == []


def test_two_runs_started_together_deactivate_each_account_once(sleepers: list[User]) -> None:
    def run() -> int:
        return len(users_idle_deactivate(now=NOW, idle_days=90, limit=10))

    results = _in_parallel([run, run, run])
    assert sum(results) == len(sleepers)
    audited = _audited()
    assert len(audited) == len(set(audited)) == len(sleepers)


def test_two_membership_runs_end_each_membership_once(office: FieldOffice) -> None:
    users = [UserFactory(username=f"temp{i}", offices=[office]) for i in range(8)]
    Membership.objects.filter(field_office=office).update(ends_on=date(2026, 1, 1))
    now = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)

    results = _in_parallel([lambda: memberships_end_due(now=now, batch=3)] * 2)
    # A run that met a user the other held stops there (the next hourly run goes on): run once more.
    leftover = memberships_end_due(now=now)

    assert sum(results) + leftover == len(users)
    assert not Membership.objects.filter(field_office=office).exists()
    ended = list(
        AuditEvent.objects.filter(action=AuditEvent.Action.MEMBERSHIP_ENDED).values_list(
            "object_public_id", flat=True
        )
    )
    assert sorted(ended) == sorted(user.public_id for user in users)

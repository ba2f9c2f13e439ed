"""Idle accounts deactivated by beat (crsv/access/idle.py): which accounts, what is ended and
audited, the administrators' e-mail, and a second run that does nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from crsv.access.idle import KIND, users_idle_deactivate, users_idle_deactivate_all
from crsv.access.tasks import users_idle_deactivate as users_idle_deactivate_task
from crsv.accounts.models import ApiToken, Invitation, User
from crsv.accounts.services import api_token_issue
from crsv.audit.models import AuditEvent
from crsv.audit.services import audit_record
from crsv.celery import app
from crsv.notifications.models import Notification
from crsv.notifications.tasks import notification_deliver
from tests.crsv.access_review.conftest import account

pytestmark = pytest.mark.django_db
IDLE = AuditEvent.Action.USER_IDLE_DEACTIVATED


def _active(*usernames: str) -> dict[str, bool]:
    return dict(User.objects.filter(username__in=usernames).values_list("username", "is_active"))


def test_which_accounts_are_idle(admin_user: User) -> None:
    now = timezone.now() + timedelta(days=5)  # the reactivation below is audited now: 5 days before
    User.objects.filter(pk=admin_user.pk).update(last_active_at=now)
    account("idle", now=now, active_days_ago=91)
    account("recent", now=now, active_days_ago=89)
    account("never_active_old", now=now, active_days_ago=None, joined_days_ago=91)
    account("never_active_new", now=now, active_days_ago=None, joined_days_ago=10)
    invited = account("invited_again", now=now, active_days_ago=None, joined_days_ago=200)
    Invitation.objects.create(user=invited, token_hash="a" * 64, expires_at=now)
    Invitation.objects.filter(user=invited).update(created_at=now - timedelta(days=3))
    signed_in = account("signed_in", now=now, active_days_ago=120)
    User.objects.filter(pk=signed_in.pk).update(last_login=now - timedelta(days=2))
    api_client_user = account("api_client", now=now, active_days_ago=200)
    api_token_issue(user=api_client_user)  # a bearer client's sign-in, now: 5 days before `now`
    reactivated = account("reactivated", now=now, active_days_ago=300)
    audit_record(actor=admin_user, action=AuditEvent.Action.USER_ACTIVATED, obj=reactivated)
    account("root", now=now, active_days_ago=500, is_superuser=True)
    account("already_off", now=now, active_days_ago=500, is_active=False)

    deactivated = users_idle_deactivate_all(now=now, idle_days=90)

    assert deactivated == 2
    names = ("idle", "recent", "never_active_old", "never_active_new", "invited_again", "signed_in")
    assert _active(*names, "api_client", "reactivated", "root", "admin") == {
        "idle": False,
        "never_active_old": False,
        "recent": True,
        "never_active_new": True,
        "invited_again": True,
        "signed_in": True,
        "api_client": True,
        "reactivated": True,
        "root": True,  # superusers are exempt, and only they are
        "admin": True,
    }


def test_deactivation_ends_credentials_audits_and_tells_the_administrators(
    admin_user: User, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    now = timezone.now() + timedelta(days=1000)
    User.objects.filter(pk=admin_user.pk).update(last_active_at=now, email="admin@example.org")
    sleeper = account("sleeper", now=now, active_days_ago=120)
    other = account("other_sleeper", now=now, active_days_ago=95)
    stamp = sleeper.security_stamp
    api_token_issue(user=sleeper)

    done = users_idle_deactivate(now=now, idle_days=90, limit=10)

    assert [user.username for user in done] == ["sleeper", "other_sleeper"]  # longest idle first
    sleeper.refresh_from_db()
    assert not sleeper.is_active and sleeper.security_stamp != stamp
    assert not ApiToken.objects.filter(user=sleeper, revoked_at__isnull=True).exists()
    events = list(AuditEvent.objects.filter(action=IDLE).order_by("id"))
    assert [e.object_public_id for e in events] == [sleeper.public_id, other.public_id]
    assert all(e.actor_id is None for e in events)
    changes = events[0].changes
    assert changes["is_active"] == {"before": True, "after": False}
    assert changes["idle_days"] == 90
    assert changes["idle_since"].startswith((now - timedelta(days=120)).date().isoformat())

    (note,) = Notification.objects.filter(kind=KIND)
    assert note.recipient_id == admin_user.pk
    notification_deliver(note.id)
    (message,) = mail.outbox
    assert message.to == ["admin@example.org"]
    assert message.subject == "2 accounts were deactivated after a long inactivity"
    assert "more than 90 days" in message.body
    assert "- sleeper\n" in message.body and "- other_sleeper\n" in message.body
    assert "/access/review/?active=no" in message.body
    html = message.alternatives[0][0]
    assert "<li>sleeper</li>" in html


def test_a_second_run_does_nothing(admin_user: User) -> None:
    now = timezone.now() + timedelta(days=1000)
    User.objects.filter(pk=admin_user.pk).update(last_active_at=now)
    account("sleeper", now=now, active_days_ago=120)
    assert users_idle_deactivate_all(now=now, idle_days=90) == 1
    assert users_idle_deactivate_all(now=now, idle_days=90) == 0
    assert users_idle_deactivate_all(now=now + timedelta(hours=1), idle_days=90) == 0
    assert AuditEvent.objects.filter(action=IDLE).count() == 1
    assert Notification.objects.filter(kind=KIND).count() == 1


def test_batches_each_tell_their_own_accounts(admin_user: User) -> None:
    now = timezone.now() + timedelta(days=1000)
    User.objects.filter(pk=admin_user.pk).update(last_active_at=now)
    for i in range(5):
        account(f"sleeper{i}", now=now, active_days_ago=100 + i)
    assert users_idle_deactivate_all(now=now, idle_days=90, batch=2) == 5
    assert Notification.objects.filter(kind=KIND).count() == 3  # 2 + 2 + 1
    runs = {e.changes["run"] for e in AuditEvent.objects.filter(action=IDLE)}
    assert len(runs) == 3


def test_the_beat_task_reads_the_setting(admin_user: User, no_role: User, settings: Any) -> None:
    settings.ACCESS_IDLE_DAYS = 30
    User.objects.filter(pk=admin_user.pk).update(last_active_at=timezone.now())
    User.objects.filter(pk=no_role.pk).update(
        last_active_at=timezone.now() - timedelta(days=31), date_joined=timezone.now() - timedelta(days=60)
    )
    assert users_idle_deactivate_task() == 1
    assert _active("no_role", "admin") == {"no_role": False, "admin": True}
    assert AuditEvent.objects.get(action=IDLE).changes["idle_days"] == 30


def test_the_beat_schedule_runs_both_tasks_hourly(settings: Any) -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE
    for entry, task in (
        ("access-idle-deactivate", "crsv.access.tasks.users_idle_deactivate"),
        ("access-memberships-end", "crsv.access.tasks.memberships_end"),
    ):
        assert schedule[entry]["task"] == task
        assert task in app.tasks
        assert schedule[entry]["schedule"] == 3600.0
    assert settings.ACCESS_IDLE_DAYS == 90

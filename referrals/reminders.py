"""The referrals' clock (issue 11 item 5): a referral still waiting for the provider's answer
(state `sent`) past its due time gets one reminder, then one escalation (kinds registered by
`ReferralsConfig.ready()`):

- `referral.overdue_reminder`, at the due time: the provider's users and its contact address
  (which also gets the one-time accept-or-decline link, when one is still unused);
- `referral.overdue_escalation`, `REFERRAL_ESCALATE_AFTER[urgency]` after the due time (half the
  urgency's due interval by default: emergency 2 h, high 12 h, routine 84 h), and only after the
  reminder: the case's assigned WPA and the WPA who made the referral.

Each is keyed by the referral's public id (plus the recipient, `notification_enqueue`), so it
happens once per referral however often, and however concurrently, beat runs the task. An
answer (accepted, declined) or an end (cancelled, revoked) stops the clock: only `sent` counts.
Accepted referrals whose service has not begun stay on the "overdue" home line and list; they
are not chased by e-mail (the provider has answered).
"""

from __future__ import annotations

from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from crsv.accounts.models import User
from crsv.notifications.models import Notification
from crsv.notifications.registry import NotificationKind, notification_kind_register
from crsv.notifications.services import notification_enqueue
from referrals.models import ProviderMembership, Referral
from referrals.notifications import (
    referral_answer_links,
    referral_notification_context,
    referral_notification_link,
)

REMINDER = "referral.overdue_reminder"
ESCALATION = "referral.overdue_escalation"


def _notified(kind: str) -> Exists:
    return Exists(Notification.objects.filter(kind=kind, object_public_id=OuterRef("public_id")))


def _escalation_due_q(now: datetime) -> Q:
    """Past the due time by the urgency's escalation delay (one OR arm per urgency)."""
    arms = [
        Q(urgency=urgency, due_at__lt=now - delay)
        for urgency, delay in settings.REFERRAL_ESCALATE_AFTER.items()
    ]
    return reduce(or_, arms)


def overdue_reminders_due(*, now: datetime, limit: int) -> list[int]:
    """Ids of the unanswered referrals past their due time not reminded yet, oldest due first."""
    rows = Referral.objects.filter(state=Referral.State.SENT, due_at__lt=now).exclude(_notified(REMINDER))
    return list(rows.order_by("due_at", "id").values_list("id", flat=True)[:limit])


def overdue_escalations_due(*, now: datetime, limit: int) -> list[int]:
    """Ids of the reminded, still unanswered referrals past their escalation time, not
    escalated yet, oldest due first."""
    rows = (
        Referral.objects.filter(_escalation_due_q(now), state=Referral.State.SENT)
        .filter(_notified(REMINDER))
        .exclude(_notified(ESCALATION))
    )
    return list(rows.order_by("due_at", "id").values_list("id", flat=True)[:limit])


def _provider_recipients(referral: Referral) -> list[User | str]:
    users: list[User | str] = [
        membership.user
        for membership in ProviderMembership.objects.filter(provider_id=referral.provider_id)
        .select_related("user")
        .order_by("user_id")
    ]
    return [*users, referral.provider.contact_email]


def _case_workers(referral: Referral) -> list[User]:
    ids = {referral.created_by_id}
    if referral.survivor.assigned_wpa_id is not None:
        ids.add(referral.survivor.assigned_wpa_id)
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


@transaction.atomic
def referral_overdue_notify(*, referral_id: int, kind: str, now: datetime) -> int:
    """Enqueue the reminder or the escalation of one referral if it is still due (re-checked
    with the row locked: an answer given meanwhile wins); returns the notifications written."""
    due = _escalation_due_q(now) & Q(_notified(REMINDER)) if kind == ESCALATION else Q(due_at__lt=now)
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("provider", "survivor")
        .filter(due, id=referral_id, state=Referral.State.SENT)
        .exclude(_notified(kind))
        .first()
    )
    if referral is None:
        return 0
    recipients = _provider_recipients(referral) if kind == REMINDER else _case_workers(referral)
    created = notification_enqueue(
        kind=kind,
        recipients=recipients,
        obj=referral,
        mission_id=referral.survivor.mission_id,
        email_language=referral.provider.email_language(),
        idempotency_key=f"{kind}:{referral.public_id}",
    )
    return len(created)


def _reminder_context(notification: Notification) -> dict[str, Any]:
    return {
        **referral_notification_context(notification),
        "answer_links": referral_answer_links(notification),
    }


def referral_reminder_kinds_register() -> None:
    notification_kind_register(
        NotificationKind(
            name=REMINDER,
            label=_("A referral to your organisation is overdue: please answer it"),
            context=_reminder_context,
            link=referral_notification_link,
        )
    )
    notification_kind_register(
        NotificationKind(
            name=ESCALATION,
            label=_("A referral is overdue and the provider has not answered"),
            context=referral_notification_context,
            link=referral_notification_link,
        )
    )

"""Celery adapters of the referrals' clock (scheduled by beat: settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from referrals.reminders import (
    ESCALATION,
    REMINDER,
    overdue_escalations_due,
    overdue_reminders_due,
    referral_overdue_notify,
)


@shared_task(name="referrals.tasks.referrals_overdue_notify", ignore_result=True)
def referrals_overdue_notify() -> int:
    """Every minute: remind the providers of the unanswered referrals past their due time, then
    escalate those reminded and still unanswered past their escalation time (referrals/
    reminders.py), at most CLOCK_BATCH_SIZE of each per run, each referral in its own
    transaction. Returns how many notifications it wrote; a second run (or a concurrent one)
    writes none of the same."""
    now = timezone.now()
    limit = settings.CLOCK_BATCH_SIZE
    written = 0
    for referral_id in overdue_reminders_due(now=now, limit=limit):
        written += referral_overdue_notify(referral_id=referral_id, kind=REMINDER, now=now)
    for referral_id in overdue_escalations_due(now=now, limit=limit):
        written += referral_overdue_notify(referral_id=referral_id, kind=ESCALATION, now=now)
    return written

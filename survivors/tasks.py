"""Celery adapters of the survivors' clocks (scheduled by beat: settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from survivors.clock_notifications import medical_window_due, medical_window_escalate_one


@shared_task(name="survivors.tasks.medical_window_escalate", ignore_result=True)
def medical_window_escalate() -> int:
    """Every minute: escalate the cases inside the 72-hour window without accepted medical care
    (survivors/clock.py), at most CLOCK_BATCH_SIZE per run, each in its own transaction. Returns
    how many notifications it wrote. Two runs at once write each escalation once (the case's
    row lock, then the outbox's unique key)."""
    now = timezone.now()
    written = 0
    for survivor_id in medical_window_due(now=now, limit=settings.CLOCK_BATCH_SIZE):
        written += medical_window_escalate_one(survivor_id=survivor_id, now=now)
    return written

"""Celery adapters of the incidents track (scheduled by beat: settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from incidents.services.alerts import alerts_escalate_due


@shared_task(name="incidents.tasks.alerts_escalate", ignore_result=True)
def alerts_escalate() -> int:
    """Every minute: escalate the alerts still new ALERT_ESCALATION_MINUTES after they came in to
    the senior WPAs of their mission, at most CLOCK_BATCH_SIZE per run (the next run takes the
    rest). No arguments: the task carries nothing of any alert. Returns how many it escalated;
    a second run, or one running at the same time, escalates none of the same."""
    return len(alerts_escalate_due(limit=settings.CLOCK_BATCH_SIZE))

"""Platform tasks."""

from __future__ import annotations

from celery import shared_task

from crsv import health


@shared_task(name="crsv.tasks.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> None:
    """Scheduled by beat every minute; `/healthz` reports beat as down when this goes stale."""
    health.beat_heartbeat_record()

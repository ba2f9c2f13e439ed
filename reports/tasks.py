"""The statistics' beat task: consents that expire or begin with the clock alone."""

from __future__ import annotations

from celery import shared_task

from reports.consent_flags import consent_flags_refresh_due


@shared_task(name="reports.tasks.consent_flags_refresh")
def consent_flags_refresh() -> int:
    """Within minutes of a statistics consent expiring (or a future-dated one beginning), its
    survivor's incidents stop (or start) counting. No arguments: nothing about a survivor
    travels through the broker."""
    return consent_flags_refresh_due()

"""Celery adapters of the outbox: ids in, the claim decides who sends (delivery.py)."""

from __future__ import annotations

import contextlib
import time

from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection

from crsv.notifications.delivery import (
    notification_claim,
    notification_claim_next,
    notification_deliver_claimed,
)


@shared_task(name="crsv.notifications.tasks.notification_deliver", ignore_result=True)
def notification_deliver(notification_id: int) -> str | None:
    """Deliver one notification after the commit that wrote it. Returns quietly when the row is
    gone, not yet due, already sent, or claimed by another worker or the sweep."""
    if not notification_claim(notification_id):
        return None
    status = notification_deliver_claimed(notification_id)
    return str(status) if status else None


@shared_task(name="crsv.notifications.tasks.notification_sweep", ignore_result=True)
def notification_sweep() -> int:
    """Scheduled by beat every minute: delivers, inline and one claim at a time, every due
    notification (whose task was never published, e.g. Redis was down, or whose retry is due)
    and every claim whose worker died, for at most `NOTIFICATION_SWEEP_SECONDS`. Returns how many
    it handled. Two sweeps at once take different rows (SKIP LOCKED)."""
    deadline = time.monotonic() + settings.NOTIFICATION_SWEEP_SECONDS
    handled = 0
    mail_connection = get_connection(fail_silently=False)
    # One SMTP session for the sweep when the server answers; when it does not, each send
    # tries on its own and fails as a counted, retried attempt.
    with contextlib.suppress(OSError):
        mail_connection.open()
    try:
        while time.monotonic() < deadline:
            notification_id = notification_claim_next()
            if notification_id is None:
                break
            notification_deliver_claimed(notification_id, mail_connection)
            handled += 1
    finally:
        mail_connection.close()
    return handled

"""Celery adapters of the outbox: ids in, the claim decides who sends (delivery.py)."""

from __future__ import annotations

from celery import shared_task

from crsv.notifications.delivery import notification_deliver_due


@shared_task(name="crsv.notifications.tasks.notification_deliver", ignore_result=True)
def notification_deliver(*notification_ids: int) -> str | None:
    """Deliver the notifications one commit wrote (published after it, ids only), then keep
    draining whatever else is due for a while (delivery.py), so a burst is sent by one task over
    one SMTP session. Returns the first id's new status (the others are in the rows), or None
    when it was not claimed: gone, not yet due, already sent, or claimed by another worker or the
    sweep."""
    outcomes = notification_deliver_due(notification_ids)
    return outcomes.get(notification_ids[0]) if notification_ids else None


@shared_task(name="crsv.notifications.tasks.notification_sweep", ignore_result=True)
def notification_sweep() -> int:
    """Scheduled by beat every minute: delivers every due notification (whose task was never
    published, e.g. Redis was down, or whose retry is due) and every claim whose worker died, for
    at most `NOTIFICATION_SWEEP_SECONDS`. Returns how many it handled. Two sweeps at once take
    different rows (SKIP LOCKED)."""
    return len(notification_deliver_due())

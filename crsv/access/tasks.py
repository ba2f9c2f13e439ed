"""Celery adapters of the access administration's beat work (CELERY_BEAT_SCHEDULE): no
arguments, the clock read here, the rules in the services they call."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from crsv.access.idle import users_idle_deactivate_all
from crsv.accounts.expiry import memberships_end_due


@shared_task(name="crsv.access.tasks.users_idle_deactivate", ignore_result=True)
def users_idle_deactivate() -> int:
    """Daily: deactivate the accounts idle for ACCESS_IDLE_DAYS (crsv/access/idle.py); returns
    how many. Two runs at once deactivate each account once (rows claimed SKIP LOCKED)."""
    return users_idle_deactivate_all(now=timezone.now())


@shared_task(name="crsv.access.tasks.memberships_end", ignore_result=True)
def memberships_end() -> int:
    """Hourly: end the field-office memberships past their end date (crsv/accounts/expiry.py);
    returns for how many users. The scope already left them out; this deletes and audits."""
    return memberships_end_due(now=timezone.now())

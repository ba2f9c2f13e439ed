"""The escalation clock: an alert still new ALERT_ESCALATION_MINUTES after it was received is
escalated to the senior WPAs of its mission, exactly once.

Run by beat every minute (incidents/tasks.py). Each run claims the alerts due with one statement,
`UPDATE ... SET escalated_at WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) AND escalated_at IS
NULL RETURNING id`, and writes their history, audit and notification rows in the same
transaction. Two runs at once (two beats, two workers) cannot claim the same alert: the second
skips the rows the first has locked, and once the first commits, `escalated_at` is set. A rolled
back run leaves `escalated_at` empty and notifies no one: the next run takes the alert. An alert
being acknowledged at that moment is locked by the acknowledgement and skipped; the next run
finds it acknowledged.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction

from crsv.audit.services import audit_record
from incidents import clock
from incidents.alert_notifications import alert_notify_escalated
from incidents.models import Alert, AlertEvent
from incidents.services.alerts.history import alert_event_record

_TABLE = Alert._meta.db_table
_CLAIM_SQL = f"""
    UPDATE {_TABLE} SET escalated_at = %s
    WHERE id IN (
        SELECT id FROM {_TABLE}
        WHERE state = %s AND escalated_at IS NULL AND received_at <= %s
        ORDER BY received_at, id
        LIMIT %s
        FOR UPDATE SKIP LOCKED
    )
    AND state = %s AND escalated_at IS NULL
    RETURNING id
"""  # noqa: S608  # nosec B608  # the table name is the model's own; values are parameters


def alert_escalation_delay() -> timedelta:
    return timedelta(minutes=settings.ALERT_ESCALATION_MINUTES)


@transaction.atomic
def alerts_escalate_due(*, limit: int, now: datetime | None = None) -> list[int]:
    """Escalate at most `limit` alerts still new past the delay, oldest first; returns their ids
    (none that another run escalated, or is escalating)."""
    now = now or clock.now()
    new = Alert.State.NEW
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, [now, new, now - alert_escalation_delay(), limit, new])
        ids = sorted(row[0] for row in cursor.fetchall())
    for alert in Alert.objects.filter(pk__in=ids).select_related("field_office__mission").order_by("pk"):
        alert_event_record(
            actor=None, alert=alert, action=AlertEvent.Action.ESCALATE, from_state=alert.state, at=now
        )
        audit_record(actor=None, action="alert.escalate", obj=alert)
        alert_notify_escalated(alert=alert)
    return ids

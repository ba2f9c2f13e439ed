"""What early-warning alerts notify (issue 13 item 4), registered by `IncidentsConfig.ready()`.

- `alert.received`: a new alert, in the transaction that records it, to the office's on-call
  focal points at that moment; when nobody is on call, to the office's WPAs (the e-mail says so);
  when the office has no WPA either, to the mission's senior WPAs. The idempotency key names the
  alert and the route (`alert.received:<alert>:<route>`), so the e-mail can say why she gets it.
- `alert.escalated`: an alert still new ALERT_ESCALATION_MINUTES after it was received, to the
  mission's senior WPAs, once (the escalation task claims the alert: services/alerts/escalation.py).

The e-mails carry the alert's reference, field office, urgency and time, and a link: never its
place, indicators or description (an e-mail leaves the system in clear).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from crsv.notifications.registry import NotificationKind, notification_kind_register
from crsv.notifications.services import notification_enqueue
from incidents.models import Alert
from incidents.selectors import alerts as selectors

if TYPE_CHECKING:
    from django.http import HttpRequest

    from crsv.accounts.models import User
    from crsv.notifications.models import Notification

RECEIVED = "alert.received"
ESCALATED = "alert.escalated"


class Route:
    """Why a recipient hears of a new alert (the last part of its idempotency key)."""

    ON_CALL = "on_call"  # she is on call for the office
    OFFICE = "office"  # nobody is on call: she is a WPA of the office
    MISSION = "mission"  # nobody is on call and the office has no WPA: she is a senior WPA


def alert_received_recipients(alert: Alert) -> tuple[str, list[User]]:
    """Who hears of the new alert now, and by which route (see the module docstring)."""
    office = alert.field_office
    on_call = selectors.alert_on_call_users(field_office=office, at=alert.received_at)
    if on_call:
        return Route.ON_CALL, on_call
    wpas = selectors.alert_office_wpas(field_office=office)
    if wpas:
        return Route.OFFICE, wpas
    return Route.MISSION, selectors.alert_mission_seniors(field_office=office)


def alert_notify_received(*, alert: Alert, request: HttpRequest | None = None) -> tuple[str, int]:
    """Enqueue `alert.received` (in the caller's transaction); returns the route and how many
    were told."""
    route, recipients = alert_received_recipients(alert)
    written = notification_enqueue(
        kind=RECEIVED,
        recipients=recipients,
        obj=alert,
        mission_id=alert.field_office.mission_id,
        idempotency_key=f"{RECEIVED}:{alert.public_id}:{route}",
        request=request,
    )
    return route, len(written)


def alert_notify_escalated(*, alert: Alert) -> int:
    """Enqueue `alert.escalated` to the mission's senior WPAs; returns how many were told."""
    written = notification_enqueue(
        kind=ESCALATED,
        recipients=selectors.alert_mission_seniors(field_office=alert.field_office),
        obj=alert,
        mission_id=alert.field_office.mission_id,
        idempotency_key=f"{ESCALATED}:{alert.public_id}",
    )
    return len(written)


def alert_context(notification: Notification) -> dict[str, Any]:
    """Named columns of the alert (no place, no indicator, no description), and for a new
    alert the route by which the recipient hears of it."""
    assert notification.object_public_id is not None  # the kinds name their alert
    row = Alert.objects.filter(public_id=notification.object_public_id).values(
        "reference", "urgency", "received_at", "field_office__name", "field_office__time_zone"
    )[0]
    zone = row["field_office__time_zone"]
    received = timezone.localtime(row["received_at"], ZoneInfo(zone))
    parts = notification.idempotency_key.split(":")
    return {
        "reference": row["reference"],
        "field_office": row["field_office__name"],
        "urgency": Alert.Urgency(row["urgency"]).label,
        "received": f"{formats.date_format(received, 'DATETIME_FORMAT')} ({zone})",
        "route": parts[2] if notification.kind == RECEIVED and len(parts) > 2 else "",
        "minutes": settings.ALERT_ESCALATION_MINUTES,
    }


def alert_link(notification: Notification) -> str:
    return reverse("incidents:alert_detail", kwargs={"public_id": notification.object_public_id})


def alert_notification_kinds_register() -> None:
    notification_kind_register(
        NotificationKind(
            name=RECEIVED,
            label=_("A new early-warning alert for your field office"),
            context=alert_context,
            link=alert_link,
        )
    )
    notification_kind_register(
        NotificationKind(
            name=ESCALATED,
            label=_("An early-warning alert was not acknowledged in time"),
            context=alert_context,
            link=alert_link,
            same_for_object=True,
        )
    )

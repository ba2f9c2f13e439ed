"""What incidents notify (issue 11, item 2), registered by `IncidentsConfig.ready()`.

- `incident.returned`: the incident's reporter, when a reviewer sends it back to her (not when
  she returned it herself, as a WPA reporting may).

`incident_return` calls `incident_notify_returned` in its transaction, after the event; the
idempotency key is the IncidentEvent's public id, so a retried call never notifies twice. The
e-mail carries the incident's reference, its field office, who returned it and when, and a
link; never the return's reason (encrypted: it may quote the narrative) nor anything else of
the incident.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from crsv.notifications.registry import NotificationKind, notification_kind_register
from crsv.notifications.services import notification_enqueue
from incidents.models import Incident, IncidentEvent

if TYPE_CHECKING:
    from django.http import HttpRequest

    from crsv.notifications.models import Notification

RETURNED = "incident.returned"


def incident_notify_returned(
    *, incident: Incident, event: IncidentEvent, request: HttpRequest | None = None
) -> None:
    """Tell the reporter her incident came back to her (`event`: the return)."""
    if incident.reported_by_id == event.actor_id:
        return
    notification_enqueue(
        kind=RETURNED,
        recipients=[incident.reported_by],
        obj=incident,
        idempotency_key=f"{RETURNED}:{event.public_id}",
        request=request,
    )


def returned_context(notification: Notification) -> dict[str, Any]:
    """Named columns of the incident and of the return event (its key holds the event's id)."""
    event_public_id = notification.idempotency_key.split(":")[1]
    incident_public_id = notification.object_public_id
    assert incident_public_id is not None  # the kind names its incident
    row = IncidentEvent.objects.filter(
        public_id=event_public_id, incident__public_id=incident_public_id
    ).values(
        "occurred_at",
        "actor__first_name",
        "actor__last_name",
        "actor__username",
        "incident__reference",
        "incident__field_office__name",
        "incident__field_office__time_zone",
    )[0]
    zone = row["incident__field_office__time_zone"]
    when = timezone.localtime(row["occurred_at"], ZoneInfo(zone))
    actor = f"{row['actor__first_name']} {row['actor__last_name']}".strip() or row["actor__username"]
    return {
        "reference": row["incident__reference"] or "-",
        "field_office": row["incident__field_office__name"],
        "actor_name": actor,
        "when": f"{formats.date_format(when, 'DATETIME_FORMAT')} ({zone})",
    }


def incident_link(notification: Notification) -> str:
    return reverse("incidents:detail", kwargs={"public_id": notification.object_public_id})


def incident_notification_kinds_register() -> None:
    notification_kind_register(
        NotificationKind(
            name=RETURNED,
            label=_("An incident you reported was returned to you"),
            context=returned_context,
            link=incident_link,
        )
    )

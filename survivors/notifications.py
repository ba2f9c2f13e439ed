"""What survivor cases notify (issue 11, item 2), registered by `SurvivorsConfig.ready()`.

- `survivor.assigned`: the WPA a senior WPA just assigned the case to (not when she assigned
  it to herself, nor when the case already was hers);
- `survivor.break_glass`: the other senior WPAs of the case's mission, when one of them opens
  it by break-glass.

The services call these in their transaction, after the write. The idempotency key is the
event's public id (the assignment's audit event, the BreakGlass row), so a retried call never
notifies twice. A case has no reference but its pseudonymous code, and the code stays out of
e-mails too: they name the field office, who acted and when, and link to the case's page,
which asks for sign-in. Nothing of the case row is read to build them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from crsv.accounts.models import User
from crsv.accounts.roles import Role
from crsv.audit.models import AuditEvent
from crsv.notifications.registry import NotificationKind, notification_kind_register
from crsv.notifications.services import notification_enqueue
from survivors.models import BreakGlass, Survivor

if TYPE_CHECKING:
    from django.http import HttpRequest

    from crsv.notifications.models import Notification

ASSIGNED = "survivor.assigned"
BREAK_GLASS = "survivor.break_glass"


def survivor_notify_assigned(
    *,
    survivor: Survivor,
    assignee: User,
    previous_id: int | None,
    actor: User,
    event: AuditEvent,
    request: HttpRequest | None = None,
) -> None:
    """Tell `assignee` the case is now hers (`event`: the assignment's audit event)."""
    if assignee.pk in (previous_id, actor.pk):
        return
    notification_enqueue(
        kind=ASSIGNED,
        recipients=[assignee],
        obj=survivor,
        idempotency_key=f"{ASSIGNED}:{event.public_id}",
        request=request,
    )


def survivor_notify_break_glass(
    *, survivor: Survivor, access: BreakGlass, request: HttpRequest | None = None
) -> None:
    """Tell the mission's other active senior WPAs that `access` opened the case (one query for
    them, one INSERT)."""
    others = (
        User.objects.filter(
            is_active=True,
            groups__name=Role.SENIOR_WPA,
            memberships__field_office__mission_id=survivor.mission_id,
        )
        .exclude(pk=access.user_id)
        .distinct()
        .order_by("pk")
    )
    notification_enqueue(
        kind=BREAK_GLASS,
        recipients=list(others),
        obj=survivor,
        idempotency_key=f"{BREAK_GLASS}:{access.public_id}",
        request=request,
    )


def _event_public_id(notification: Notification) -> str:
    """The event's public id in the key `<kind>:<event public id>:<recipient>`."""
    return notification.idempotency_key.split(":")[1]


def _name(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def _when(value: Any, zone: str) -> str:
    local = timezone.localtime(value, ZoneInfo(zone))
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({zone})"


def _office(notification: Notification) -> tuple[str, str]:
    """The case's field office: its name and time zone."""
    survivor_public_id = notification.object_public_id
    assert survivor_public_id is not None  # every kind of this module names the case
    return Survivor.objects.filter(public_id=survivor_public_id).values_list(
        "field_office__name", "field_office__time_zone"
    )[0]


def assigned_context(notification: Notification) -> dict[str, Any]:
    office, zone = _office(notification)
    event = AuditEvent.objects.filter(public_id=_event_public_id(notification)).values(
        "occurred_at", "actor__first_name", "actor__last_name", "actor__username"
    )[0]
    return {
        "field_office": office,
        "actor_name": _name(event["actor__first_name"], event["actor__last_name"], event["actor__username"]),
        "when": _when(event["occurred_at"], zone),
    }


def break_glass_context(notification: Notification) -> dict[str, Any]:
    office, zone = _office(notification)
    access = BreakGlass.objects.filter(public_id=_event_public_id(notification)).values(
        "opened_at", "expires_at", "user__first_name", "user__last_name", "user__username"
    )[0]
    return {
        "field_office": office,
        "actor_name": _name(access["user__first_name"], access["user__last_name"], access["user__username"]),
        "when": _when(access["opened_at"], zone),
        "until": _when(access["expires_at"], zone),
    }


def case_link(notification: Notification) -> str:
    return reverse("survivors:detail", kwargs={"public_id": notification.object_public_id})


def survivor_notification_kinds_register() -> None:
    notification_kind_register(
        NotificationKind(
            name=ASSIGNED, label=_("A case was assigned to you"), context=assigned_context, link=case_link
        )
    )
    notification_kind_register(
        NotificationKind(
            name=BREAK_GLASS,
            label=_("A case of your mission was opened by break-glass"),
            context=break_glass_context,
            link=case_link,
        )
    )

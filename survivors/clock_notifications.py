"""The 72-hour clock's escalation: a case inside the window with no medical referral accepted
`MEDICAL_WINDOW_ESCALATE_AFTER` (2 h) after her registration is announced, once, to her WPA and
the senior WPAs of her mission (kind `survivor.medical_window`, registered in `apps.py`).

The e-mail holds no survivor value, not even the case's code: the field office, when the window
closes, and a link to the case page (where access rules and the access log apply).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crsv.accounts.models import User
from crsv.accounts.roles import Role
from crsv.notifications.models import Notification
from crsv.notifications.registry import NotificationKind
from crsv.notifications.services import notification_enqueue
from survivors.clock import awaiting_medical_care_q, survivors_with_window_end
from survivors.models import Survivor

KIND = "survivor.medical_window"


def _escalated(kind: str) -> Exists:
    return Exists(Notification.objects.filter(kind=kind, object_public_id=OuterRef("public_id")))


def medical_window_due(*, now: datetime, limit: int) -> list[int]:
    """Ids of the cases to escalate now, oldest registration first: inside the window, no
    accepted medical referral, registered at least MEDICAL_WINDOW_ESCALATE_AFTER ago, and not
    escalated before."""
    due = (
        Survivor.objects.filter(awaiting_medical_care_q(now))
        .filter(created_at__lte=now - settings.MEDICAL_WINDOW_ESCALATE_AFTER)
        .exclude(_escalated(KIND))
        .order_by("created_at", "id")
    )
    return list(due.values_list("id", flat=True)[:limit])


def medical_window_recipients(survivor: Survivor) -> list[User]:
    """Her assigned WPA (if active) and the active senior WPAs of her mission."""
    seniors = User.objects.filter(
        is_active=True, groups__name=Role.SENIOR_WPA, field_offices__mission_id=survivor.mission_id
    ).distinct()
    recipients = [survivor.assigned_wpa] if survivor.assigned_wpa and survivor.assigned_wpa.is_active else []
    return recipients + [user for user in seniors.order_by("id") if user not in recipients]


@transaction.atomic
def medical_window_escalate_one(*, survivor_id: int, now: datetime) -> int:
    """Enqueue the escalation of one case if it is still due (re-checked under a row lock, so
    a referral accepted meanwhile wins); returns how many notifications were written. A second
    run, or a concurrent one, writes nothing: the idempotency key is the case's."""
    survivor = (
        Survivor.objects.select_for_update(of=("self",))
        .select_related("assigned_wpa")
        .filter(awaiting_medical_care_q(now), id=survivor_id)
        .exclude(_escalated(KIND))
        .first()
    )
    if survivor is None:
        return 0
    created = notification_enqueue(
        kind=KIND,
        recipients=medical_window_recipients(survivor),
        obj=survivor,
        idempotency_key=f"{KIND}:{survivor.public_id}",
    )
    return len(created)


def _context(notification: Notification) -> dict[str, Any]:
    if notification.object_public_id is None:
        return {"field_office": "", "window_ends_at": None, "time_zone": "UTC"}
    survivor = (
        survivors_with_window_end(Survivor.objects.filter(public_id=notification.object_public_id))
        .select_related("field_office")
        .only("id", "field_office__name", "field_office__time_zone")
        .first()
    )
    if survivor is None:
        return {"field_office": "", "window_ends_at": None, "time_zone": "UTC"}
    # Shown in the office's time zone by the templates ({% timezone time_zone %}).
    return {
        "field_office": survivor.field_office.name,
        "window_ends_at": survivor.rape_window_ends_at,  # type: ignore[attr-defined]  # annotation
        "time_zone": survivor.field_office.time_zone,
    }


def _link(notification: Notification) -> str:
    return reverse("survivors:detail", args=[notification.object_public_id])


MEDICAL_WINDOW_KIND = NotificationKind(
    name=KIND,
    label=_("A case inside the 72-hour window has no accepted medical referral"),
    context=_context,
    link=_link,
)

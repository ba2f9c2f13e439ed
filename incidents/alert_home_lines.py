"""The alerts' lines of the home page's "What needs you now" (registered in `apps.py`), counted
among `Alert.objects.visible_to(user)` in one query; each links to the alert list filtered to
exactly its rows."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crsv.accounts.home_lines import LineCount, LineMaker, lines_for, list_url
from crsv.accounts.roles import Capability, Role
from crsv.registry import TodoLine
from incidents.models import Alert

LIST = "incidents:alert_list"
NEW = Alert.State.NEW
# A new alert is urgent on the home page when it is high or critical, or already escalated.
_URGENT = Q(urgency__in=(Alert.Urgency.HIGH, Alert.Urgency.CRITICAL)) | Q(escalated_at__isnull=False)


def _new_in_her_offices(user: Any) -> LineCount | None:
    """New alerts of her own field offices, waiting for acknowledgement."""
    if not user.can(Capability.HANDLE_ALERTS):
        return None
    return LineCount(
        name="alerts.new",
        label=_("New alerts in your field offices, not yet acknowledged"),
        url=list_url(LIST, state=NEW, offices="mine"),
        rows=Q(state=NEW, field_office_id__in=user.office_ids()),
        urgent=_URGENT,
    )


def _escalated(user: Any) -> LineCount | None:
    """For a senior WPA: alerts of her missions escalated to her and still not acknowledged."""
    if not user.has_role(Role.SENIOR_WPA):
        return None
    return LineCount(
        name="alerts.escalated",
        label=_("Alerts escalated to you, still not acknowledged"),
        url=list_url(LIST, state=NEW, escalated="yes"),
        rows=Q(state=NEW, escalated_at__isnull=False),
        urgent=True,
    )


LINES: tuple[LineMaker, ...] = (_new_in_her_offices, _escalated)


def alert_lines(user: Any) -> list[TodoLine]:
    return lines_for(user, Alert.objects.visible_to(user), LINES)

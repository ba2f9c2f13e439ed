"""The outbox's line of the home page's "What needs you now" (registered in `apps.py`): a
senior WPA's failed deliveries, those of her missions' objects, linking to the page that lists
exactly them (`/notifications/failed/`, the same `failed_visible_to`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crsv.accounts.roles import Capability
from crsv.notifications.models import Notification
from crsv.registry import HomeLines, TodoLine, home_lines_register


def failed_notifications_lines(user: Any) -> list[TodoLine]:
    """One line for whoever may see failed deliveries (one query), none for anyone else."""
    if not user.is_authenticated or not user.can(Capability.SEE_FAILED_NOTIFICATIONS):
        return []
    count = Notification.objects.failed_visible_to(user).order_by().count()
    label = str(_("Notifications that could not be delivered"))
    return [TodoLine("notifications.failed", label, count, reverse("notifications:failed"), urgent=count > 0)]


def notification_lines_register() -> None:
    home_lines_register(HomeLines(name="notifications", order=80, lines=failed_notifications_lines))

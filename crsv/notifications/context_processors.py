"""The unread count of the navigation's "Notifications" link."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest

from crsv.notifications.selectors import notification_unread_count


def notifications_unread(request: HttpRequest) -> dict[str, Any]:
    """`notifications_unread`: a callable the template calls (and this caches), so that the one
    count query runs only on a page that shows the navigation, once."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": functools.cache(lambda: notification_unread_count(user=user))}

"""The in-app notifications page, "mark all read", and senior WPAs' failed deliveries.

Adapters: the selectors read one keyset page of what the user may see; a cursor this page did
not make shows the first page.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from crsv.accounts.http import AuthenticatedHttpRequest
from crsv.accounts.roles import Capability
from crsv.notifications import selectors
from crsv.notifications.services import notifications_mark_read
from crsv.pagination import BadCursor


def _page(
    request: AuthenticatedHttpRequest, read: selectors.ListReader
) -> tuple[list[selectors.NotificationRow], str | None]:
    try:
        return read(user=request.user, cursor=request.GET.get("cursor") or None)
    except BadCursor:
        return read(user=request.user, cursor=None)


@never_cache
@require_GET
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows, next_cursor = _page(request, selectors.notification_list)
    return render(
        request,
        "notifications/list.html",
        {
            "rows": rows,
            "next_cursor": next_cursor,
            "can_see_failed": request.user.can(Capability.SEE_FAILED_NOTIFICATIONS),
        },
    )


@never_cache
@require_POST
def notification_mark_all_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    notifications_mark_read(user=request.user)
    return HttpResponseRedirect(reverse("notifications:list"))


@never_cache
@require_GET
def notification_failed_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.can(Capability.SEE_FAILED_NOTIFICATIONS):
        raise PermissionDenied
    rows, next_cursor = _page(request, selectors.notification_failed_list)
    return render(request, "notifications/failed.html", {"rows": rows, "next_cursor": next_cursor})

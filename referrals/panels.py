"""The sections referrals adds to the platform's pages (registered in `apps.py` through
`crsv.registry`): two home panels, and the survivor case page's referrals with "Refer"."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from crsv.accounts.roles import Capability
from referrals import permissions, selectors
from referrals.models import Referral
from referrals.views.listing import provider_rows, provider_view_only, referral_rows

PANEL_LIMIT = 10
# "Due soon" on a case worker's home page: the service must begin within this time.
DUE_SOON = timedelta(hours=24)
CASE_SECTION_LIMIT = 20


def provider_new_panel(request: HttpRequest) -> dict[str, object] | None:
    """For a provider's user: the referrals sent to her organisation that await an answer."""
    user = request.user
    if not user.is_authenticated or not provider_view_only(user):
        return None
    page = selectors.provider_referral_page(user=user, state=Referral.State.SENT, size=PANEL_LIMIT)
    return {"rows": provider_rows(page.rows), "more": page.next_cursor is not None}


def due_soon_panel(request: HttpRequest) -> dict[str, object] | None:
    """For a case worker: her referrals (her missions' for a senior WPA) still waiting for the
    service to begin, overdue or due within `DUE_SOON`, the most urgent first."""
    user: Any = request.user
    if not user.is_authenticated or not user.can(Capability.MAKE_REFERRALS):
        return None
    now = timezone.now()
    waiting = (
        selectors.referral_list(user=user)
        .filter(state__in=Referral.AWAITING_STATES, due_at__lt=now + DUE_SOON)
        .order_by("due_at", "id")
    )
    found = list(waiting[: PANEL_LIMIT + 1])
    return {"rows": referral_rows(found[:PANEL_LIMIT], now=now), "more": len(found) > PANEL_LIMIT}


def case_referrals_section(request: HttpRequest, survivor: Any) -> dict[str, object] | None:
    """On the case page: the case's referrals she may see, and "Refer" when she may refer it.
    None (no section) for a user with no referrals at all, or nothing to show nor do."""
    user: Any = request.user
    if not permissions.can_list(user):
        return None
    can_refer = permissions.can_refer(user, survivor)
    found = list(selectors.referral_list(user=user, survivor=survivor)[: CASE_SECTION_LIMIT + 1])
    if not found and not can_refer:
        return None
    refer_url = f"{reverse('referrals:create')}?{urlencode({'survivor': str(survivor.public_id)})}"
    return {
        "rows": referral_rows(found[:CASE_SECTION_LIMIT], now=timezone.now()),
        "more": len(found) > CASE_SECTION_LIMIT,
        "can_refer": can_refer,
        "refer_url": refer_url if can_refer else "",
    }

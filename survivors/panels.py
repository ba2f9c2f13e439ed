"""The sections survivors adds to the platform's pages (registered in `apps.py`)."""

from __future__ import annotations

from django.http import HttpRequest

from crsv.accounts.models import User
from crsv.accounts.roles import Role
from survivors.selectors import BREAK_GLASS_RECENT_LIMIT, break_glass_reasons_reveal, break_glass_recent


def break_glass_panel(request: HttpRequest) -> dict[str, object] | None:
    """For a senior WPA: the break-glass openings of the other senior WPAs of her missions (the
    reasons are read for her, and logged, on every visit). None for anyone else."""
    user = request.user
    if not isinstance(user, User) or not user.has_role(Role.SENIOR_WPA):
        return None
    recent = list(break_glass_recent(user=user)[: BREAK_GLASS_RECENT_LIMIT + 1])
    shown = recent[:BREAK_GLASS_RECENT_LIMIT]
    reasons = break_glass_reasons_reveal(user=user, accesses=shown, request=request)
    return {
        "break_glass": [(access, reasons.get(access.pk)) for access in shown],
        "break_glass_more": len(recent) > BREAK_GLASS_RECENT_LIMIT,
    }

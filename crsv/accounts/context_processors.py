"""Template context for the navigation: which sections the signed-in user may open."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from crsv.accounts.roles import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "incidents": user.has_role(Role.REPORTER, Role.WPA, Role.SENIOR_WPA, Role.ANALYST),
            "survivors": user.has_role(Role.REPORTER, Role.WPA, Role.SENIOR_WPA),
        }
    }

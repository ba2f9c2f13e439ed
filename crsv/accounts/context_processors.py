"""Template context for the navigation: which sections the signed-in user may open."""

from __future__ import annotations

import functools
from html import escape
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_info

from crsv.accounts.roles import Capability


@functools.cache
def _language_options(current: str) -> SafeString:
    """The language switch's <option>s (one per language, in its own name), built once per
    active language rather than by a template loop on every page."""
    options = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        selected = " selected" if code == current else ""
        label = escape(info["name_local"])
        options.append(f'<option value="{escape(code)}" lang="{escape(code)}"{selected}>{label}</option>')
    return mark_safe("".join(options))  # noqa: S308  # nosec B308 B703  # constant codes and names, escaped


def navigation(request: HttpRequest) -> dict[str, Any]:
    languages = _language_options(get_language() or settings.LANGUAGE_CODE)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}, "language_options": languages}
    return {
        "language_options": languages,
        "nav": {
            "incidents": user.can(Capability.SEE_INCIDENTS),
            "alerts": user.can(Capability.SEE_ALERTS),
            "survivors": user.can(Capability.SEE_SURVIVOR_CASES),
            "referrals": user.can(Capability.SEE_REFERRALS),
            "dashboard": user.can(Capability.SEE_DASHBOARD),
            "exports": user.can(Capability.RUN_EXPORTS),
            "identifiable_exports": user.can(Capability.REQUEST_IDENTIFIABLE_EXPORT)
            or user.can(Capability.APPROVE_IDENTIFIABLE_EXPORT),
            "service_directory": user.can(Capability.BROWSE_SERVICE_DIRECTORY),
            "audit_trail": user.can(Capability.READ_AUDIT_TRAIL),
            "access": user.can(Capability.MANAGE_USERS),
            # The auditors' way to the access review (the admins': the Access page).
            "access_review": user.can(Capability.REVIEW_ACCESS) and not user.can(Capability.MANAGE_USERS),
        },
    }

"""Survivor case pages: adapters. Each parses the request, calls the use case's service (or
selector), maps its refusals (a message beside the field, a 404 or 403 page) and renders.

Every page here may show survivor data: `never_cache` (Cache-Control: no-store) on all of them,
and `sensitive_post_parameters` wherever values are typed.
"""

from __future__ import annotations

from survivors.views.actions import (
    consent_create,
    consent_withdraw_view,
    survivor_assign_view,
    survivor_break_glass_view,
    survivor_erase_view,
    survivor_grant_view,
    survivor_revoke_view,
)
from survivors.views.case import survivor_create, survivor_detail, survivor_edit
from survivors.views.listing import survivor_list, survivor_search

__all__ = [
    "consent_create",
    "consent_withdraw_view",
    "survivor_assign_view",
    "survivor_break_glass_view",
    "survivor_create",
    "survivor_detail",
    "survivor_edit",
    "survivor_erase_view",
    "survivor_grant_view",
    "survivor_list",
    "survivor_revoke_view",
    "survivor_search",
]

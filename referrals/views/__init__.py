"""Referral pages: adapters. Each parses the request, calls the use case's service (or
selector), maps its refusals (a message beside the field, a 404, 403 or 409 page) and renders.

Every referral page may show survivor data (a code, a note, contact details): `never_cache`
(Cache-Control: no-store) on all of them; the directory holds none.
"""

from __future__ import annotations

from referrals.views.create import referral_create
from referrals.views.detail import referral_detail, referral_transition
from referrals.views.directory import provider_detail, provider_directory
from referrals.views.directory_admin import provider_create, provider_edit, provider_members
from referrals.views.listing import referral_list

__all__ = [
    "provider_create",
    "provider_detail",
    "provider_directory",
    "provider_edit",
    "provider_members",
    "referral_create",
    "referral_detail",
    "referral_list",
    "referral_transition",
]

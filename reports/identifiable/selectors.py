"""Every read of identifiable exports done for a user, from `visible_to(user)`."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from crsv.accounts.roles import Capability
from crsv.pagination import KeysetPage, keyset_page
from referrals.models import ServiceProvider
from reports.identifiable.models import IdentifiableExport, IdentifiableExportCase

# Rows of each list of the page; the API pages through all of them.
LIST_LIMIT = 100
PAGE_SIZE = 50


def export_list(*, user: Any) -> QuerySet[IdentifiableExport]:
    """The exports `user` can see, newest first, with their cases counted (no query per row)."""
    return (
        IdentifiableExport.objects.visible_to(user)
        .select_related("requested_by", "provider", "decided_by")
        .annotate(
            cases_included=Count("cases", filter=Q(cases__excluded_because="")),
            cases_excluded=Count("cases", filter=~Q(cases__excluded_because="")),
        )
        .order_by("-created_at", "-id")
    )


def export_page(*, user: Any, cursor: str | None, size: int = PAGE_SIZE) -> KeysetPage[IdentifiableExport]:
    """One page of `export_list` (the API); raises BadCursor on a cursor it did not make."""
    return keyset_page(export_list(user=user), cursor=cursor, size=size)


def export_mine(*, user: Any) -> list[IdentifiableExport]:
    """Her own requests, newest first (the page's first list)."""
    return list(export_list(user=user).filter(requested_by=user)[:LIST_LIMIT])


def export_awaiting(*, user: Any) -> list[IdentifiableExport]:
    """The requests of her missions another senior WPA's approval may decide: for a senior WPA,
    the others' requests still awaiting a decision, oldest first; for anyone else, none."""
    if not user.can(Capability.APPROVE_IDENTIFIABLE_EXPORT):
        return []
    rows = export_list(user=user).filter(state=IdentifiableExport.State.REQUESTED).exclude(requested_by=user)
    return list(rows.order_by("created_at", "id")[:LIST_LIMIT])


def export_get(*, user: Any, public_id: uuid.UUID | str) -> IdentifiableExport:
    """The export, or 404 when it does not exist for `user`."""
    return get_object_or_404(export_list(user=user), public_id=public_id)


def export_cases(*, export: IdentifiableExport) -> list[IdentifiableExportCase]:
    """Its cases by code, each with the decision of the last step (the codes are pseudonymous;
    no identifying value is read)."""
    return list(export.cases.select_related("survivor", "consent").order_by("survivor__code"))


def export_reasons(*, export: IdentifiableExport) -> tuple[str, str]:
    """The requester's reason and a refusal's reason, decrypted for someone who sees the export
    (the requester and the mission's senior WPAs, who decide on it). They are the users' own
    words about the export, not a survivor's data: no access event."""
    refusal = export.refusal_reason if export.state == IdentifiableExport.State.REFUSED else ""
    return export.reason, refusal or ""


def export_providers() -> QuerySet[ServiceProvider]:
    """The providers an export may name: the directory's active ones, by name."""
    return ServiceProvider.objects.active().order_by("name", "id")

"""Who may do what to an identifiable export she can see (`visible_to`): the refusals the
services raise (403), and the same answers as booleans for the pages' buttons. The state (409)
is the services' to check, under the row's lock."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from crsv.accounts.roles import Capability
from reports.identifiable.models import IdentifiableExport


def can_list(user: Any) -> bool:
    """May open the exports' list at all (decided by role, never by how many rows match)."""
    return bool(
        user.is_authenticated
        and (
            user.can(Capability.REQUEST_IDENTIFIABLE_EXPORT)
            or user.can(Capability.APPROVE_IDENTIFIABLE_EXPORT)
        )
    )


def list_authorize(user: Any) -> None:
    if not can_list(user):
        raise PermissionDenied(_("Your role gives no access to identifiable exports."))


def request_authorize(user: Any) -> None:
    if not (user.is_authenticated and user.can(Capability.REQUEST_IDENTIFIABLE_EXPORT)):
        raise PermissionDenied(_("Your role may not request identifiable exports."))


def decide_authorize(user: Any, export: IdentifiableExport) -> None:
    """Approve or refuse: a senior WPA of the export's mission (it is visible to her), never
    the one who asked for it."""
    if not user.can(Capability.APPROVE_IDENTIFIABLE_EXPORT) or export.mission_id not in user.mission_ids():
        raise PermissionDenied(_("Only a senior WPA of the mission may approve or refuse an export."))
    if export.requested_by_id == user.pk:
        raise PermissionDenied(_("Another senior WPA must decide on your own request."))


def download_authorize(user: Any, export: IdentifiableExport) -> None:
    if export.requested_by_id != user.pk:
        raise PermissionDenied(_("Only the person who asked for the export may download it."))


def can_decide(user: Any, export: IdentifiableExport) -> bool:
    try:
        decide_authorize(user, export)
    except PermissionDenied:
        return False
    return export.state == IdentifiableExport.State.REQUESTED


def can_download(user: Any, export: IdentifiableExport) -> bool:
    return export.requested_by_id == user.pk and export.shown_state == IdentifiableExport.State.APPROVED

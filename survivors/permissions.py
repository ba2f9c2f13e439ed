"""What a user may do to a case they can see: booleans for the buttons of the pages, and
`case_authorize`, the one refusal of each use case (services and both doors call it)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from crsv.accounts.models import FieldOffice
from crsv.accounts.roles import Capability, Role
from survivors.models import Survivor


def can_list(user: Any) -> bool:
    """May open the case list and search at all (decided by role, never by how many rows match).

    Everyone else gets 403 on the lists and search, and 404 on a case (it does not exist for them)."""
    return bool(user.is_authenticated and user.can(Capability.SEE_SURVIVOR_CASES))


def can_register(user: Any, field_office: FieldOffice) -> bool:
    if not can_list(user):
        return False
    if field_office.pk in user.office_ids():
        return True
    return user.has_role(Role.SENIOR_WPA) and field_office.mission_id in user.mission_ids()


def can_view_identifying(user: Any, survivor: Survivor) -> bool:
    """Same rule as `Survivor.objects.identifying_to(user)`, asked of one loaded row."""
    return Survivor.objects.identifying_to(user).filter(pk=survivor.pk).exists()


def can_edit(user: Any, survivor: Survivor) -> bool:
    return survivor.erased_at is None and can_view_identifying(user, survivor)


def can_record_consent(user: Any, survivor: Survivor) -> bool:
    return user.can(Capability.RECORD_CONSENT) and can_edit(user, survivor)


def can_assign(user: Any, survivor: Survivor) -> bool:
    return survivor.erased_at is None and _senior_of_mission(user, survivor)


def _senior_of_mission(user: Any, survivor: Survivor) -> bool:
    return user.has_role(Role.SENIOR_WPA) and survivor.mission_id in user.mission_ids()


def can_view_access(user: Any, survivor: Survivor) -> bool:
    """May see who has access to the case and why (erased cases included: what is left)."""
    return _senior_of_mission(user, survivor)


def can_grant(user: Any, survivor: Survivor) -> bool:
    return survivor.erased_at is None and _senior_of_mission(user, survivor)


def can_break_glass(user: Any, survivor: Survivor) -> bool:
    return survivor.erased_at is None and _senior_of_mission(user, survivor)


def can_erase(user: Any, survivor: Survivor) -> bool:
    return survivor.erased_at is None and _senior_of_mission(user, survivor)


class CaseAction(StrEnum):
    """What a user may ask to do to a case she can see (each a use case of `survivors.services`)."""

    EDIT = "edit"
    RECORD_CONSENT = "record_consent"
    ASSIGN = "assign"
    VIEW_ACCESS = "view_access"
    GRANT = "grant"
    REVOKE = "revoke"
    BREAK_GLASS = "break_glass"
    ERASE = "erase"


_RULES: dict[CaseAction, tuple[Callable[[Any, Survivor], bool], StrOrPromise]] = {
    CaseAction.EDIT: (can_edit, _("You may not edit this case.")),
    CaseAction.RECORD_CONSENT: (can_record_consent, _("You may not record consent for this case.")),
    CaseAction.ASSIGN: (can_assign, _("Only a senior WPA of the mission may assign cases.")),
    CaseAction.VIEW_ACCESS: (can_view_access, _("Only a senior WPA of the mission may see who has access.")),
    CaseAction.GRANT: (can_grant, _("Only a senior WPA of the mission may grant access to a case.")),
    CaseAction.REVOKE: (can_grant, _("Only a senior WPA of the mission may revoke access to a case.")),
    CaseAction.BREAK_GLASS: (can_break_glass, _("Only a senior WPA of the mission may break the glass.")),
    CaseAction.ERASE: (can_erase, _("Only a senior WPA of the mission may erase a case.")),
}


class AlreadyIdentifiable(ValidationError):
    """Break-glass refused: she can already read the case's identifying fields."""


def case_authorize(*, actor: Any, survivor: Survivor, action: CaseAction) -> None:
    """Raise PermissionDenied (with the reason) unless `actor` may do `action` to `survivor`, a
    case she can see (out of scope was a 404 before this). The one decision for the services,
    which call it inside their transaction, and for the pages and the API, which call it before
    reading a request body so that a refusal is a 403 whatever was sent."""
    allowed, refusal = _RULES[action]
    if not allowed(actor, survivor):
        raise PermissionDenied(refusal)
    if action == CaseAction.BREAK_GLASS and can_view_identifying(actor, survivor):
        raise AlreadyIdentifiable(_("You can already identify this survivor: no need to break the glass."))


def list_authorize(user: Any) -> None:
    """The role gate of the case list and search (decided by role, never by rows matched)."""
    if not can_list(user):
        raise PermissionDenied(_("Your role gives no access to survivor cases."))

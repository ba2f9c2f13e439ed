"""What a user may do to a referral (or a case) she can see: booleans for the buttons, and the
rules behind `workflow.Who` that the services enforce."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from crsv.accounts.roles import Capability, Role
from referrals.models import Referral, provider_id_of
from referrals.workflow import MOVES, TRANSITIONS, Who
from survivors.models import Survivor
from survivors.permissions import can_view_identifying


def can_list(user: Any) -> bool:
    """May open the referral list at all (by role; which rows: `Referral.objects.visible_to`)."""
    return bool(user.is_authenticated and user.can(Capability.SEE_REFERRALS))


def list_authorize(user: Any) -> None:
    if not can_list(user):
        raise PermissionDenied(_("Your role gives no access to referrals."))


def can_browse_directory(user: Any) -> bool:
    return bool(user.is_authenticated and user.can(Capability.BROWSE_SERVICE_DIRECTORY))


def directory_authorize(user: Any) -> None:
    if not can_browse_directory(user):
        raise PermissionDenied(_("Your role gives no access to the service directory."))


def can_manage_directory(user: Any) -> bool:
    """Sees inactive providers too (the admins who manage the directory)."""
    return bool(user.is_authenticated and user.can(Capability.MANAGE_SERVICE_DIRECTORY))


def is_provider_role(user: Any) -> bool:
    """Holds the provider role (her organisation: `provider_id_of`)."""
    return bool(user.is_authenticated and user.can(Capability.RESPOND_TO_REFERRALS))


def reads_as_provider(user: Any) -> bool:
    """She reads referrals as a provider's user (the minimal view, her organisation's only),
    not as a case worker: the provider role without a case worker's. The one answer for the
    pages and the API (a senior WPA who also holds the provider role reads as a senior WPA)."""
    return is_provider_role(user) and not user.can(Capability.MAKE_REFERRALS)


def can_refer(user: Any, survivor: Survivor) -> bool:
    """May refer this case (create, send, cancel): a WPA who may edit it (assigned, granted),
    or a senior WPA of its mission; never an erased case."""
    if survivor.erased_at is not None or not user.can(Capability.MAKE_REFERRALS):
        return False
    if user.has_role(Role.SENIOR_WPA) and survivor.mission_id in user.mission_ids():
        return True
    return can_view_identifying(user, survivor)


def referrals_make_authorize(user: Any) -> None:
    """The role gate of creating a referral, before anything about the case or the body."""
    if not user.can(Capability.MAKE_REFERRALS):
        raise PermissionDenied(_("Your role may not make referrals."))


def refer_authorize(user: Any, survivor: Survivor) -> None:
    """PermissionDenied unless `can_refer`: the Refer form and `referral_create` ask here."""
    if not can_refer(user, survivor):
        raise PermissionDenied(_("You may not refer this case."))


@dataclass(frozen=True)
class LinkActor:
    """The holder of a one-time answer link (`services.links.answer_link_use`): no user, no
    sign-in. It speaks for the provider the referral was sent to, on that one referral, for the
    moves of the link's step only; it sees nothing (`Referral.objects.visible_to` is for users)."""

    referral_id: int
    actions: frozenset[str]
    is_authenticated: ClassVar[bool] = False  # recorded as no user (ReferralEvent, AuditEvent)


def is_provider_user(user: Any, referral: Referral) -> bool:
    """A user of the provider the referral is sent to."""
    return bool(
        is_provider_role(user)
        and referral.state != Referral.State.DRAFT
        and provider_id_of(user) == referral.provider_id
    )


def may_act(user: Any, referral: Referral, action: str) -> bool:
    """Whether `user`'s role and relation to the referral let her take `action` (the state is
    the workflow's question)."""
    who = TRANSITIONS[action].who
    if isinstance(user, LinkActor):
        return who == Who.PROVIDER and user.referral_id == referral.pk and action in user.actions
    if who == Who.CASE_WORKER:
        return can_refer(user, referral.survivor)
    if who == Who.PROVIDER:
        return is_provider_user(user, referral)
    return False  # Who.SYSTEM: no user


def actions_available(user: Any, referral: Referral) -> list[str]:
    """The moves whose button to show: she may, and the state allows it."""
    return [a for a in MOVES if TRANSITIONS[a].allows_from(referral.state) and may_act(user, referral, a)]

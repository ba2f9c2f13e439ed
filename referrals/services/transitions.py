"""The one dispatcher of the workflow: every move (send, accept, decline, start, complete,
cancel) by its name, as the referral page and the API both post it.

The order of the answers is decided here, once, for both doors: an unknown action
(ValidationError on `action`), out of scope (Http404), who may (PermissionDenied), the state
(TransitionNotAllowed), and only then the inputs (ValidationError keyed by field). `revoke` is
not offered: only a consent withdrawal revokes (`referrals_revoke_for_consent`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from referrals.models import Referral, ReferralEvent
from referrals.services.responses import (
    referral_accept,
    referral_cancel,
    referral_complete,
    referral_decline,
    referral_start,
)
from referrals.services.sending import referral_send
from referrals.services.steps import referral_step_begin
from referrals.workflow import MOVES, TRANSITIONS

Action = ReferralEvent.Action
_Service = Callable[[Any, Referral, Mapping[str, Any], HttpRequest | None], Referral]


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({name: [_("Enter text.")]})
    return value


_SERVICES: dict[str, _Service] = {
    Action.SEND: lambda actor, referral, data, request: referral_send(
        actor=actor, referral=referral, request=request
    ),
    Action.ACCEPT: lambda actor, referral, data, request: referral_accept(
        actor=actor, referral=referral, request=request
    ),
    Action.DECLINE: lambda actor, referral, data, request: referral_decline(
        actor=actor, referral=referral, reason=_text(data, "reason"), request=request
    ),
    Action.START: lambda actor, referral, data, request: referral_start(
        actor=actor, referral=referral, request=request
    ),
    Action.COMPLETE: lambda actor, referral, data, request: referral_complete(
        actor=actor, referral=referral, outcome=_text(data, "outcome"), request=request
    ),
    Action.CANCEL: lambda actor, referral, data, request: referral_cancel(
        actor=actor, referral=referral, reason=_text(data, "reason"), request=request
    ),
}
assert set(_SERVICES) == set(MOVES)


def transition_inputs(action: str) -> tuple[str, ...]:
    """The inputs `action` takes besides the referral (for a door's input parser)."""
    return TRANSITIONS[action].inputs


@transaction.atomic
def referral_transition(
    *,
    user: Any,
    referral: Referral,
    action: str,
    data: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """Take the workflow move `action` (one of `workflow.MOVES`) on `referral`, with `data`
    holding its inputs (`reason` for decline and cancel, `outcome` for complete; others are
    ignored). Raises, in this order: ValidationError on `action` for an unknown action; Http404
    out of scope; PermissionDenied; TransitionNotAllowed; ValidationError on the inputs.
    Returns the saved referral."""
    if action not in _SERVICES:
        raise ValidationError({"action": [_("Unknown action.")]})
    locked = referral_step_begin(actor=user, referral=referral, action=action)
    return _SERVICES[action](user, locked, data or {}, request)

"""The provider's answers (accept, decline, start, complete) and the case worker's cancel."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from referrals.models import Referral, ReferralEvent
from referrals.services.link_tokens import complete_link_send
from referrals.services.steps import (
    REASON_MAX_LENGTH,
    not_erased,
    referral_move,
    referral_step_begin,
    text_validate,
)

Action = ReferralEvent.Action


@transaction.atomic
def referral_accept(*, actor: Any, referral: Referral, request: HttpRequest | None = None) -> Referral:
    """A user of the provider (or the holder of its answer link) accepts a sent referral. Of two
    accepting at once, one wins; the other waits on the row lock and then gets
    TransitionNotAllowed (it is accepted already). The provider's contact address is e-mailed
    the one-time link to record the service given (`link_tokens.complete_link_send`)."""
    locked = referral_step_begin(actor=actor, referral=referral, action=Action.ACCEPT)
    accepted = referral_move(actor=actor, referral=locked, action=Action.ACCEPT, request=request)
    # Accepted by link or by a user: the contact address gets the next step's one-time link.
    complete_link_send(accepted)
    return accepted


@transaction.atomic
def referral_decline(
    *, actor: Any, referral: Referral, reason: str, request: HttpRequest | None = None
) -> Referral:
    """A user of the provider declines a sent referral, saying why (required; encrypted)."""
    locked = referral_step_begin(actor=actor, referral=referral, action=Action.DECLINE)
    errors: dict[str, Any] = {}
    reason = text_validate(errors, "reason", reason, limit=REASON_MAX_LENGTH, required=True)
    if errors:
        raise ValidationError(errors)
    not_erased(locked)
    return referral_move(actor=actor, referral=locked, action=Action.DECLINE, request=request, reason=reason)


@transaction.atomic
def referral_start(*, actor: Any, referral: Referral, request: HttpRequest | None = None) -> Referral:
    """A user of the provider records that the service has begun."""
    locked = referral_step_begin(actor=actor, referral=referral, action=Action.START)
    return referral_move(actor=actor, referral=locked, action=Action.START, request=request)


@transaction.atomic
def referral_complete(
    *, actor: Any, referral: Referral, outcome: str = "", request: HttpRequest | None = None
) -> Referral:
    """A user of the provider records the service given, with an optional outcome note
    (encrypted)."""
    locked = referral_step_begin(actor=actor, referral=referral, action=Action.COMPLETE)
    errors: dict[str, Any] = {}
    outcome = text_validate(errors, "outcome", outcome, limit=REASON_MAX_LENGTH, required=False)
    if errors:
        raise ValidationError(errors)
    if outcome:
        not_erased(locked)
        return referral_move(
            actor=actor, referral=locked, action=Action.COMPLETE, request=request, outcome=outcome
        )
    return referral_move(actor=actor, referral=locked, action=Action.COMPLETE, request=request)


@transaction.atomic
def referral_cancel(
    *, actor: Any, referral: Referral, reason: str, request: HttpRequest | None = None
) -> Referral:
    """The case worker cancels an open referral, saying why (required; encrypted)."""
    locked = referral_step_begin(actor=actor, referral=referral, action=Action.CANCEL)
    errors: dict[str, Any] = {}
    reason = text_validate(errors, "reason", reason, limit=REASON_MAX_LENGTH, required=True)
    if errors:
        raise ValidationError(errors)
    return referral_move(actor=actor, referral=locked, action=Action.CANCEL, request=request, reason=reason)

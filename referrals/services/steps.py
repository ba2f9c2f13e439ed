"""The steps every referral service shares: lock the row in scope, check who and the state (the
workflow table), validate a text, compute the due time, and record what was done."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from crsv.audit.services import audit_record
from referrals import permissions
from referrals.models import Referral, ReferralEvent
from referrals.notifications import referral_notify
from referrals.workflow import TRANSITIONS, transition_require

# The WPA's note to the provider, and a reason or an outcome: a few paragraphs, not a file.
NOTE_MAX_LENGTH = 5_000
REASON_MAX_LENGTH = 5_000

_DUE_DEFAULTS = {
    Referral.Urgency.EMERGENCY: timedelta(hours=4),
    Referral.Urgency.HIGH: timedelta(hours=24),
    Referral.Urgency.ROUTINE: timedelta(days=7),
}


def referral_due(urgency: str, *, sent_at: datetime) -> datetime:
    """When the service must have begun: `settings.REFERRAL_DUE[urgency]` after sending
    (defaults: emergency 4 hours, high 24 hours, routine 7 days)."""
    due: dict[str, timedelta] = getattr(settings, "REFERRAL_DUE", {})
    return sent_at + due.get(urgency, _DUE_DEFAULTS[Referral.Urgency(urgency)])


def text_validate(errors: dict[str, Any], field: str, value: str, *, limit: int, required: bool) -> str:
    """`value` stripped; a message under `field` in `errors` if it is missing or too long."""
    value = (value or "").strip()
    if required and not value:
        errors[field] = [_("This field is required.")]
    elif len(value) > limit:
        errors[field] = [
            _("At most %(max)d characters (this one has %(length)d).") % {"max": limit, "length": len(value)}
        ]
    return value


def referral_lock(*, actor: Any, referral: Referral) -> Referral:
    """Re-read `referral` under a row lock, through the actor's scope (out of it: 404). The
    caller's instance may be stale (a provider's colleague accepted meanwhile): every rule is
    checked on the locked row, so of two users acting at once the second sees the first's state."""
    # A link's holder reaches its own referral only (any other: 404), without a user's scope.
    rows = (
        Referral.objects.filter(pk=actor.referral_id)
        if isinstance(actor, permissions.LinkActor)
        else Referral.objects.visible_to(actor)
    )
    try:
        return (
            rows.select_related("survivor__data_key", "survivor__field_office__mission", "provider")
            .select_for_update(of=("self",))
            .get(pk=referral.pk)
        )
    except Referral.DoesNotExist:
        raise Http404("No referral matches the given query.") from None


def referral_step_authorize(*, actor: Any, referral: Referral, action: str) -> None:
    """Who (403), then the state (409), from `workflow.TRANSITIONS[action]`."""
    if not permissions.may_act(actor, referral, action):
        raise PermissionDenied(str(TRANSITIONS[action].denied))
    transition_require(referral, action)


def referral_step_begin(*, actor: Any, referral: Referral, action: str) -> Referral:
    """The locked row in the actor's scope (404), once she may take `action` (403) from its
    state (409). Call inside the service's transaction."""
    locked = referral_lock(actor=actor, referral=referral)
    referral_step_authorize(actor=actor, referral=locked, action=action)
    return locked


def referral_step_record(
    *,
    actor: Any,
    referral: Referral,
    action: str,
    from_state: str,
    request: HttpRequest | None = None,
) -> ReferralEvent:
    """Append the history event and the audit event (`referral.<action>`, no value of the
    referral) in the caller's transaction."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    event = ReferralEvent.objects.create(
        referral=referral,
        occurred_at=timezone.now(),
        actor=user,
        action=action,
        from_state=from_state,
        to_state=referral.state,
    )
    audit_record(actor=user, action=f"referral.{action}", obj=referral, request=request)
    return event


def referral_move(
    *, actor: Any, referral: Referral, action: str, request: HttpRequest | None = None, **changes: Any
) -> Referral:
    """Move the locked `referral` to `action`'s target, set `changes` (fields or encrypted
    texts), save and record."""
    from_state = referral.state
    referral.state = TRANSITIONS[action].target
    for name, value in changes.items():
        setattr(referral, name, value)
    # Every value is the table's or a validated text; the database's constraints are the guard.
    referral.save()
    event = referral_step_record(
        actor=actor, referral=referral, action=action, from_state=from_state, request=request
    )
    referral_notify(referral=referral, event=event, request=request)
    return referral


def not_erased(referral: Referral) -> None:
    """An erased case's referral takes no new text (its key is gone): refuse plainly."""
    if referral.survivor.erased_at is not None:
        raise ValidationError(_("This survivor's case was erased."))

"""Answering a referral by a one-time link (issue 11 item 4): a provider without an account
accepts or declines from the referral's e-mail, and records the service given from the next one.

`answer_link_use` finds the link by the SHA-256 of the token presented (a lookup by hash: no
comparison of secrets in Python), locks it, refuses a link that is unknown, used, expired or of
another step, and takes the move through the one dispatcher (`referral_transition`) as a
`LinkActor`: the workflow's "who" for provider moves, narrowed to that referral and that step.
The link is marked used and the answer audited in the move's transaction, so of two posts one
wins and the other finds it used. Issuing: `link_tokens.answer_link_issue` / `answer_link_send`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from crsv.audit.models import AuditEvent
from crsv.audit.services import audit_record
from incidents.exceptions import TransitionNotAllowed
from referrals.models import LinkStep, Referral, ReferralAnswerLink, ReferralEvent
from referrals.permissions import LinkActor
from referrals.services.link_tokens import answer_link_issue, link_token, token_hash
from referrals.services.transitions import referral_transition
from referrals.workflow import action_allowed_from

Action = ReferralEvent.Action

# The moves each step's link may make.
STEP_ACTIONS: dict[str, frozenset[str]] = {
    LinkStep.ANSWER: frozenset({Action.ACCEPT, Action.DECLINE}),
    LinkStep.COMPLETE: frozenset({Action.COMPLETE}),
}

__all__ = [
    "STEP_ACTIONS",
    "AnswerLinkRefused",
    "LinkView",
    "answer_link_get",
    "answer_link_issue",
    "answer_link_use",
    "link_token",
]


class AnswerLinkRefused(Exception):
    """A link that cannot be used: `status` is the page's (404 unknown, 410 used, expired or
    overtaken, 400 a move of another step), `message` what the page says. Nothing was changed."""

    def __init__(self, message: StrOrPromise, *, status: int, code: str) -> None:
        super().__init__(str(message))
        self.message = message
        self.status = status
        self.code = code


def _unknown() -> AnswerLinkRefused:
    return AnswerLinkRefused(
        _("This link is not valid. Check that it was copied whole from the e-mail."),
        status=404,
        code="unknown",
    )


def _used() -> AnswerLinkRefused:
    return AnswerLinkRefused(
        _("This link has already been used: each link works once. Nothing was changed."),
        status=410,
        code="used",
    )


def _expired() -> AnswerLinkRefused:
    return AnswerLinkRefused(
        _("This link has expired. Nothing was changed. Contact the person who referred the case."),
        status=410,
        code="expired",
    )


def _overtaken() -> AnswerLinkRefused:
    return AnswerLinkRefused(
        _(
            "This referral has moved on (it was answered, cancelled or revoked meanwhile). "
            "Nothing was changed."
        ),
        status=410,
        code="overtaken",
    )


def _wrong_step() -> AnswerLinkRefused:
    return AnswerLinkRefused(_("This link does not allow that action."), status=400, code="wrong_step")


@dataclass(frozen=True)
class LinkView:
    """What the link's page shows: the referral's reference, service type, urgency, due time
    and state, and the moves of the step. Never the survivor, the note or contact details."""

    step: str
    actions: frozenset[str]
    reference: str
    service_type: str
    urgency: str
    due_at: Any
    time_zone: str
    state: str


def _link_find(raw_token: str, *, lock: bool) -> ReferralAnswerLink:
    if not raw_token or len(raw_token) > 128:
        raise _unknown()
    rows = ReferralAnswerLink.objects.filter(token_hash=token_hash(raw_token))
    if lock:
        rows = rows.select_for_update()
    link = rows.first()
    if link is None:
        raise _unknown()
    if link.used_at is not None:
        raise _used()
    if link.expires_at <= timezone.now():
        raise _expired()
    return link


def answer_link_get(raw_token: str) -> LinkView:
    """The link's page (GET): AnswerLinkRefused unless it may still be used now."""
    link = _link_find(raw_token, lock=False)
    row = Referral.objects.filter(pk=link.referral_id).values(
        "reference", "service_type", "urgency", "due_at", "state", "survivor__field_office__time_zone"
    )[0]
    actions = frozenset(a for a in STEP_ACTIONS[link.step] if action_allowed_from(a, row["state"]))
    if not actions:
        raise _overtaken()
    return LinkView(
        step=link.step,
        actions=actions,
        reference=row["reference"],
        service_type=row["service_type"],
        urgency=row["urgency"],
        due_at=row["due_at"],
        time_zone=row["survivor__field_office__time_zone"],
        state=row["state"],
    )


@transaction.atomic
def answer_link_use(
    raw_token: str, action: str, data: Mapping[str, Any] | None = None, *, request: HttpRequest | None = None
) -> Referral:
    """Take `action` (accept or decline for an answer link, with `reason` for decline; complete
    for a complete link, with an optional `outcome`) on the link's referral, and use the link up.

    Raises AnswerLinkRefused (unknown, used, expired, another step's move, the referral moved
    on) or ValidationError on the inputs (decline without a reason): in both cases nothing is
    changed and the link still works (unless refused for good). Audited `referral.<action>`
    (no user: `ReferralEvent.actor` is empty) and `referral.answered_by_link`."""
    link = _link_find(raw_token, lock=True)  # of two posts, the second waits here, then finds it used
    if action not in STEP_ACTIONS[link.step]:
        raise _wrong_step()
    actor = LinkActor(referral_id=link.referral_id, actions=STEP_ACTIONS[link.step])
    referral = Referral(pk=link.referral_id)  # re-read and locked by the service, through the actor
    try:
        referral = referral_transition(
            user=actor, referral=referral, action=action, data=data, request=request
        )
    except (TransitionNotAllowed, Http404):
        raise _overtaken() from None
    link.used_at = timezone.now()
    link.used_for = action
    link.save(update_fields=["used_at", "used_for"])
    audit_record(
        actor=None,
        action=AuditEvent.Action.REFERRAL_ANSWERED_BY_LINK,
        obj=referral,
        request=request,
        changes={"action": action, "step": link.step, "link": str(link.public_id)},
    )
    return referral

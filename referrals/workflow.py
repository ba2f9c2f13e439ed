"""The referral workflow as data (issue 10 item 3): for each action, the states it starts from,
the state it leads to, who may take it and which inputs it takes.

- send:     draft                              -> sent         (the case worker)
- accept:   sent                               -> accepted     (a user of the provider)
- decline:  sent                               -> declined     (a user of the provider; `reason`)
- start:    accepted                           -> in_progress  (a user of the provider)
- complete: accepted or in_progress            -> completed    (a user of the provider; `outcome`)
- cancel:   draft, sent, accepted, in_progress -> cancelled    (the case worker; `reason`)
- revoke:   any open state                     -> revoked      (the system, on consent withdrawal)

Creating a referral (`services.referral_create`) is not a move: it starts in draft, or is sent
at once. The table is read by the services, by `services.referral_transition` (the one
dispatcher of both doors), by `permissions` (the buttons) and by the API (each action's inputs).
Who is checked before the state: 403 before 409 on every door.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from incidents.exceptions import TransitionNotAllowed
from referrals.models import Referral, ReferralEvent

State = Referral.State
Action = ReferralEvent.Action


class Who(StrEnum):
    """Who may take an action (each a rule of `referrals.permissions`)."""

    CASE_WORKER = "case_worker"  # a WPA who may edit the case, or a senior WPA of its mission
    PROVIDER = "provider"  # a user of the provider the referral is sent to
    SYSTEM = "system"  # no user: the consent withdrawal's subscriber


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    who: Who
    denied: StrOrPromise  # why a user who sees the referral may not take the action (403)
    inputs: tuple[str, ...] = ()  # what the action takes besides the referral
    required: tuple[str, ...] = ()  # the inputs that may not be empty

    def allows_from(self, state: str) -> bool:
        return state in self.sources


_CASE_WORKERS_ONLY = gettext_lazy("Only a WPA of the case or a senior WPA of its mission may do this.")
_PROVIDER_ONLY = gettext_lazy("Only a user of the provider the referral was sent to may do this.")

TRANSITIONS: dict[str, Transition] = {
    Action.SEND: Transition(frozenset({State.DRAFT}), State.SENT, Who.CASE_WORKER, _CASE_WORKERS_ONLY),
    Action.ACCEPT: Transition(frozenset({State.SENT}), State.ACCEPTED, Who.PROVIDER, _PROVIDER_ONLY),
    Action.DECLINE: Transition(
        frozenset({State.SENT}), State.DECLINED, Who.PROVIDER, _PROVIDER_ONLY, ("reason",), ("reason",)
    ),
    Action.START: Transition(frozenset({State.ACCEPTED}), State.IN_PROGRESS, Who.PROVIDER, _PROVIDER_ONLY),
    Action.COMPLETE: Transition(
        frozenset({State.ACCEPTED, State.IN_PROGRESS}),
        State.COMPLETED,
        Who.PROVIDER,
        _PROVIDER_ONLY,
        ("outcome",),
    ),
    Action.CANCEL: Transition(
        Referral.OPEN_STATES, State.CANCELLED, Who.CASE_WORKER, _CASE_WORKERS_ONLY, ("reason",), ("reason",)
    ),
    Action.REVOKE: Transition(
        Referral.OPEN_STATES,
        State.REVOKED,
        Who.SYSTEM,
        gettext_lazy("A referral is revoked only by the withdrawal of the consent it relies on."),
    ),
}

# The moves a user may ask for (the dispatcher's actions), in the order pages and the API list them.
MOVES: tuple[str, ...] = (
    Action.SEND,
    Action.ACCEPT,
    Action.DECLINE,
    Action.START,
    Action.COMPLETE,
    Action.CANCEL,
)


def action_allowed_from(action: str, state: str) -> bool:
    return TRANSITIONS[action].allows_from(state)


def transition_require(referral: Referral, action: str) -> None:
    """Raise `TransitionNotAllowed` (409) unless `action` is possible from the referral's state."""
    if not action_allowed_from(action, referral.state):
        raise TransitionNotAllowed(
            _("This action (%(action)s) is not possible on a referral that is %(state)s.")
            % {"action": Action(action).label.lower(), "state": State(referral.state).label.lower()},
            action=action,
            status=referral.state,
        )

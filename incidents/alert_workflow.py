"""The alert workflow as data, in the idiom of incidents/workflow.py: for each action, the states
it starts from, the state it leads to, who may take it and which inputs it takes.

- acknowledge: new                                -> acknowledged         (a handler)
- dispatch:    acknowledged                       -> response_dispatched  (a handler; `note`, required:
                                                                            what response, by whom)
- close:       acknowledged or response_dispatched -> closed              (a handler; `note`, required
                                                                            when no response was dispatched)

A handler is a WPA of the alert's field office or a senior WPA of its mission
(`alert_permissions.may_handle`). An alert is acknowledged before anything else, so the time to
acknowledge is always measured; it may be closed without a response (a duplicate, a false alarm,
a response by another actor), saying why. The table is read by the services (each moves the
alert to its action's `target`), by `services.alerts.alert_transition` (the one dispatcher of
the page and the API), by `alert_permissions` (the buttons) and by the API (each action's
inputs). Who is checked before the state: 403 before 409 on every door.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from incidents.exceptions import TransitionNotAllowed
from incidents.models import Alert, AlertEvent

State = Alert.State
Action = AlertEvent.Action


class Who(StrEnum):
    """Who may take an action (each a rule of alert_permissions.py)."""

    HANDLER = "handler"  # a WPA of the alert's office, or a senior WPA of its mission


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    who: Who
    denied: StrOrPromise  # why a user who sees the alert may not take the action (403)
    inputs: tuple[str, ...] = ()  # what the action takes besides the alert

    def allows_from(self, state: str) -> bool:
        return state in self.sources


_HANDLERS_ONLY = gettext_lazy("Only a WPA of the alert's field office or a senior WPA may do this.")

TRANSITIONS: dict[str, Transition] = {
    Action.ACKNOWLEDGE: Transition(frozenset({State.NEW}), State.ACKNOWLEDGED, Who.HANDLER, _HANDLERS_ONLY),
    Action.DISPATCH: Transition(
        frozenset({State.ACKNOWLEDGED}), State.RESPONSE_DISPATCHED, Who.HANDLER, _HANDLERS_ONLY, ("note",)
    ),
    Action.CLOSE: Transition(
        frozenset({State.ACKNOWLEDGED, State.RESPONSE_DISPATCHED}),
        State.CLOSED,
        Who.HANDLER,
        _HANDLERS_ONLY,
        ("note",),
    ),
}

# The moves a user may ask for, in the order the page and the API list them.
MOVES: tuple[str, ...] = (Action.ACKNOWLEDGE, Action.DISPATCH, Action.CLOSE)
# The alert's column that keeps the time of each move (the response clock).
STEP_TIMES: dict[str, str] = {
    Action.ACKNOWLEDGE: "acknowledged_at",
    Action.DISPATCH: "dispatched_at",
    Action.CLOSE: "closed_at",
}
assert set(TRANSITIONS) == set(MOVES) == set(STEP_TIMES)

# A note: what response, by whom, or why closed; a few lines, not a report.
NOTE_MAX_LENGTH = 2_000


def alert_transition_require(alert: Alert, action: str) -> None:
    """Raise `TransitionNotAllowed` (409) unless `action` is possible from the alert's state."""
    if not TRANSITIONS[action].allows_from(alert.state):
        raise TransitionNotAllowed(
            _("This action (%(action)s) is not possible on an alert that is %(state)s.")
            % {"action": Action(action).label.lower(), "state": State(alert.state).label.lower()},
            action=action,
            status=alert.state,
        )

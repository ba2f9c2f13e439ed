"""The status workflow as data: for each action, the statuses it starts from, the status it
leads to, who may take it and which inputs it takes.

- submit: draft or returned         -> submitted     (the reporter)
- assign: submitted or under_review -> under_review  (a reviewer; `assignee`)
- return: submitted or under_review -> returned      (a reviewer; `reason`, back to the reporter)
- verify: submitted or under_review -> closed        (a reviewer; `outcome`, `method`, `verified_on`)
- reopen: closed                    -> under_review  (a senior WPA of the mission; `reason`)
- update (an edit, not a move): only while draft or returned (the reporter)

The table is read by the services (each moves the incident to its action's `target`), by
`services.incident_transition` (the one dispatcher the page and the API both call), by
`permissions` (the flags that show each action's button) and by the API's input serializer
(the fields each action takes). The rules behind `Who` are in permissions.py; the services
check who before the status, so the answer is 403 before 409 on every door.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from incidents.exceptions import TransitionNotAllowed
from incidents.models import Incident, IncidentEvent

Status = Incident.Status
Action = IncidentEvent.Action


class Who(StrEnum):
    """Who may take an action (each a rule of permissions.py)."""

    OWNER = "owner"  # the incident's reporter (`permissions.is_owner`)
    REVIEWER = "reviewer"  # a WPA of its office, or a senior WPA of its mission (`may_review`)
    MISSION_SENIOR = "mission_senior"  # a senior WPA of its mission (`may_reopen`)


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the status does not change (an edit)
    who: Who
    denied: StrOrPromise  # why a user who sees the incident may not take the action (403)
    inputs: tuple[str, ...] = ()  # what the action takes besides the incident

    def allows_from(self, status: str) -> bool:
        return status in self.sources


_REVIEWERS_ONLY = gettext_lazy("Only a WPA of the incident's field office or a senior WPA may do this.")
_OPEN = frozenset({Status.DRAFT, Status.RETURNED})
_IN_REVIEW = frozenset({Status.SUBMITTED, Status.UNDER_REVIEW})

TRANSITIONS: dict[str, Transition] = {
    Action.UPDATE: Transition(
        _OPEN, None, Who.OWNER, gettext_lazy("Only the incident's reporter may edit it.")
    ),
    Action.SUBMIT: Transition(
        _OPEN, Status.SUBMITTED, Who.OWNER, gettext_lazy("Only the incident's reporter may submit it.")
    ),
    # Assigning again while under review changes the assignee.
    Action.ASSIGN: Transition(_IN_REVIEW, Status.UNDER_REVIEW, Who.REVIEWER, _REVIEWERS_ONLY, ("assignee",)),
    Action.RETURN: Transition(_IN_REVIEW, Status.RETURNED, Who.REVIEWER, _REVIEWERS_ONLY, ("reason",)),
    Action.VERIFY: Transition(
        _IN_REVIEW, Status.CLOSED, Who.REVIEWER, _REVIEWERS_ONLY, ("outcome", "method", "verified_on")
    ),
    Action.REOPEN: Transition(
        frozenset({Status.CLOSED}),
        Status.UNDER_REVIEW,
        Who.MISSION_SENIOR,
        gettext_lazy("Only a senior WPA of the mission may reopen an incident."),
        ("reason",),
    ),
}

# The actions that move an incident from one status to another (every one but the edit), in the
# order the pages and the API list them.
MOVES: tuple[str, ...] = (Action.SUBMIT, Action.ASSIGN, Action.RETURN, Action.VERIFY, Action.REOPEN)


def action_allowed_from(action: str, status: str) -> bool:
    return TRANSITIONS[action].allows_from(status)


def transition_target(action: str) -> str:
    """The status `action` leads to (a move, not the edit)."""
    target = TRANSITIONS[action].target
    if target is None:
        raise ValueError(f"{action} does not change the status")
    return target


def transition_require(incident: Incident, action: str) -> None:
    """Raise `TransitionNotAllowed` unless `action` is possible from the incident's status."""
    if not action_allowed_from(action, incident.status):
        raise TransitionNotAllowed(
            _("This action (%(action)s) is not possible on an incident that is %(status)s.")
            % {
                "action": Action(action).label,
                "status": Status(incident.status).label.lower(),
            },
            action=action,
            status=incident.status,
        )

"""The status workflow as data: which action moves an incident from which statuses to which.

- submit: draft or returned         -> submitted
- assign: submitted or under_review -> under_review (verification: reported -> pending)
- return: submitted or under_review -> returned (back to the reporter, with a reason)
- verify: submitted or under_review -> closed (verification: the outcome)
- reopen: closed                    -> under_review (verification: pending again)
- update (an edit, not a move): only while draft or returned

Who may act is in permissions.py; the services check both and raise `PermissionDenied`
(role) before `TransitionNotAllowed` (status).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from incidents.exceptions import TransitionNotAllowed
from incidents.models import Incident, IncidentEvent

Status = Incident.Status
Action = IncidentEvent.Action


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the status does not change (edit)


TRANSITIONS: dict[str, Transition] = {
    Action.UPDATE: Transition(frozenset({Status.DRAFT, Status.RETURNED}), None),
    Action.SUBMIT: Transition(frozenset({Status.DRAFT, Status.RETURNED}), Status.SUBMITTED),
    # Assigning again while under review changes the assignee.
    Action.ASSIGN: Transition(frozenset({Status.SUBMITTED, Status.UNDER_REVIEW}), Status.UNDER_REVIEW),
    Action.RETURN: Transition(frozenset({Status.SUBMITTED, Status.UNDER_REVIEW}), Status.RETURNED),
    Action.VERIFY: Transition(frozenset({Status.SUBMITTED, Status.UNDER_REVIEW}), Status.CLOSED),
    Action.REOPEN: Transition(frozenset({Status.CLOSED}), Status.UNDER_REVIEW),
}


def action_allowed_from(action: str, status: str) -> bool:
    return status in TRANSITIONS[action].sources


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

"""The one dispatcher of the workflow: every move (submit, assign, return, verify, reopen) by its
name, as the detail page and the API both post it.

The order of the answers is decided here, once, for both doors: out of scope (Http404), then
who may (`PermissionDenied`), then the status (`TransitionNotAllowed`), and only then the
inputs (`ValidationError` keyed by field). The inputs are read after the first three checks:
a door passes a reader that parses what was posted and raises its own parse errors, so a
user who may not act, or an action the status does not allow, never gets a complaint about
the fields first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from crsv.accounts.models import User
from incidents import selectors
from incidents.models import Incident
from incidents.services.history import incident_step_begin
from incidents.services.intake import incident_submit
from incidents.services.review import incident_assign, incident_reopen, incident_return, incident_verify
from incidents.workflow import MOVES, Action


@dataclass(frozen=True)
class TransitionInputs:
    """What a move takes besides the incident (`workflow.TRANSITIONS[action].inputs`); the
    others are ignored. The assignee is named by username, as both doors name her."""

    assignee: str = ""
    reason: str = ""
    outcome: str = ""
    method: str = ""
    verified_on: date | None = None


InputsReader = Callable[[], TransitionInputs]
_Service = Callable[[User, Incident, TransitionInputs, HttpRequest | None], Incident]


def _assignee(incident: Incident, username: str) -> User:
    """The reviewer named, among those who may be assigned the incident."""
    if not username:
        raise ValidationError({"assignee": [_("This field is required.")]})
    candidate = selectors.incident_assignee_candidates(incident=incident).filter(username=username).first()
    if candidate is None:
        raise ValidationError(
            {
                "assignee": [
                    _("Choose an active WPA of the incident's field office, or a senior WPA of the mission.")
                ]
            }
        )
    return candidate


# Each move's service, with the inputs it takes. The services check who and the status again
# on their own locked row (the same row, in the same transaction: no wait, no other answer).
_SERVICES: dict[str, _Service] = {
    Action.SUBMIT: lambda actor, incident, values, request: incident_submit(
        actor=actor, incident=incident, request=request
    ),
    Action.ASSIGN: lambda actor, incident, values, request: incident_assign(
        actor=actor, incident=incident, assignee=_assignee(incident, values.assignee), request=request
    ),
    Action.RETURN: lambda actor, incident, values, request: incident_return(
        actor=actor, incident=incident, reason=values.reason, request=request
    ),
    Action.VERIFY: lambda actor, incident, values, request: incident_verify(
        actor=actor,
        incident=incident,
        outcome=values.outcome,
        method=values.method,
        verified_on=values.verified_on,
        request=request,
    ),
    Action.REOPEN: lambda actor, incident, values, request: incident_reopen(
        actor=actor, incident=incident, reason=values.reason, request=request
    ),
}
assert set(_SERVICES) == set(MOVES)


@transaction.atomic
def incident_transition(
    *,
    actor: User,
    incident: Incident,
    action: str,
    inputs: TransitionInputs | InputsReader | None = None,
    request: HttpRequest | None = None,
) -> Incident:
    """Take the workflow move `action` (one of `workflow.MOVES`) on `incident`.

    Raises, in this order: `ValidationError` on `action` for an unknown action; Http404 out of
    the actor's scope; `PermissionDenied` when her role may not; `TransitionNotAllowed` when
    the status does not allow it; then whatever reading `inputs` raises; then the service's
    own `ValidationError`. Returns the saved incident.
    """
    if action not in _SERVICES:
        raise ValidationError({"action": [_("Unknown action.")]})
    locked = incident_step_begin(actor=actor, incident=incident, action=action)
    values = inputs() if callable(inputs) else (inputs or TransitionInputs())
    return _SERVICES[action](actor, locked, values, request)

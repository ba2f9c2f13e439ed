"""The handlers' writes on an alert: acknowledge, dispatch a response, close, and link an incident;
and `alert_transition`, the one dispatcher the alert page and the API both call.

The order of the answers is decided here, once, for both doors: out of scope (Http404), then who
may (`PermissionDenied`), then the state (`TransitionNotAllowed`), and only then the inputs
(`ValidationError` keyed by field): a door passes a reader that parses what was posted, called
after the first three checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from crsv.accounts.models import User
from crsv.audit.services import audit_record
from incidents import alert_permissions, clock
from incidents.alert_workflow import MOVES, NOTE_MAX_LENGTH, STEP_TIMES, TRANSITIONS, Action
from incidents.exceptions import PermissionDenied
from incidents.models import Alert, AlertIncidentLink, Incident
from incidents.services.alerts.history import alert_lock, alert_step_begin, alert_step_record
from incidents.services.validation import full_clean_before_save, require_text


def _note(value: str, *, required: bool, message: str) -> str:
    """The stripped note; `message` under `note` if it is required and empty; too long: refused."""
    text = (value or "").strip()
    if not text and not required:
        return ""
    return require_text(text, field="note", message=message, max_length=NOTE_MAX_LENGTH)


def _move(
    *, actor: User, alert: Alert, action: str, note: str = "", request: HttpRequest | None = None
) -> Alert:
    """Move the locked `alert` to `action`'s target, keep the step's time, save and record."""
    now = clock.now()
    from_state = alert.state
    alert.state = TRANSITIONS[action].target
    setattr(alert, STEP_TIMES[action], now)
    full_clean_before_save(alert)
    alert.save()
    alert_step_record(
        actor=actor, alert=alert, action=action, from_state=from_state, note=note, at=now, request=request
    )
    return alert


@transaction.atomic
def alert_acknowledge(*, actor: User, alert: Alert, request: HttpRequest | None = None) -> Alert:
    """A handler has seen the new alert (stops the escalation clock)."""
    alert = alert_step_begin(actor=actor, alert=alert, action=Action.ACKNOWLEDGE)
    return _move(actor=actor, alert=alert, action=Action.ACKNOWLEDGE, request=request)


@transaction.atomic
def alert_dispatch(*, actor: User, alert: Alert, note: str, request: HttpRequest | None = None) -> Alert:
    """A response was dispatched; `note` (required, encrypted) says which and by whom."""
    alert = alert_step_begin(actor=actor, alert=alert, action=Action.DISPATCH)
    text = _note(note, required=True, message=_("Say which response was dispatched."))
    return _move(actor=actor, alert=alert, action=Action.DISPATCH, note=text, request=request)


@transaction.atomic
def alert_close(*, actor: User, alert: Alert, note: str = "", request: HttpRequest | None = None) -> Alert:
    """Close the alert; closing one with no response dispatched (a duplicate, a false alarm, a
    response by another actor) needs a note saying why."""
    alert = alert_step_begin(actor=actor, alert=alert, action=Action.CLOSE)
    required = alert.state != Alert.State.RESPONSE_DISPATCHED
    text = _note(note, required=required, message=_("Say why the alert is closed without a response."))
    return _move(actor=actor, alert=alert, action=Action.CLOSE, note=text, request=request)


@dataclass(frozen=True)
class AlertInputs:
    """What a move takes besides the alert (`alert_workflow.TRANSITIONS[action].inputs`)."""

    note: str = ""


AlertInputsReader = Callable[[], AlertInputs]
_Service = Callable[[User, Alert, AlertInputs, HttpRequest | None], Alert]

_SERVICES: dict[str, _Service] = {
    Action.ACKNOWLEDGE: lambda actor, alert, values, request: alert_acknowledge(
        actor=actor, alert=alert, request=request
    ),
    Action.DISPATCH: lambda actor, alert, values, request: alert_dispatch(
        actor=actor, alert=alert, note=values.note, request=request
    ),
    Action.CLOSE: lambda actor, alert, values, request: alert_close(
        actor=actor, alert=alert, note=values.note, request=request
    ),
}
assert set(_SERVICES) == set(MOVES)


@transaction.atomic
def alert_transition(
    *,
    actor: User,
    alert: Alert,
    action: str,
    inputs: AlertInputs | AlertInputsReader | None = None,
    request: HttpRequest | None = None,
) -> Alert:
    """Take the move `action` (one of `alert_workflow.MOVES`) on `alert`. Raises, in this order:
    `ValidationError` on `action` for an unknown one; Http404; PermissionDenied;
    TransitionNotAllowed; whatever reading `inputs` raises; the service's ValidationError."""
    if action not in _SERVICES:
        raise ValidationError({"action": [_("Unknown action.")]})
    locked = alert_step_begin(actor=actor, alert=alert, action=action)
    values = inputs() if callable(inputs) else (inputs or AlertInputs())
    return _SERVICES[action](actor, locked, values, request)


def alert_link_authorize(*, actor: User, alert: Alert) -> None:
    """PermissionDenied (403) unless the actor handles the alert (asked before reading a body)."""
    if not alert_permissions.can_link_incident(actor, alert):
        raise PermissionDenied(_("Only a WPA of the alert's field office or a senior WPA may do this."))


@transaction.atomic
def alert_link_incident(
    *, actor: User, alert: Alert, incident: Incident | None, request: HttpRequest | None = None
) -> AlertIncidentLink:
    """Link a submitted incident the actor can see to the alert (any state: incidents come
    later). 404 for an alert out of scope, 403 for a user who does not handle it; an incident she
    cannot see is "not found" beside the field, as one that does not exist."""
    alert = alert_lock(actor=actor, alert=alert)
    alert_link_authorize(actor=actor, alert=alert)
    visible = Incident.objects.visible_to(actor).exclude(status=Incident.Status.DRAFT)
    if incident is None or not visible.filter(pk=incident.pk).exists():
        raise ValidationError(
            {"incident": [_("No submitted incident with this reference among those you can see.")]}
        )
    if AlertIncidentLink.objects.filter(alert=alert, incident=incident).exists():
        raise ValidationError({"incident": [_("This incident is already linked to the alert.")]})
    # Two handlers linking at once queue on the alert's row lock: the second finds the first's.
    link = AlertIncidentLink.objects.create(
        alert=alert, incident=incident, linked_by=actor, linked_at=clock.now()
    )
    audit_record(actor=actor, action="alert.link_incident", obj=alert, request=request)
    return link

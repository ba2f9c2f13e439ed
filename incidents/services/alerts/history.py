"""The steps every alert service shares: lock the alert in the actor's scope, check who may take
the action and whether the state allows it (the table of incidents/alert_workflow.py), and
record what was done."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest

from crsv.accounts.models import User
from crsv.audit.services import audit_record
from incidents import alert_permissions, clock
from incidents.alert_workflow import TRANSITIONS, alert_transition_require
from incidents.exceptions import PermissionDenied
from incidents.models import Alert, AlertEvent
from incidents.services.validation import full_clean_before_save


def alert_lock(*, actor: User, alert: Alert) -> Alert:
    """Re-read `alert` under a row lock, through the actor's scope (out of it: 404). Every rule is
    checked on the locked row: of two WPAs acknowledging at once, the second sees the first's."""
    try:
        return (
            Alert.objects.visible_to(actor)
            .select_related("field_office__mission", "data_key")
            .select_for_update(of=("self",))
            .get(pk=alert.pk)
        )
    except Alert.DoesNotExist:
        raise Http404("No alert matches the given query.") from None


def alert_step_authorize(*, actor: User, alert: Alert, action: str) -> None:
    """Who (403), then the state (409), from `alert_workflow.TRANSITIONS[action]`."""
    if not alert_permissions.may_act(actor, alert, action):
        raise PermissionDenied(str(TRANSITIONS[action].denied))
    alert_transition_require(alert, action)


def alert_step_begin(*, actor: User, alert: Alert, action: str) -> Alert:
    """The locked row in the actor's scope (404), once she may take `action` (403) from its
    state (409). Call inside the service's transaction."""
    locked = alert_lock(actor=actor, alert=alert)
    alert_step_authorize(actor=actor, alert=locked, action=action)
    return locked


def alert_event_record(
    *,
    actor: User | None,
    alert: Alert,
    action: str,
    from_state: str,
    note: str = "",
    at: datetime | None = None,
) -> AlertEvent:
    """Append one step to the alert's history, in the caller's transaction; `at` is the time the
    alert keeps for the step (its `acknowledged_at`, ...), so both say the same."""
    event = AlertEvent(
        alert=alert,
        occurred_at=at or clock.now(),
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=alert.state,
    )
    event.note = note  # encrypted under the alert's data key (AlertEvent.note)
    full_clean_before_save(event)
    event.save()
    return event


def alert_step_record(
    *,
    actor: User,
    alert: Alert,
    action: str,
    from_state: str,
    note: str = "",
    at: datetime | None = None,
    request: HttpRequest | None = None,
) -> AlertEvent:
    """The history event and the audit event (`alert.<action>`, no value of the alert)."""
    event = alert_event_record(
        actor=actor, alert=alert, action=action, from_state=from_state, note=note, at=at
    )
    audit_record(actor=actor, action=f"alert.{action}", obj=alert, request=request)
    return event

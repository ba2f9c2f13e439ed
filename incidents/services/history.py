"""The steps every incident service shares: lock the row in scope, check who may take the action
and whether the status allows it (the workflow table), and record what was done."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from crsv.accounts.models import User
from crsv.audit.services import audit_record
from incidents import clock, permissions
from incidents.exceptions import PermissionDenied
from incidents.models import Incident, IncidentEvent
from incidents.services.validation import full_clean_before_save
from incidents.workflow import TRANSITIONS, transition_require


def incident_lock(*, actor: User, incident: Incident) -> Incident:
    """Re-read `incident` under a row lock, through the actor's scope.

    The caller's instance may be stale (another reviewer acted meanwhile); every rule is
    checked on the locked row. Out of the actor's scope, the incident does not exist: 404.
    """
    # visible_to filters on the incident's own columns only; the office (for its time zone and
    # codes) is read in the same query, and only the incident row is locked.
    try:
        return (
            Incident.objects.visible_to(actor)
            .select_related("field_office__mission")
            .select_for_update(of=("self",))
            .get(pk=incident.pk)
        )
    except Incident.DoesNotExist:
        raise Http404("No incident matches the given query.") from None


def incident_step_authorize(*, actor: User, incident: Incident, action: str) -> None:
    """Who, then the status, from `workflow.TRANSITIONS[action]`: `PermissionDenied` (403) when
    the actor's role may not take the action, else `TransitionNotAllowed` (409) when the
    incident's status does not allow it. Every door gets the same answer in the same order."""
    if not permissions.may_act(actor, incident, action):
        raise PermissionDenied(str(TRANSITIONS[action].denied))
    transition_require(incident, action)


def incident_step_begin(*, actor: User, incident: Incident, action: str) -> Incident:
    """The locked row in the actor's scope (404 otherwise), once the actor may take `action`
    from its status (403, then 409). Call inside the service's transaction."""
    locked = incident_lock(actor=actor, incident=incident)
    incident_step_authorize(actor=actor, incident=locked, action=action)
    return locked


def incident_step_record(
    *,
    actor: User,
    incident: Incident,
    action: str,
    from_status: str,
    reason: str = "",
    assignee: User | None = None,
    request: HttpRequest | None = None,
) -> IncidentEvent:
    """Append the history event and the audit event (`incident.<action>`), in the caller's
    transaction, so they commit or roll back with the change."""
    event = IncidentEvent(
        incident=incident,
        occurred_at=clock.now(),
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=incident.status,
        verification_status=incident.verification_status,
        assignee=assignee,
    )
    event.reason = reason  # encrypted under the incident's data key (IncidentEvent.reason)
    full_clean_before_save(event)
    event.save()
    audit_record(actor=actor, action=f"incident.{action}", obj=incident, request=request)
    return event

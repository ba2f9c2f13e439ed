"""Two steps every incident service shares: lock the row in scope, and record what was done."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from crsv.accounts.models import User
from crsv.audit.services import audit_record
from incidents import clock
from incidents.models import Incident, IncidentEvent
from incidents.services.validation import full_clean_before_save


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

"""Writes by reviewers: assign, return, verify (which closes), reopen."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from crsv.accounts.models import User
from incidents import clock, derivations, permissions
from incidents.models import VERIFICATION_OUTCOMES, Incident
from incidents.notifications import incident_notify_returned
from incidents.services.history import incident_step_begin, incident_step_record
from incidents.services.limits import EARLIEST_DATE
from incidents.services.validation import date_too_early_message, full_clean_before_save, require_text
from incidents.workflow import Action, transition_target

Verification = Incident.VerificationStatus


def _save(incident: Incident) -> None:
    incident.updated_at = clock.now()
    full_clean_before_save(incident)
    incident.save()


@transaction.atomic
def incident_assign(
    *, actor: User, incident: Incident, assignee: User, request: HttpRequest | None = None
) -> Incident:
    """Put the incident under review by `assignee` (also to change the assignee).

    The assignee must be an active WPA of the incident's field office, or a senior WPA of its
    mission (only a senior WPA for an SEA incident): someone who may review it. Verification
    moves from reported to pending.
    """
    incident = incident_step_begin(actor=actor, incident=incident, action=Action.ASSIGN)
    if not permissions.may_review(assignee, incident):
        raise ValidationError(
            {
                "assignee": [
                    _("Choose an active WPA of the incident's field office, or a senior WPA of the mission.")
                ]
            }
        )
    from_status = incident.status
    incident.status = transition_target(Action.ASSIGN)
    incident.assigned_wpa = assignee
    if incident.verification_status == Verification.REPORTED:
        incident.verification_status = Verification.PENDING
    _save(incident)
    incident_step_record(
        actor=actor,
        incident=incident,
        action=Action.ASSIGN,
        from_status=from_status,
        assignee=assignee,
        request=request,
    )
    return incident


@transaction.atomic
def incident_return(
    *, actor: User, incident: Incident, reason: str, request: HttpRequest | None = None
) -> Incident:
    """Send the incident back to its reporter, saying why (the reason is restricted)."""
    incident = incident_step_begin(actor=actor, incident=incident, action=Action.RETURN)
    text = require_text(
        reason, field="reason", message=_("Say why the incident is returned to its reporter.")
    )
    from_status = incident.status
    incident.status = transition_target(Action.RETURN)
    _save(incident)
    event = incident_step_record(
        actor=actor,
        incident=incident,
        action=Action.RETURN,
        from_status=from_status,
        reason=text,
        request=request,
    )
    incident_notify_returned(incident=incident, event=event, request=request)
    return incident


def _verification_problems(
    incident: Incident, *, outcome: str, method: str, verified_on: date | None
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if outcome not in VERIFICATION_OUTCOMES:
        problems["outcome"] = [_("Choose verified, could not be verified, or did not occur.")]
    if method not in Incident.VerificationMethod.values:
        problems["method"] = [_("Choose how the incident was verified.")]
    if verified_on is None:
        problems["verified_on"] = [_("Give the date of the verification.")]
    elif verified_on < EARLIEST_DATE:
        problems["verified_on"] = [date_too_early_message()]
    elif verified_on > clock.office_today(incident.field_office):
        problems["verified_on"] = [_("The verification date cannot be in the future.")]
    elif incident.incident_date_start is not None and verified_on < incident.incident_date_start:
        problems["verified_on"] = [_("The verification date cannot be before the incident.")]
    return problems


@transaction.atomic
def incident_verify(
    *,
    actor: User,
    incident: Incident,
    outcome: str,
    method: str,
    verified_on: date | None,
    request: HttpRequest | None = None,
) -> Incident:
    """Record the verification outcome (verified, could not be verified, did not occur) and
    close the incident. Late if verified in a later quarter than the incident's latest date."""
    incident = incident_step_begin(actor=actor, incident=incident, action=Action.VERIFY)
    problems = _verification_problems(incident, outcome=outcome, method=method, verified_on=verified_on)
    if problems:
        raise ValidationError(problems)
    # Both known here: the date was checked above, and a submitted incident has its dates.
    assert verified_on is not None and incident.incident_date_end is not None
    from_status = incident.status
    incident.status = transition_target(Action.VERIFY)
    incident.verification_status = outcome
    incident.verification_method = method
    incident.verified_on = verified_on
    incident.verified_by = actor
    incident.is_late_verification = derivations.is_late_verification(
        latest_incident_date=incident.incident_date_end, verified_on=verified_on
    )
    incident.closed_at = clock.now()
    _save(incident)
    incident_step_record(
        actor=actor, incident=incident, action=Action.VERIFY, from_status=from_status, request=request
    )
    return incident


@transaction.atomic
def incident_reopen(
    *, actor: User, incident: Incident, reason: str, request: HttpRequest | None = None
) -> Incident:
    """Reopen a closed incident for review (senior WPA only), saying why.

    The previous outcome is cleared from the incident (verification is pending again) and
    stays in its history.
    """
    incident = incident_step_begin(actor=actor, incident=incident, action=Action.REOPEN)
    text = require_text(reason, field="reason", message=_("Say why the incident is reopened."))
    from_status = incident.status
    incident.status = transition_target(Action.REOPEN)
    incident.verification_status = Verification.PENDING
    incident.verification_method = ""
    incident.verified_on = None
    incident.verified_by = None
    incident.is_late_verification = False
    incident.closed_at = None
    _save(incident)
    incident_step_record(
        actor=actor,
        incident=incident,
        action=Action.REOPEN,
        from_status=from_status,
        reason=text,
        request=request,
    )
    return incident

"""Justice and accountability steps on an incident (issue 13 item 6): record one, remove one.

Each service locks the incident through the actor's scope (Http404), then authorizes
(`PermissionDenied`: 403; a draft: `TransitionNotAllowed`, 409), validates (`ValidationError`
keyed by field), writes and audits, in one transaction; the page and the API call the same
ones. The rules of who may are `incidents.accountability_permissions`.

Audit actions: `incident.accountability_record`, `incident.accountability_remove`, on the step
(its type and public id), with the incident's public id, the stage and the court in `changes`;
never the note.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from crsv.accounts.models import User
from crsv.audit.services import audit_record
from crsv.keys.services import data_key_provision
from incidents import accountability_permissions as rules
from incidents import clock
from incidents.exceptions import PermissionDenied, TransitionNotAllowed
from incidents.models import AccountabilityStep, Incident
from incidents.services.history import incident_lock
from incidents.services.limits import EARLIEST_DATE
from incidents.services.validation import date_too_early_message, full_clean_before_save

Stage = AccountabilityStep.Stage
Court = AccountabilityStep.Court
Outcome = AccountabilityStep.Outcome

# A note is a few lines (which court, which case number, what was decided), not a document.
NOTE_MAX_LENGTH = 5_000
RECORD = "accountability_record"
REMOVE = "accountability_remove"


def accountability_authorize(*, actor: User, incident: Incident) -> None:
    """`PermissionDenied` (403) unless the actor may record steps on the incident, else
    `TransitionNotAllowed` (409) while it is a draft. The page and the API ask this before
    reading what was posted, so a user who may not record learns nothing from its errors."""
    if not rules.may_record_accountability(actor, incident):
        raise PermissionDenied(
            _("Only a WPA of the incident's field office or a senior WPA may record justice steps.")
        )
    if not rules.accountability_status_allows(incident):
        raise TransitionNotAllowed(
            _("Justice and accountability steps are recorded once the incident is submitted."),
            action=RECORD,
            status=incident.status,
        )


def _date_problems(incident: Incident, occurred_on: date | None) -> list[str]:
    if occurred_on is None:
        return [_("Give the date of this step.")]
    if occurred_on < EARLIEST_DATE:
        return [date_too_early_message()]
    if occurred_on > clock.office_today(incident.field_office):
        return [_("The date cannot be in the future.")]
    if incident.incident_date_start is not None and occurred_on < incident.incident_date_start:
        return [_("The date cannot be before the incident.")]
    return []


def _problems(
    incident: Incident, *, stage: str, court: str, occurred_on: date | None, outcome: str, note: str
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if stage not in Stage.values:
        problems["stage"] = [_("Choose the stage reached.")]
    elif stage in AccountabilityStep.COURT_STAGES and court not in Court.values:
        problems["court"] = [_("Say before which court (civil, military or mobile).")]
    elif stage not in AccountabilityStep.COURT_STAGES and court:
        problems["court"] = [_("A court is named only for a prosecution, a verdict or a sentence.")]
    if stage == AccountabilityStep.OUTCOME_STAGE and outcome not in Outcome.values:
        problems["outcome"] = [_("Give the verdict's outcome.")]
    elif stage in Stage.values and stage != AccountabilityStep.OUTCOME_STAGE and outcome:
        problems["outcome"] = [_("An outcome is recorded only for a verdict.")]
    dates = _date_problems(incident, occurred_on)
    if dates:
        problems["occurred_on"] = dates
    if len(note) > NOTE_MAX_LENGTH:
        problems["note"] = [
            _("At most %(max)d characters (it has %(length)d).")
            % {"max": NOTE_MAX_LENGTH, "length": len(note)}
        ]
    if not problems and incident.accountability_steps.filter(stage=stage, court=court).exists():
        problems["stage"] = [
            _("This step is already recorded for this incident (remove it first to correct it).")
            if not court
            else _("This step is already recorded for this incident before this court.")
        ]
    return problems


@transaction.atomic
def accountability_step_record(
    *,
    actor: User,
    incident: Incident,
    stage: str,
    occurred_on: date | None,
    court: str = "",
    outcome: str = "",
    note: str = "",
    request: HttpRequest | None = None,
) -> AccountabilityStep:
    """Record that the incident reached `stage` on `occurred_on`.

    `court` (civil, military, mobile) is required for a prosecution, a verdict and a sentence,
    and refused for the other stages; `outcome` (convicted, acquitted, other) is required for a
    verdict and refused otherwise. The date is not in the future nor before the incident. Once
    per stage and court. The note (optional, restricted) is encrypted under the incident's key.
    """
    incident = incident_lock(actor=actor, incident=incident)  # 404 out of scope
    accountability_authorize(actor=actor, incident=incident)
    court, outcome, text = (court or "").strip(), (outcome or "").strip(), (note or "").strip()
    problems = _problems(
        incident, stage=stage, court=court, occurred_on=occurred_on, outcome=outcome, note=text
    )
    if problems:
        raise ValidationError(problems)
    assert occurred_on is not None  # checked above (`_date_problems`)
    if data_key_provision(incident):  # an incident always has one; fail safe if not
        incident.save(update_fields=["data_key"])
    step = AccountabilityStep(
        incident=incident,
        stage=stage,
        court=court,
        occurred_on=occurred_on,
        outcome=outcome,
        recorded_by=actor,
        recorded_at=clock.now(),
    )
    step.note = text  # encrypted under the incident's data key (AccountabilityStep.note)
    full_clean_before_save(step)
    step.save()
    _audit(actor=actor, action=RECORD, incident=incident, step=step, request=request)
    return step


@transaction.atomic
def accountability_step_remove(
    *, actor: User, incident: Incident, step_public_id: uuid.UUID | str, request: HttpRequest | None = None
) -> None:
    """Remove a step recorded by mistake: who recorded it, or a senior WPA of the mission.

    A step that is not the incident's (or no step at all) is not found, like an incident out
    of scope; one the actor may not remove is 403."""
    incident = incident_lock(actor=actor, incident=incident)  # 404 out of scope
    try:
        key = step_public_id if isinstance(step_public_id, uuid.UUID) else uuid.UUID(str(step_public_id))
        step = AccountabilityStep.objects.select_for_update().get(incident_id=incident.pk, public_id=key)
    except (ValueError, AccountabilityStep.DoesNotExist):
        raise Http404("No step matches the given query.") from None
    if not rules.may_remove_accountability_step(actor, incident, step):
        raise PermissionDenied(_("Only who recorded this step or a senior WPA may remove it."))
    step.delete()  # the instance keeps its public id, stage and court for the audit row
    _audit(actor=actor, action=REMOVE, incident=incident, step=step, request=request)


def _audit(
    *, actor: User, action: str, incident: Incident, step: AccountabilityStep, request: HttpRequest | None
) -> None:
    """What was done, on which step of which incident: names of choices only, never the note."""
    audit_record(
        actor=actor,
        action=f"incident.{action}",
        obj=step,
        request=request,
        changes={"incident": str(incident.public_id), "stage": step.stage, "court": step.court},
    )

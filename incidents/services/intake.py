"""Writes by the reporter: create a draft, edit it (draft or returned), submit it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from crsv.accounts.models import FieldOffice, User
from crsv.keys.services import data_key_provision
from incidents import clock, derivations, permissions
from incidents.exceptions import PermissionDenied
from incidents.models import Incident, Perpetrator, Violation
from incidents.reference_numbers import incident_reference_next, reference_is_sea
from incidents.services.history import incident_step_begin, incident_step_record
from incidents.services.inputs import (
    INCIDENT_FIELD_NAMES,
    IncidentFields,
    PerpetratorData,
    ViolationData,
)
from incidents.services.validation import full_clean_before_save, incident_validate
from incidents.workflow import Action, transition_target


def _fields_apply(incident: Incident, fields: IncidentFields) -> None:
    unknown = set(fields) - INCIDENT_FIELD_NAMES
    if unknown:
        # A programming error, not bad input: derived and workflow fields are never accepted.
        raise TypeError(f"These incident fields cannot be set: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(incident, name, value)


def _prepared(
    incident: Incident,
    *,
    violations: Sequence[ViolationData],
    perpetrators: Sequence[PerpetratorData],
    complete: bool,
) -> None:
    """Normalise the dates, validate (raising ValidationError), and derive what is derived."""
    incident.incident_date_start, incident.incident_date_end = derivations.incident_dates_normalized(
        precision=incident.date_precision,
        start=incident.incident_date_start,
        end=incident.incident_date_end,
        reported_on=incident.reported_on,
    )
    incident_validate(
        incident,
        violations=violations,
        perpetrators=perpetrators,
        complete=complete,
        today=clock.office_today(incident.field_office),
    )
    end = incident.incident_date_end
    incident.reporting_delay_band = (
        derivations.reporting_delay_band(latest_incident_date=end, reported_on=incident.reported_on)
        if end is not None
        else ""
    )
    incident.gbvims_core_type = derivations.gbvims_core_type(
        penetration=incident.gbvims_penetration,
        sexual_contact=incident.gbvims_sexual_contact,
        physical_assault=incident.gbvims_physical_assault,
        forced_marriage=incident.gbvims_forced_marriage,
        denial_of_resources=incident.gbvims_denial_of_resources,
        psychological_abuse=incident.gbvims_psychological_abuse,
    )
    incident.is_sea = derivations.is_sea(row.category for row in perpetrators)


def _children_current(incident: Incident) -> tuple[list[ViolationData], list[PerpetratorData]]:
    violations = [ViolationData.from_row(row) for row in incident.violations.all()]
    perpetrators = [PerpetratorData.from_row(row) for row in incident.perpetrators.select_related("party")]
    return violations, perpetrators


def _violations_save(incident: Incident, rows: Sequence[ViolationData], *, replace: bool) -> None:
    if replace:
        incident.violations.all().delete()
    objects = [Violation(incident=incident, form=row.form) for row in rows]
    for obj in objects:
        full_clean_before_save(obj)
    Violation.objects.bulk_create(objects)


def _perpetrators_save(incident: Incident, rows: Sequence[PerpetratorData], *, replace: bool) -> None:
    if replace:
        incident.perpetrators.all().delete()
    objects = [
        Perpetrator(  # type: ignore[misc]  # unit, commander, names: encrypted fields (crsv.crypto)
            incident=incident,
            category=row.category,
            count=row.count,
            sex=row.sex,
            age_group=row.age_group,
            party=row.party,
            relationship=row.relationship,
            unit=row.unit,
            commander=row.commander,
            names=row.names,
        )
        for row in rows
    ]
    for obj in objects:
        full_clean_before_save(obj)
    Perpetrator.objects.bulk_create(objects)


def incident_create_authorize(*, actor: User) -> None:
    """`PermissionDenied` (403) unless the actor may log incidents: a creator role and a field
    office. The intake page (before showing its form) and the API (before reading the body) ask
    this too, so that a user who may not log learns nothing from her input's errors."""
    if not permissions.can_create_incident(actor):
        raise PermissionDenied(_("Your role does not allow logging incidents."))


@transaction.atomic
def incident_create(
    *,
    actor: User,
    field_office: FieldOffice | None = None,
    violations: Sequence[ViolationData] = (),
    perpetrators: Sequence[PerpetratorData] = (),
    request: HttpRequest | None = None,
    intake_key: uuid.UUID | None = None,
    **fields: Unpack[IncidentFields],
) -> Incident:
    """Log a new incident as a draft, in `field_office` (default: the actor's first office).

    A draft may be incomplete, but what it holds must be valid (see services/validation.py).
    The date of report defaults to today in the office's time zone. To save and submit at
    once, call `incident_submit` on the result in the same transaction. `intake_key`, the
    intake form's one-time key, is unique per reporter (IntegrityError if already used; see
    services/kept_drafts.py).
    """
    incident_create_authorize(actor=actor)
    office = field_office or actor.primary_office()
    if office is None or office.pk not in actor.office_ids():
        raise ValidationError({"field_office": [_("Choose one of your field offices.")]})
    incident = Incident(
        mission_id=office.mission_id,
        field_office=office,
        reported_by=actor,
        reported_on=clock.office_today(office),
        intake_key=intake_key,
    )
    data_key_provision(incident)  # the key of its encrypted fields, before they are assigned
    _fields_apply(incident, fields)
    _prepared(incident, violations=violations, perpetrators=perpetrators, complete=False)
    incident.created_at = incident.updated_at = clock.now()
    full_clean_before_save(incident)
    incident.save()
    _violations_save(incident, violations, replace=False)
    _perpetrators_save(incident, perpetrators, replace=False)
    incident_step_record(
        actor=actor, incident=incident, action=Action.CREATE, from_status="", request=request
    )
    return incident


@transaction.atomic
def incident_update(
    *,
    actor: User,
    incident: Incident,
    violations: Sequence[ViolationData] | None = None,
    perpetrators: Sequence[PerpetratorData] | None = None,
    request: HttpRequest | None = None,
    **fields: Unpack[IncidentFields],
) -> Incident:
    """Edit a draft or returned incident; only its reporter may. Returns the saved row.

    Only the fields passed change (PATCH semantics). A list of violations or perpetrators
    replaces the incident's rows; None leaves them. A returned incident must stay complete.
    """
    incident = incident_step_begin(actor=actor, incident=incident, action=Action.UPDATE)
    current_violations, current_perpetrators = _children_current(incident)
    new_violations = current_violations if violations is None else list(violations)
    new_perpetrators = current_perpetrators if perpetrators is None else list(perpetrators)
    data_key_provision(incident)  # the key of its encrypted fields, before they are assigned
    _fields_apply(incident, fields)
    _prepared(
        incident,
        violations=new_violations,
        perpetrators=new_perpetrators,
        complete=incident.status != Incident.Status.DRAFT,
    )
    incident.updated_at = clock.now()
    full_clean_before_save(incident)
    incident.save()
    if violations is not None:
        _violations_save(incident, new_violations, replace=True)
    if perpetrators is not None:
        _perpetrators_save(incident, new_perpetrators, replace=True)
    incident_step_record(
        actor=actor,
        incident=incident,
        action=Action.UPDATE,
        from_status=incident.status,
        request=request,
    )
    return incident


@transaction.atomic
def incident_submit(*, actor: User, incident: Incident, request: HttpRequest | None = None) -> Incident:
    """Submit a draft, or resubmit a returned incident; only its reporter may.

    The incident must be complete. The first submission gives the human reference (year of
    submission in the office's time zone; from the SEA sequence for an SEA incident) and
    `submitted_at`; a resubmission keeps both, except that an SEA incident resubmitted as CRSV
    gets a CRSV number (see incidents/reference_numbers.py).
    """
    incident = incident_step_begin(actor=actor, incident=incident, action=Action.SUBMIT)
    violations, perpetrators = _children_current(incident)
    _prepared(incident, violations=violations, perpetrators=perpetrators, complete=True)
    from_status = incident.status
    now = clock.now()
    if incident.reference is None or (not incident.is_sea and reference_is_sea(incident.reference)):
        # A first submission; or an SEA incident reclassified as CRSV, whose SEA number would
        # show the office how many SEA incidents it had (see incidents/reference_numbers.py).
        office = incident.field_office  # read with the lock, with its mission
        first = incident.submitted_at or now
        incident.reference = incident_reference_next(
            field_office=office, year=clock.office_date(office, first).year, sea=incident.is_sea
        )
        incident.submitted_at = first
    incident.status = transition_target(Action.SUBMIT)
    incident.updated_at = now
    full_clean_before_save(incident)
    incident.save()
    incident_step_record(
        actor=actor, incident=incident, action=Action.SUBMIT, from_status=from_status, request=request
    )
    return incident

"""Every write on a survivor case itself: intake, registration, edits, assignment."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Capability
from crsv.audit.services import audit_record
from crsv.keys.services import data_key_provision
from incidents.models import Incident
from survivors import blind_index, permissions
from survivors.identity import SurvivorIdentity
from survivors.models import (
    ENCRYPTED_FIELDS,
    Survivor,
    SurvivorIncident,
    SurvivorSearchEntry,
)
from survivors.notifications import survivor_notify_assigned
from survivors.permissions import CaseAction
from survivors.services.consents import ConsentGrant, consent_record
from survivors.validation import identity_validate, profile_validate


@dataclass(frozen=True)
class SurvivorProfile:
    """The non-identifying profile: what the incident track may copy, and statistics count."""

    sex: str = Survivor.Sex.UNKNOWN
    age: int | None = None
    age_band: str = Survivor.AgeBand.UNKNOWN
    disability: str = Survivor.Disability.UNKNOWN
    displacement_status: str = Survivor.Displacement.UNKNOWN
    interview_count: int = 0
    do_not_reinterview: bool = False


def age_band_for(age: int | None, chosen: str) -> str:
    """The age band follows the age when one is known; otherwise the band chosen."""
    if age is None:
        return chosen
    for upper, band in (
        (11, Survivor.AgeBand.CHILD_0_11),
        (17, Survivor.AgeBand.CHILD_12_17),
        (25, Survivor.AgeBand.ADULT_18_25),
        (40, Survivor.AgeBand.ADULT_26_40),
        (60, Survivor.AgeBand.ADULT_41_60),
    ):
        if age <= upper:
            return band
    return Survivor.AgeBand.ADULT_61


def _apply_profile(survivor: Survivor, profile: SurvivorProfile) -> None:
    survivor.sex = profile.sex
    survivor.age = profile.age
    survivor.age_band = age_band_for(profile.age, profile.age_band)
    survivor.disability = profile.disability
    survivor.displacement_status = profile.displacement_status
    survivor.interview_count = profile.interview_count
    survivor.do_not_reinterview = profile.do_not_reinterview


@transaction.atomic
def survivor_register(
    *,
    actor: User,
    field_office: FieldOffice,
    identity: SurvivorIdentity,
    profile: SurvivorProfile,
    incident: Incident | None = None,
    request: HttpRequest | None = None,
) -> Survivor:
    """Register a case at intake. A WPA (or senior WPA) who registers it owns it; a reporter's
    case waits for a WPA, and the reporter can read it until then."""
    if not permissions.can_register(actor, field_office):
        raise PermissionDenied(_("You may not register survivors for this field office."))
    if incident is not None and not Incident.objects.visible_to(actor).filter(pk=incident.pk).exists():
        raise PermissionDenied(_("You may not link this incident."))
    if incident is not None and incident.field_office_id != field_office.pk:
        raise ValidationError({"field_office": _("The case must belong to the incident's field office.")})
    identity_validate(identity)
    profile_validate(profile)
    survivor = Survivor(
        mission_id=field_office.mission_id,
        field_office=field_office,
        registered_by=actor,
        assigned_wpa=actor if actor.can(Capability.HOLD_SURVIVOR_CASES) else None,
    )
    _apply_profile(survivor, profile)
    data_key_provision(survivor)
    identity.write_to(survivor)
    survivor.full_clean(exclude=["data_key", "code"])
    survivor.save()
    _search_entries_replace(survivor, identity)
    if incident is not None:
        SurvivorIncident.objects.create(survivor=survivor, incident=incident, linked_by=actor)
    audit_record(actor=actor, action="survivor.register", obj=survivor, request=request)
    return survivor


@transaction.atomic
def survivor_update(
    *,
    actor: User,
    survivor: Survivor,
    identity: SurvivorIdentity,
    profile: SurvivorProfile,
    request: HttpRequest | None = None,
) -> Survivor:
    """Replace the case's identifying fields and profile (only its owner may)."""
    survivor = Survivor.objects.select_for_update().select_related("data_key").get(pk=survivor.pk)
    permissions.case_authorize(actor=actor, survivor=survivor, action=CaseAction.EDIT)
    identity_validate(identity)
    profile_validate(profile)
    _apply_profile(survivor, profile)
    identity.write_to(survivor)
    survivor.full_clean(exclude=["data_key", "code"])
    survivor.save()
    _search_entries_replace(survivor, identity)
    audit_record(actor=actor, action="survivor.update", obj=survivor, request=request)
    return survivor


PROFILE_FIELDS = tuple(f.name for f in dataclasses.fields(SurvivorProfile))


@transaction.atomic
def survivor_edit(
    *,
    actor: User,
    survivor: Survivor,
    changes: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> Survivor:
    """Change some fields of a case (identifying or profile); the others keep their value.

    The row is locked before the current values are read, so a concurrent edit of other fields
    is not overwritten with what was read here: the merge happens under the lock. `changes` holds
    field names of `SurvivorIdentity` and `SurvivorProfile` only (anything else is a bug: raised
    as ValueError, naming the fields, never a value)."""
    unknown = sorted(set(changes) - set(ENCRYPTED_FIELDS) - set(PROFILE_FIELDS))
    if unknown:
        raise ValueError(f"Not fields of a case: {', '.join(unknown)}")
    locked = Survivor.objects.select_for_update(of=("self",)).select_related("data_key").get(pk=survivor.pk)
    permissions.case_authorize(actor=actor, survivor=locked, action=CaseAction.EDIT)
    current = SurvivorIdentity.of(locked)
    identity = dataclasses.replace(current, **{k: v for k, v in changes.items() if k in ENCRYPTED_FIELDS})
    profile = SurvivorProfile(**{name: changes.get(name, getattr(locked, name)) for name in PROFILE_FIELDS})
    return survivor_update(actor=actor, survivor=locked, identity=identity, profile=profile, request=request)


@transaction.atomic
def survivor_assign(
    *, actor: User, survivor: Survivor, assignee: User, request: HttpRequest | None = None
) -> Survivor:
    """A senior WPA gives the case to a WPA of the case's field office."""
    survivor = Survivor.objects.select_for_update().get(pk=survivor.pk)
    permissions.case_authorize(actor=actor, survivor=survivor, action=CaseAction.ASSIGN)
    eligible = (
        assignee.is_active
        and assignee.can(Capability.HOLD_SURVIVOR_CASES)
        and survivor.field_office_id in assignee.office_ids()
    )
    if not eligible:
        raise ValidationError({"assignee": _("Choose a WPA of the case's field office.")})
    previous_id = survivor.assigned_wpa_id
    survivor.assigned_wpa = assignee
    survivor.save(update_fields=["assigned_wpa", "updated_at"])
    event = audit_record(actor=actor, action="survivor.assign", obj=survivor, request=request)
    survivor_notify_assigned(
        survivor=survivor,
        assignee=assignee,
        previous_id=previous_id,
        actor=actor,
        event=event,
        request=request,
    )
    return survivor


@transaction.atomic
def survivor_intake(
    *,
    actor: User,
    field_office: FieldOffice,
    identity: SurvivorIdentity,
    profile: SurvivorProfile,
    consents: list[ConsentGrant],
    incident: Incident | None = None,
    request: HttpRequest | None = None,
) -> Survivor:
    """Register a case and record the consents given at intake, all or nothing: the one intake
    of the page and the API. Every consent is checked (each in its own savepoint, so one
    refusal does not hide the next) and the refusals are raised together, by position, as
    `IntakeConsentErrors`; the registration then rolls back with them."""
    survivor = survivor_register(
        actor=actor,
        field_office=field_office,
        identity=identity,
        profile=profile,
        incident=incident,
        request=request,
    )
    refused: dict[int, ValidationError] = {}
    for index, grant in enumerate(consents):
        try:
            with transaction.atomic():
                consent_record(actor=actor, survivor=survivor, request=request, **grant.__dict__)
        except ValidationError as exc:
            refused[index] = exc
    if refused:
        raise IntakeConsentErrors(refused)
    return survivor


class IntakeConsentErrors(ValidationError):
    """The consents refused at intake, by their position in the list given (`by_index`)."""

    def __init__(self, by_index: dict[int, ValidationError]) -> None:
        super().__init__([message for error in by_index.values() for message in error.messages])
        self.by_index = by_index


def _search_entries_replace(survivor: Survivor, identity: SurvivorIdentity) -> None:
    SurvivorSearchEntry.objects.filter(survivor=survivor).delete()
    SurvivorSearchEntry.objects.bulk_create(
        SurvivorSearchEntry(survivor=survivor, kind=kind, digest=digest)
        for kind, digest in blind_index.entries(name=identity.name, phone=identity.phone)
    )

"""Every write on survivor cases and their consent ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from crsv.audit.services import audit_record
from crsv.keys.services import data_key_create
from incidents.models import Incident
from survivors import permissions
from survivors.identity import SurvivorIdentity, identity_decrypt, identity_encrypt
from survivors.models import Consent, ConsentText, Survivor, SurvivorIncident


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
    survivor = Survivor(
        mission_id=field_office.mission_id,
        field_office=field_office,
        registered_by=actor,
        assigned_wpa=actor if actor.has_role(Role.WPA, Role.SENIOR_WPA) else None,
    )
    _apply_profile(survivor, profile)
    data_key, plain = data_key_create()
    survivor.data_key = data_key
    identity_encrypt(survivor, identity, plain)
    survivor.full_clean(exclude=["data_key", "code"])
    survivor.save()
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
    if not permissions.can_edit(actor, survivor):
        raise PermissionDenied(_("You may not edit this case."))
    _apply_profile(survivor, profile)
    identity_encrypt(survivor, identity, survivor.data_key.unwrap())
    survivor.full_clean(exclude=["data_key", "code"])
    survivor.save()
    audit_record(actor=actor, action="survivor.update", obj=survivor, request=request)
    return survivor


@transaction.atomic
def survivor_assign(
    *, actor: User, survivor: Survivor, assignee: User, request: HttpRequest | None = None
) -> Survivor:
    """A senior WPA gives the case to a WPA of the case's field office."""
    survivor = Survivor.objects.select_for_update().get(pk=survivor.pk)
    if not permissions.can_assign(actor, survivor):
        raise PermissionDenied(_("Only a senior WPA of the mission may assign cases."))
    eligible = (
        assignee.is_active
        and assignee.has_role(Role.WPA, Role.SENIOR_WPA)
        and survivor.field_office_id in assignee.office_ids()
    )
    if not eligible:
        raise ValidationError({"assignee": _("Choose a WPA of the case's field office.")})
    survivor.assigned_wpa = assignee
    survivor.save(update_fields=["assigned_wpa", "updated_at"])
    audit_record(actor=actor, action="survivor.assign", obj=survivor, request=request)
    return survivor


@transaction.atomic
def survivor_link_incident(
    *, actor: User, survivor: Survivor, incident: Incident, request: HttpRequest | None = None
) -> SurvivorIncident:
    if not permissions.can_edit(actor, survivor):
        raise PermissionDenied(_("You may not edit this case."))
    if not Incident.objects.visible_to(actor).filter(pk=incident.pk).exists():
        raise PermissionDenied(_("You may not link this incident."))
    link, _created = SurvivorIncident.objects.get_or_create(
        survivor=survivor, incident=incident, defaults={"linked_by": actor}
    )
    audit_record(actor=actor, action="survivor.link_incident", obj=survivor, request=request)
    return link


def survivor_identity(*, survivor: Survivor) -> SurvivorIdentity:
    """Decrypt for a service that needs the values (e.g. to pre-fill an edit form).

    Callers that show the values must go through `selectors.survivor_reveal` instead, which
    writes the access events.
    """
    return identity_decrypt(survivor)


@transaction.atomic
def consent_record(
    *,
    actor: User,
    survivor: Survivor,
    purpose: str,
    given_by: str,
    method: str,
    explained_in: str,
    consent_text: ConsentText,
    given_at: datetime | None = None,
    expires_at: datetime | None = None,
    service_type: str = "",
    organisation: str = "",
    child_assent: bool = False,
    request: HttpRequest | None = None,
) -> Consent:
    """Append a grant to the ledger. A child's consent is given by a caregiver with the child's
    assent; an adult gives her own."""
    if not permissions.can_record_consent(actor, survivor):
        raise PermissionDenied(_("You may not record consent for this case."))
    errors: dict[str, str] = {}
    if survivor.is_child:
        if given_by != Consent.GivenBy.CAREGIVER:
            errors["given_by"] = _("For a child, consent is given by a caregiver.")
        elif not child_assent:
            errors["child_assent"] = _("The child's assent is required as well.")
    elif given_by != Consent.GivenBy.SURVIVOR:
        errors["given_by"] = _("An adult survivor gives her or his own consent.")
    if consent_text.retired_at is not None:
        errors["consent_text"] = _("This consent text version is retired; use the current one.")
    if errors:
        raise ValidationError(errors)
    consent = Consent(
        survivor=survivor,
        kind=Consent.Kind.GRANT,
        purpose=purpose,
        service_type=service_type if purpose == Consent.Purpose.REFERRAL else "",
        organisation=organisation.strip() if purpose == Consent.Purpose.SHARE_IDENTIFIABLE else "",
        given_by=given_by,
        child_assent=child_assent,
        method=method,
        explained_in=explained_in,
        consent_text=consent_text,
        given_at=given_at or timezone.now(),
        expires_at=expires_at,
        recorded_by=actor,
    )
    consent.full_clean()
    consent.save()
    audit_record(actor=actor, action="consent.record", obj=consent, request=request)
    return consent


@transaction.atomic
def consent_withdraw(*, actor: User, consent: Consent, request: HttpRequest | None = None) -> Consent:
    """Append the withdrawal of a grant; it takes effect on the next request."""
    grant = Consent.objects.select_for_update().select_related("survivor").get(pk=consent.pk)
    if not permissions.can_record_consent(actor, grant.survivor):
        raise PermissionDenied(_("You may not record consent for this case."))
    if grant.kind != Consent.Kind.GRANT:
        raise ValidationError(_("Only a consent given can be withdrawn."))
    if Consent.objects.filter(withdraws=grant).exists():
        raise ValidationError(_("This consent was already withdrawn."))
    withdrawal = Consent(
        survivor=grant.survivor,
        kind=Consent.Kind.WITHDRAWAL,
        purpose=grant.purpose,
        service_type=grant.service_type,
        organisation=grant.organisation,
        withdraws=grant,
        given_at=timezone.now(),
        recorded_by=actor,
    )
    withdrawal.full_clean()
    withdrawal.save()
    audit_record(actor=actor, action="consent.withdraw", obj=withdrawal, request=request)
    return withdrawal


@dataclass(frozen=True)
class ConsentGrant:
    """One consent to record at intake (see `consent_record` for the rules)."""

    purpose: str
    given_by: str
    method: str
    explained_in: str
    consent_text: ConsentText
    service_type: str = ""
    organisation: str = ""
    child_assent: bool = False
    given_at: datetime | None = None
    expires_at: datetime | None = None


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
    """Register a case and record the consents given at intake, all or nothing."""
    survivor = survivor_register(
        actor=actor,
        field_office=field_office,
        identity=identity,
        profile=profile,
        incident=incident,
        request=request,
    )
    for grant in consents:
        consent_record(actor=actor, survivor=survivor, request=request, **grant.__dict__)
    return survivor

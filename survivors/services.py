"""Every write on survivor cases and their consent ledger."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from crsv.audit.services import audit_record
from crsv.keys.services import data_key_destroy, data_key_provision
from incidents.models import Incident
from survivors import blind_index, permissions
from survivors.identity import SurvivorIdentity
from survivors.models import (
    ENCRYPTED_FIELDS,
    BreakGlass,
    Consent,
    ConsentText,
    ErasureReason,
    Survivor,
    SurvivorIncident,
    SurvivorSearchEntry,
    SurvivorUserObjectPermission,
)
from survivors.validation import consent_terms_errors, identity_validate, profile_validate


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
        assigned_wpa=actor if actor.has_role(Role.WPA, Role.SENIOR_WPA) else None,
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
    if not permissions.can_edit(actor, survivor):
        raise PermissionDenied(_("You may not edit this case."))
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
    if not permissions.can_edit(actor, locked):
        raise PermissionDenied(_("You may not edit this case."))
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
    return SurvivorIdentity.of(survivor)


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
    assent; an adult gives her own. The purpose, service, organisation and dates are checked by
    `survivors.validation.consent_terms_errors`, the same for every door."""
    if not permissions.can_record_consent(actor, survivor):
        raise PermissionDenied(_("You may not record consent for this case."))
    errors = consent_terms_errors(
        purpose=purpose,
        service_type=service_type,
        organisation=organisation,
        given_at=given_at,
        expires_at=expires_at,
    )
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
        service_type=service_type,
        organisation=organisation.strip(),
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


def _search_entries_replace(survivor: Survivor, identity: SurvivorIdentity) -> None:
    SurvivorSearchEntry.objects.filter(survivor=survivor).delete()
    SurvivorSearchEntry.objects.bulk_create(
        SurvivorSearchEntry(survivor=survivor, kind=kind, digest=digest)
        for kind, digest in blind_index.entries(name=identity.name, phone=identity.phone)
    )


@transaction.atomic
def survivor_grant(
    *,
    actor: User,
    survivor: Survivor,
    grantee: User,
    expires_at: datetime | None = None,
    request: HttpRequest | None = None,
) -> SurvivorUserObjectPermission:
    """A senior WPA gives a WPA or a reporter full access to one case, optionally until a time."""
    if not permissions.can_grant(actor, survivor):
        raise PermissionDenied(_("Only a senior WPA of the mission may grant access to a case."))
    errors = {}
    if not (grantee.is_active and grantee.has_role(Role.WPA, Role.REPORTER)):
        errors["grantee"] = _("Access can be granted to an active WPA or reporter only.")
    elif survivor.mission_id not in grantee.mission_ids():
        errors["grantee"] = _("This person works for another mission.")
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = _("The expiry must be in the future.")
    if errors:
        raise ValidationError(errors)
    permission = Permission.objects.get(content_type__app_label="survivors", codename="access_case")
    grant, _created = SurvivorUserObjectPermission.objects.update_or_create(
        user=grantee,
        permission=permission,
        content_object=survivor,
        defaults={"granted_by": actor, "expires_at": expires_at},
    )
    audit_record(actor=actor, action="survivor.grant", obj=survivor, request=request)
    return grant


@transaction.atomic
def survivor_revoke(
    *, actor: User, survivor: Survivor, grantee: User, request: HttpRequest | None = None
) -> None:
    """End a grant now: the grantee's next request no longer finds the case."""
    if not permissions.can_grant(actor, survivor):
        raise PermissionDenied(_("Only a senior WPA of the mission may revoke access to a case."))
    deleted, _rows = SurvivorUserObjectPermission.objects.filter(
        content_object=survivor, user=grantee
    ).delete()
    if not deleted:
        raise ValidationError({"grantee": _("This person has no grant on this case.")})
    audit_record(actor=actor, action="survivor.revoke", obj=survivor, request=request)


@transaction.atomic
def survivor_break_glass(
    *, actor: User, survivor: Survivor, reason: str, request: HttpRequest | None = None
) -> BreakGlass:
    """A senior WPA opens a case outside her grants, for `BREAK_GLASS_DURATION`, stating why.
    Audited, and shown to the mission's other senior WPAs."""
    if not permissions.can_break_glass(actor, survivor):
        raise PermissionDenied(_("Only a senior WPA of the mission may break the glass."))
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError({"reason": _("State the reason in a sentence (at least 10 characters).")})
    survivor = Survivor.objects.select_related("data_key").get(pk=survivor.pk)
    access = BreakGlass(
        user=actor, survivor=survivor, expires_at=timezone.now() + settings.BREAK_GLASS_DURATION
    )
    access.reason = reason
    access.save()
    audit_record(actor=actor, action="survivor.break_glass", obj=survivor, request=request)
    return access


@transaction.atomic
def survivor_erase(
    *, actor: User, survivor: Survivor, reason: str, request: HttpRequest | None = None
) -> Survivor:
    """Crypto-shred a case: destroy its data key and its blind-index entries. Every encrypted
    field (and break-glass reason) becomes unreadable everywhere, backups included once the
    master key of their epoch is retired; the code, the non-identifying profile and the incident
    statistics remain. Audited; the reason is a choice, never free text."""
    survivor = Survivor.objects.select_for_update().select_related("data_key").get(pk=survivor.pk)
    if survivor.erased_at is not None:
        raise ValidationError(_("This case is already erased."))
    if not permissions.can_erase(actor, survivor):
        raise PermissionDenied(_("Only a senior WPA of the mission may erase a case."))
    if reason not in ErasureReason.values:
        raise ValidationError({"reason": _("Choose why the case is erased.")})
    data_key_destroy(data_key=survivor.data_key)
    SurvivorSearchEntry.objects.filter(survivor=survivor).delete()
    SurvivorUserObjectPermission.objects.filter(content_object=survivor).delete()
    survivor.erased_at = timezone.now()
    survivor.erasure_reason = reason
    survivor.save(update_fields=["erased_at", "erasure_reason", "updated_at"])
    audit_record(actor=actor, action="survivor.erase", obj=survivor, request=request)
    return survivor

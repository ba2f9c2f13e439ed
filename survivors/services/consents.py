"""Every write on a case's consent ledger (append-only: grants and withdrawals)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from crsv.accounts.models import User
from crsv.audit.services import audit_record
from crsv.registry import consent_recorded_announce, consent_withdrawn_announce
from survivors import permissions
from survivors.models import (
    Consent,
    ConsentText,
    Survivor,
)
from survivors.permissions import CaseAction
from survivors.validation import consent_terms_errors


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
    provider: Any = None,
    request: HttpRequest | None = None,
) -> Consent:
    """Append a grant to the ledger. A child's consent is given by a caregiver with the child's
    assent; an adult gives her own. The purpose, service, provider, organisation and dates are
    checked by `survivors.validation.consent_terms_errors`, the same for every door.

    `provider` (an active `referrals.ServiceProvider` of the directory) names who the consent
    is for: optional for a referral (none: any provider of the type), required for a sharing
    consent, which takes the provider's name as its organisation."""
    permissions.case_authorize(actor=actor, survivor=survivor, action=CaseAction.RECORD_CONSENT)
    errors = consent_terms_errors(
        purpose=purpose,
        service_type=service_type,
        organisation=organisation,
        given_at=given_at,
        expires_at=expires_at,
        provider=provider,
    )
    if survivor.is_child:
        if given_by != Consent.GivenBy.CAREGIVER:
            errors["given_by"] = _("For a child, consent is given by a caregiver.")
        elif not child_assent:
            errors["child_assent"] = _("The child's assent is required as well.")
    elif given_by != Consent.GivenBy.SURVIVOR:
        errors["given_by"] = _("An adult survivor gives her or his own consent.")
    if provider is not None and purpose == Consent.Purpose.SHARE_IDENTIFIABLE:
        organisation = organisation or provider.name
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
        provider=provider,
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
    consent_recorded_announce(survivor=consent.survivor)  # the statistics flag (reports)
    return consent


@transaction.atomic
def consent_withdraw(*, actor: User, consent: Consent, request: HttpRequest | None = None) -> Consent:
    """Append the withdrawal of a grant; it takes effect on the next request."""
    grant = Consent.objects.select_for_update().select_related("survivor").get(pk=consent.pk)
    permissions.case_authorize(actor=actor, survivor=grant.survivor, action=CaseAction.RECORD_CONSENT)
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
        provider_id=grant.provider_id,
        withdraws=grant,
        given_at=timezone.now(),
        recorded_by=actor,
    )
    withdrawal.full_clean()
    withdrawal.save()
    audit_record(actor=actor, action="consent.withdraw", obj=withdrawal, request=request)
    # What relied on the grant ends with it, in this transaction (referrals: revoked).
    consent_withdrawn_announce(consent=grant, actor=actor, request=request)
    consent_recorded_announce(survivor=grant.survivor)  # the statistics flag (reports)
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
    provider: Any = None  # a `referrals.ServiceProvider` of the directory (survivors imports no referrals)

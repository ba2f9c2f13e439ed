"""Creating and sending a referral: the case worker's use cases, where consent is checked."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import Incident
from referrals import permissions
from referrals.models import LinkStep, Referral, ReferralEvent, ServiceProvider, ServiceType
from referrals.reference_numbers import referral_reference_next
from referrals.services.link_tokens import answer_link_issue
from referrals.services.steps import (
    NOTE_MAX_LENGTH,
    referral_due,
    referral_move,
    referral_step_begin,
    referral_step_record,
    text_validate,
)
from survivors.consent import consent_relied_on
from survivors.models import Consent, Survivor, SurvivorIncident

Action = ReferralEvent.Action


def _create_errors(
    *,
    survivor: Survivor,
    provider: ServiceProvider,
    service_type: str,
    urgency: str,
    incident: Incident | None,
) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if survivor.erased_at is not None:
        errors["survivor"] = [_("This survivor's case was erased.")]
    if service_type not in ServiceType.values:
        errors["service_type"] = [_("Choose a service type.")]
    if urgency not in Referral.Urgency.values:
        errors["urgency"] = [_("Choose an urgency.")]
    if not provider.active:
        errors["provider"] = [_("This provider is no longer active.")]
    elif "service_type" not in errors and not provider.offers(service_type):
        errors["provider"] = [_("This provider does not offer this service.")]
    elif not provider.field_offices.filter(pk=survivor.field_office_id).exists():
        errors["provider"] = [_("This provider does not serve the case's field office.")]
    if (
        incident is not None
        and not SurvivorIncident.objects.filter(survivor=survivor, incident_id=incident.pk).exists()
    ):
        errors["incident"] = [_("This incident is not linked to the survivor's case.")]
    return errors


@transaction.atomic
def referral_create(
    *,
    actor: Any,
    survivor: Survivor,
    provider: ServiceProvider,
    service_type: str,
    urgency: str,
    incident: Incident | None = None,
    note: str = "",
    send: bool = False,
    request: HttpRequest | None = None,
) -> Referral:
    """Refer `survivor` to `provider` for `service_type`: a draft, or sent at once (`send`,
    which checks consent as `referral_send` does; without it nothing is created).

    Raises Http404 when the case is out of the actor's scope, PermissionDenied unless she may
    refer it (a WPA who may edit the case, a senior WPA of its mission), ValidationError keyed
    by field otherwise: an erased case; an unknown service type or urgency; a provider that is
    inactive, does not offer the service or does not serve the case's office; an incident not
    linked to the case; a note too long; and, when sending, no consent."""
    if not Survivor.objects.visible_to(actor).filter(pk=survivor.pk).exists():
        raise Http404("No survivor matches the given query.")
    permissions.refer_authorize(actor, survivor)
    errors = _create_errors(
        survivor=survivor, provider=provider, service_type=service_type, urgency=urgency, incident=incident
    )
    note = text_validate(errors, "note", note, limit=NOTE_MAX_LENGTH, required=False)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    office = survivor.field_office
    referral = Referral(
        reference=referral_reference_next(field_office=office, at=now),
        survivor=survivor,
        provider=provider,
        service_type=service_type,
        urgency=urgency,
        incident=incident,
        due_at=referral_due(urgency, sent_at=now),  # provisional: counted again from sending
        created_by=actor,
    )
    referral.note = note  # encrypted under the case's data key (Referral.note)
    referral.save()
    referral_step_record(actor=actor, referral=referral, action=Action.CREATE, from_state="", request=request)
    if send:
        return referral_send(actor=actor, referral=referral, request=request)
    return referral


def consent_for_referral(referral: Referral) -> Consent:
    """The referral consent in force for the referral's service type and provider (naming it,
    or none), or a ValidationError on `consent` that names what is missing."""
    consent = consent_relied_on(
        survivor=referral.survivor,
        purpose=Consent.Purpose.REFERRAL,
        service_type=referral.service_type,
        provider=referral.provider,
    )
    if consent is None:
        raise ValidationError(
            {
                "consent": [
                    ValidationError(
                        _(
                            "No referral consent in force for %(service_type)s services with "
                            "%(provider)s: record the survivor's consent to a referral for this "
                            "service type (naming this provider, or any provider) first."
                        ),
                        code="consent_missing",
                        params={
                            "service_type": ServiceType(referral.service_type).label.lower(),
                            "provider": referral.provider.name,
                        },
                    )
                ]
            }
        )
    return consent


@transaction.atomic
def referral_send(*, actor: Any, referral: Referral, request: HttpRequest | None = None) -> Referral:
    """Send a draft to its provider, once consent allows it at this moment: the referral
    records the consent row it relied on, and is due from now by its urgency. Without consent,
    a ValidationError on `consent` naming the service type and provider, and nothing is sent.
    The provider must still be active."""
    locked = referral_step_begin(actor=actor, referral=referral, action=Action.SEND)
    if not locked.provider.active:
        raise ValidationError({"provider": [_("This provider is no longer active.")]})
    consent = consent_for_referral(locked)
    now = timezone.now()
    sent = referral_move(
        actor=actor,
        referral=locked,
        action=Action.SEND,
        request=request,
        consent=consent,
        sent_at=now,
        due_at=referral_due(locked.urgency, sent_at=now),
    )
    # The provider's contact address answers by a one-time link (in the `referral.sent` e-mail).
    if sent.provider.contact_email:
        answer_link_issue(sent, LinkStep.ANSWER)
    return sent

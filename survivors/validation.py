"""The limits and checks of a case's fields and of a consent: one set for every door.

The services enforce them (`survivor_register`, `survivor_update`, `consent_record`), so a page,
the API or any later caller is held to the same rules. The forms and serializers attach the same
validators to their fields, only so that each refusal is reported beside its field together
with the others; they add no rule of their own. No message repeats the value sent.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from survivors.identity import SurvivorIdentity
from survivors.models import Consent, Survivor

# The longest value each identifying field takes, in characters.
IDENTITY_MAX_LENGTHS: dict[str, int] = {
    "name": 200,
    "date_of_birth": 10,
    "phone": 50,
    "address": 500,
    "caregiver": 200,
    "safe_contact_method": 300,
    "safe_contact_times": 200,
    "notes": 20_000,
}
AGE_MAX = 120  # also a database constraint (survivor_age_plausible)
INTERVIEW_COUNT_MAX = 100
# No date a case or a consent records is older than this.
EARLIEST_DATE = date(1900, 1, 1)


def date_in_range_validate(value: date) -> None:
    """A past date, not before `EARLIEST_DATE` (a date of birth, a consent's date)."""
    if value > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="future")
    if value < EARLIEST_DATE:
        raise ValidationError(_("The date cannot be before 1900."), code="too_early")


def date_of_birth_validate(value: str) -> None:
    """Empty, or an ISO date (`YYYY-MM-DD`) within `date_in_range_validate`."""
    if value == "":
        return
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        born = date.fromisoformat(value)
    except ValueError:
        raise ValidationError(_("Enter a date as YYYY-MM-DD, or leave it empty."), code="invalid") from None
    date_in_range_validate(born)


def _too_long(limit: int, length: int) -> str:
    return gettext("At most %(limit)d characters (this has %(length)d).") % {"limit": limit, "length": length}


def identity_validate(identity: SurvivorIdentity) -> None:
    """Every identifying field within its limit; the date of birth a real, past date."""
    errors: dict[str, list[str]] = {}
    for name, value in identity.as_dict().items():
        if len(value) > IDENTITY_MAX_LENGTHS[name]:
            errors.setdefault(name, []).append(_too_long(IDENTITY_MAX_LENGTHS[name], len(value)))
    if not identity.name.strip():
        errors.setdefault("name", []).append(gettext("The name is required."))
    if "date_of_birth" not in errors:
        try:
            date_of_birth_validate(identity.date_of_birth)
        except ValidationError as error:
            errors["date_of_birth"] = list(error.messages)
    if errors:
        raise ValidationError(errors)


def profile_validate(profile: Any) -> None:
    """The non-identifying profile (a `services.SurvivorProfile`): known choices, plausible numbers."""
    errors: dict[str, str] = {}
    choices = {
        "sex": Survivor.Sex,
        "age_band": Survivor.AgeBand,
        "disability": Survivor.Disability,
        "displacement_status": Survivor.Displacement,
    }
    for name, enum in choices.items():
        if getattr(profile, name) not in enum.values:
            errors[name] = gettext("Not a valid choice.")
    if profile.age is not None and not 0 <= profile.age <= AGE_MAX:
        errors["age"] = gettext("The age is between 0 and %(max)d.") % {"max": AGE_MAX}
    if not 0 <= profile.interview_count <= INTERVIEW_COUNT_MAX:
        errors["interview_count"] = gettext("The number of interviews is between 0 and %(max)d.") % {
            "max": INTERVIEW_COUNT_MAX
        }
    if errors:
        raise ValidationError(errors)


def consent_terms_errors(
    *,
    purpose: str,
    service_type: str = "",
    organisation: str = "",
    given_at: datetime | None = None,
    expires_at: datetime | None = None,
    provider: Any = None,
) -> dict[str, str]:
    """What is wrong with a consent's purpose, service, provider, organisation and dates, by
    field (empty: nothing). `given_at` None means now.

    `provider` is a `referrals.ServiceProvider` of the directory (or None). A referral consent
    may name one that offers its service (none: any provider of the type); a sharing consent
    must name one (its name becomes the organisation). The free-text organisation of the
    sharing consents recorded before the directory stays in the ledger, but a new sharing
    consent without a provider would share with no one, so it is refused."""
    errors: dict[str, str] = {}
    referral = purpose == Consent.Purpose.REFERRAL
    sharing = purpose == Consent.Purpose.SHARE_IDENTIFIABLE
    if referral and not service_type:
        errors["service_type"] = gettext("Choose the service the referral is for.")
    elif service_type and not referral:
        errors["service_type"] = gettext("A service type goes with a referral consent only.")
    if sharing and provider is None:
        errors["provider"] = gettext("Choose the provider the identifiable data may be shared with.")
    elif provider is not None:
        if not (referral or sharing):
            errors["provider"] = gettext("Only a referral or a sharing consent names a provider.")
        elif not provider.active:
            errors["provider"] = gettext("This provider is no longer active in the directory.")
        elif referral and service_type and service_type not in provider.service_types:
            errors["provider"] = gettext("This provider does not offer this service.")
    if organisation.strip() and not sharing:
        errors["organisation"] = gettext(
            "An organisation goes with a consent to share identifiable data only."
        )
    # A `given_at` ahead of now is allowed: the ledger knows consents that start later ("not_yet").
    if given_at is not None and given_at.date() < EARLIEST_DATE:
        errors["given_at"] = gettext("The date cannot be before 1900.")
    if expires_at is not None and expires_at <= (given_at or timezone.now()):
        errors["expires_at"] = gettext("A consent must expire after it was given.")
    return errors

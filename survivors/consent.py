"""The one answer to "may this happen now?" for a survivor's data: `consent_allows`.

Every feature that uses, shares, refers or counts a survivor calls it at the moment of use, so a
withdrawal recorded a second ago takes effect on the next request. `consent_grants_in_force` is
the same rule as a queryset, for a selector that asks it of many rows in one query.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from survivors.models import Consent, Survivor

_CHILD_BANDS = (Survivor.AgeBand.CHILD_0_11, Survivor.AgeBand.CHILD_12_17)
# `Survivor.is_child`, on the consent's survivor, in SQL.
_CHILD = Q(survivor__age__lt=18) | Q(survivor__age__isnull=True, survivor__age_band__in=_CHILD_BANDS)


def consent_grants_in_force(
    *,
    purpose: str,
    at: datetime | None = None,
    service_type: str = "",
    provider: Any = None,
    organisation: str = "",
) -> QuerySet[Consent]:
    """The grants for `purpose` in force at `at` (default: now), of live cases, given by the
    right person (a child's by a caregiver with the child's assent, an adult's by herself);
    filter by survivor yourself. `provider` may be a provider, its id, or an `OuterRef`.

    - referral: for `service_type`; with a `provider`, the grants naming that provider or none
      (any provider of the type); without one, only the grants naming none.
    - share_identifiable: with a `provider`, only the grants naming that very provider; else
      the free-text `organisation` of the grants recorded before the directory (a legacy
      question: a grant that names no provider shares with no provider).
    """
    at = at or timezone.now()
    provider_id = getattr(provider, "pk", provider)
    grants = Consent.objects.filter(
        kind=Consent.Kind.GRANT, purpose=purpose, given_at__lte=at, survivor__erased_at__isnull=True
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))
    if purpose == Consent.Purpose.REFERRAL:
        grants = grants.filter(service_type=service_type)
        if provider_id is None:
            grants = grants.filter(provider__isnull=True)
        else:
            grants = grants.filter(Q(provider__isnull=True) | Q(provider_id=provider_id))
    if purpose == Consent.Purpose.SHARE_IDENTIFIABLE:
        if provider_id is not None:
            grants = grants.filter(provider_id=provider_id)
        else:
            grants = grants.filter(organisation__iexact=organisation.strip())
    by_right_person = (_CHILD & Q(given_by=Consent.GivenBy.CAREGIVER, child_assent=True)) | (
        ~_CHILD & Q(given_by=Consent.GivenBy.SURVIVOR)
    )
    withdrawn = Consent.objects.filter(withdraws=OuterRef("pk"), given_at__lte=at)
    return grants.filter(by_right_person).filter(~Exists(withdrawn))


def consent_allows(
    *,
    survivor: Survivor,
    purpose: str,
    service_type: str = "",
    organisation: str = "",
    provider: Any = None,
    at: datetime | None = None,
) -> bool:
    """True when a grant for `purpose` is in force at `at` (default: now): given, not expired,
    not withdrawn, and given by the right person (a child's consent is a caregiver's with the
    child's assent; an adult's is her own). See `consent_grants_in_force` for what a referral
    (`service_type`, `provider`) and a sharing (`provider`, or a legacy `organisation`) need.

    An erased case allows nothing.
    """
    return (
        consent_relied_on(
            survivor=survivor,
            purpose=purpose,
            service_type=service_type,
            organisation=organisation,
            provider=provider,
            at=at,
        )
        is not None
    )


def consent_relied_on(
    *,
    survivor: Survivor,
    purpose: str,
    service_type: str = "",
    organisation: str = "",
    provider: Any = None,
    at: datetime | None = None,
) -> Consent | None:
    """The grant `consent_allows` would rely on (the newest in force), or None. A grant that
    names the provider is preferred to one for any provider of the type."""
    if survivor.erased_at is not None:
        return None
    grants = consent_grants_in_force(
        purpose=purpose, at=at, service_type=service_type, provider=provider, organisation=organisation
    ).filter(survivor=survivor)
    return grants.order_by("provider_id", "-given_at", "-id").first()


def consent_status(consent: Consent, *, at: datetime | None = None) -> str:
    """`active`, `expired`, `withdrawn` or `not_yet` for a grant (for display)."""
    at = at or timezone.now()
    withdrawal = getattr(consent, "withdrawal", None)
    if withdrawal is not None and withdrawal.given_at <= at:
        return "withdrawn"
    if consent.given_at > at:
        return "not_yet"
    if consent.expires_at is not None and consent.expires_at <= at:
        return "expired"
    return "active"

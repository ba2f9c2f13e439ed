"""The one answer to "may this happen now?" for a survivor's data: `consent_allows`.

Every feature that uses, shares, refers or counts a survivor calls it at the moment of use, so a
withdrawal recorded a second ago takes effect on the next request.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from survivors.models import Consent, Survivor


def consent_allows(
    *,
    survivor: Survivor,
    purpose: str,
    service_type: str = "",
    organisation: str = "",
    at: datetime | None = None,
) -> bool:
    """True when a grant for `purpose` (and the given service type or organisation) is in force
    at `at` (default: now): given, not expired, not withdrawn, and given by the right person (a
    child's consent is a caregiver's with the child's assent; an adult's is her own).

    An erased case allows nothing.
    """
    if survivor.erased_at is not None:
        return False
    at = at or timezone.now()
    grants = Consent.objects.filter(
        survivor=survivor, kind=Consent.Kind.GRANT, purpose=purpose, given_at__lte=at
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))
    if purpose == Consent.Purpose.REFERRAL:
        grants = grants.filter(service_type=service_type)
    if purpose == Consent.Purpose.SHARE_IDENTIFIABLE:
        grants = grants.filter(organisation__iexact=organisation.strip())
    if survivor.is_child:
        grants = grants.filter(given_by=Consent.GivenBy.CAREGIVER, child_assent=True)
    else:
        grants = grants.filter(given_by=Consent.GivenBy.SURVIVOR)
    withdrawn = Consent.objects.filter(withdraws=OuterRef("pk"), given_at__lte=at)
    return grants.filter(~Exists(withdrawn)).exists()


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

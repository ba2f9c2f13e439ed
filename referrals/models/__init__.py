"""The referrals app's models: the service directory and the referrals (DESIGN §4)."""

from __future__ import annotations

from referrals.models.links import LinkStep, ReferralAnswerLink
from referrals.models.membership import provider_id_of
from referrals.models.providers import Language, ProviderMembership, ServiceProvider, ServiceType
from referrals.models.referral import Referral, ReferralEvent, ReferralQuerySet, ReferralReferenceCounter

__all__ = [
    "Language",
    "LinkStep",
    "ProviderMembership",
    "Referral",
    "ReferralAnswerLink",
    "ReferralEvent",
    "ReferralQuerySet",
    "ReferralReferenceCounter",
    "ServiceProvider",
    "ServiceType",
    "provider_id_of",
]

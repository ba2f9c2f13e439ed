"""The referrals API's serializers: one input per operation (`inputs`), and the outputs: the
case worker's full view and the provider's minimal one (`outputs`)."""

from __future__ import annotations

from referrals.api.serializers.inputs import (
    ProviderListQuery,
    ReferralCreateInput,
    ReferralListQuery,
    ReferralTransitionActionInput,
    ReferralTransitionInput,
)
from referrals.api.serializers.outputs import (
    ProviderDetailOutput,
    ProviderOutput,
    ProviderPageOutput,
    ProviderReferralDetailOutput,
    ProviderReferralRowOutput,
    ReferralDetailOutput,
    ReferralDetailSchema,
    ReferralPageOutput,
    ReferralRowOutput,
)

__all__ = [
    "ProviderDetailOutput",
    "ProviderListQuery",
    "ProviderOutput",
    "ProviderPageOutput",
    "ProviderReferralDetailOutput",
    "ProviderReferralRowOutput",
    "ReferralCreateInput",
    "ReferralDetailOutput",
    "ReferralDetailSchema",
    "ReferralListQuery",
    "ReferralPageOutput",
    "ReferralRowOutput",
    "ReferralTransitionActionInput",
    "ReferralTransitionInput",
]

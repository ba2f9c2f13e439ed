"""The access review's column of referrals (crsv.registry.AccessReviewColumn): the service
provider organisation a provider user answers referrals for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.translation import gettext_lazy as _

from crsv.registry import AccessReviewColumn, access_review_column_register
from referrals.models import ProviderMembership


def provider_organisations(user_ids: Sequence[int]) -> Mapping[int, str]:
    """{user id: her organisation's name} for the provider users among `user_ids`; one query."""
    rows = ProviderMembership.objects.filter(user_id__in=list(user_ids)).values_list(
        "user_id", "provider__name"
    )
    return dict(rows)


def referral_access_review_register() -> None:
    access_review_column_register(
        AccessReviewColumn(
            name="referrals.organisation", label=_("Organisation"), values=provider_organisations, order=20
        )
    )

"""Which provider a user works for (read once per request, like her roles and offices)."""

from __future__ import annotations

from typing import Any

from referrals.models.providers import ProviderMembership


def provider_id_of(user: Any) -> int | None:
    """The service provider `user` works for (`ProviderMembership`), read once and kept on the
    user instance like her roles and offices; None for a user of no provider."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_provider_id"):
        user._provider_id = (
            ProviderMembership.objects.filter(user_id=user.pk).values_list("provider_id", flat=True).first()
        )
    provider_id: int | None = user._provider_id
    return provider_id

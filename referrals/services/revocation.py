"""Withdrawal revokes (issue 10 item 4): the referrals relying on a withdrawn consent end with it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from referrals.models import Referral, ReferralEvent
from referrals.services.steps import referral_move
from survivors.models import Consent


@transaction.atomic
def referrals_revoke_for_consent(
    *, consent: Consent, actor: Any = None, request: HttpRequest | None = None
) -> list[Referral]:
    """Revoke every open referral that relied on `consent` (the grant just withdrawn), and only
    those, in the withdrawing transaction; each gets a `revoke` event (by the user who recorded
    the withdrawal) and an audit row. The system's action, never a user's: subscribed to
    `crsv.registry.consent_withdrawn_announce` by `ReferralsConfig.ready()`, not offered by
    `referral_transition`. Returns the referrals revoked."""
    relying = list(
        Referral.objects.filter(consent_id=consent.pk, state__in=Referral.OPEN_STATES)
        .select_for_update()
        .order_by("id")
    )
    return [
        referral_move(actor=actor, referral=referral, action=ReferralEvent.Action.REVOKE, request=request)
        for referral in relying
    ]

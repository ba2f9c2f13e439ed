"""Every use case of referrals: `referral_<action>(*, actor, ...)`, each authorizing, validating,
locking, writing, recording the history and auditing, in one transaction."""

from __future__ import annotations

from referrals.services.responses import (
    referral_accept,
    referral_cancel,
    referral_complete,
    referral_decline,
    referral_start,
)
from referrals.services.revocation import referrals_revoke_for_consent
from referrals.services.sending import consent_for_referral, referral_create, referral_send
from referrals.services.steps import NOTE_MAX_LENGTH, REASON_MAX_LENGTH, referral_due
from referrals.services.transitions import referral_transition, transition_inputs

__all__ = [
    "NOTE_MAX_LENGTH",
    "REASON_MAX_LENGTH",
    "consent_for_referral",
    "referral_accept",
    "referral_cancel",
    "referral_complete",
    "referral_create",
    "referral_decline",
    "referral_due",
    "referral_send",
    "referral_start",
    "referral_transition",
    "referrals_revoke_for_consent",
    "transition_inputs",
]

"""The choice lists of referrals, beside the models (so that the querysets need no model)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferralState(models.TextChoices):
    """Where a referral is in its workflow (`referrals.workflow`)."""

    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    REVOKED = "revoked", _("Revoked (consent withdrawn)")


class ReferralUrgency(models.TextChoices):
    """How soon the service must begin (the due times: settings.REFERRAL_DUE)."""

    EMERGENCY = "emergency", _("Emergency")
    HIGH = "high", _("High")
    ROUTINE = "routine", _("Routine")


# Open: a state the workflow can still move on from.
OPEN_STATES = frozenset(
    {ReferralState.DRAFT, ReferralState.SENT, ReferralState.ACCEPTED, ReferralState.IN_PROGRESS}
)
# Waiting for the service to begin: past `due_at` in one of these, a referral is overdue.
AWAITING_STATES = frozenset({ReferralState.SENT, ReferralState.ACCEPTED})


class ReferralAction(models.TextChoices):
    """What was done to a referral (each a row of `referrals.workflow.TRANSITIONS`)."""

    CREATE = "create", _("Created")
    SEND = "send", _("Sent")
    ACCEPT = "accept", _("Accepted")
    DECLINE = "decline", _("Declined")
    START = "start", _("Service started")
    COMPLETE = "complete", _("Completed")
    CANCEL = "cancel", _("Cancelled")
    REVOKE = "revoke", _("Revoked: consent withdrawn")

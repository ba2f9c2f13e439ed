"""One-time answer links: how a provider without an account answers a referral from its e-mail."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from referrals.models.referral import Referral


class LinkStep(models.TextChoices):
    """Which step of the workflow a link answers (`referrals.services.links.STEP_ACTIONS`)."""

    ANSWER = "answer", _("Accept or decline")
    COMPLETE = "complete", _("Record the service given")


class ReferralAnswerLink(models.Model):
    """A signed, expiring, one-time link e-mailed to a provider's contact address for one step
    of one referral: accept or decline it (`answer`), then, once accepted, record the service
    given (`complete`).

    The token is never stored: it is derived from this row's `public_id` under the server's
    secret key (`referrals.services.link_tokens`), so the e-mail can be rendered at delivery
    (and rendered the same on a resend) without the outbox holding it. Only its SHA-256 is kept
    (`token_hash`), for the lookup: a database copy alone opens no link. One link per referral
    and step; `used_at` is set in the transaction of the move it made (`used_for`)."""

    Step = LinkStep

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(
        Referral,
        on_delete=models.PROTECT,
        related_name="answer_links",
        db_index=False,  # led by referralanswerlink_one_per_step
    )
    step = models.CharField(_("step"), max_length=12, choices=LinkStep.choices)
    token_hash = models.CharField(_("token hash"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    used_for = models.CharField(_("used for"), max_length=12, blank=True)  # the move it made

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("answer link")
        verbose_name_plural = _("answer links")
        constraints = [
            models.UniqueConstraint(fields=["token_hash"], name="referralanswerlink_token_hash_unique"),
            models.UniqueConstraint(fields=["referral", "step"], name="referralanswerlink_one_per_step"),
            models.CheckConstraint(
                condition=Q(step__in=[value for value, _label in LinkStep.choices]),
                name="referralanswerlink_step_known",
            ),
            models.CheckConstraint(
                condition=Q(token_hash__regex=r"^[0-9a-f]{64}$"),  # noqa: S106  (a pattern, not a secret)
                name="referralanswerlink_hash_is_sha256",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="referralanswerlink_expires_after_created",
            ),
            models.CheckConstraint(
                condition=Q(used_at__isnull=True, used_for="") | (Q(used_at__isnull=False) & ~Q(used_for="")),
                name="referralanswerlink_used_with_move",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step} {self.public_id}"  # never the token

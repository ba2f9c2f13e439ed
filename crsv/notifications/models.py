"""The notification outbox: one row per recipient and event, delivered at least once."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from crsv.accounts.models import User


class NotificationQuerySet(models.QuerySet["Notification"]):
    def visible_to(self, user: User) -> NotificationQuerySet:
        """A user's own in-app notifications; no role sees anyone else's."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(recipient=user)

    def failed_visible_to(self, user: User) -> NotificationQuerySet:
        """The failed deliveries a senior WPA must see: those of her missions' objects."""
        from crsv.accounts.roles import Capability

        if not user.is_authenticated or not user.can(Capability.SEE_FAILED_NOTIFICATIONS):
            return self.none()
        missions = user.field_offices.values("mission_id")
        return self.filter(status=Notification.Status.FAILED, mission_id__in=missions)


class Notification(models.Model):
    """One message to one recipient about one event: shown in-app to a user recipient, and
    e-mailed to the user's address (if she has one) or to `recipient_email` (an organisation's
    contact address without an account).

    Written in the transaction of the change that causes it (`notification_enqueue`); delivered by
    `notification_deliver` after commit, or by the sweep. Holds ids only: `kind` names a
    registered `NotificationKind`, `object_type` + `object_public_id` name the object (like
    AuditEvent); the text is rendered at delivery, in `language`, never stored. `last_error` is a
    class name and an SMTP code, never the server's text.

    `idempotency_key` is unique: the same event never enqueues twice. The e-mail's Message-ID is
    derived from it, so the one resend a crash can cause carries the same Message-ID.

    Status: pending (due at `next_attempt_at`) -> sending (claimed until `claimed_until`; an
    expired claim is taken over) -> sent, or back to pending after a transient failure, or failed
    (a permanent failure, or the last attempt).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Users are deactivated, never deleted: CASCADE only ever runs on a test's or an admin's
    # deletion of an account, and takes her in-app list with it.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    recipient_email = models.EmailField(_("recipient e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    kind = models.CharField(_("kind"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_public_id = models.UUIDField(_("object id"), null=True, blank=True)
    # Whose failed deliveries a senior WPA sees (the object's mission); null: the platform's own.
    mission = models.ForeignKey(
        "accounts.Mission",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mission"),
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=255)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="notification_idempotency_key_unique"),
            models.CheckConstraint(
                condition=(Q(recipient__isnull=False) & Q(recipient_email=""))
                | (Q(recipient__isnull=True) & ~Q(recipient_email="")),
                name="notification_one_recipient",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "failed"]),
                name="notification_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(claimed_until__isnull=False),
                name="notification_sending_is_claimed",
            ),
        ]
        indexes = [
            # The sweep: due pending rows, and expired claims.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="notification_due",
            ),
            models.Index(
                fields=["claimed_until"],
                condition=Q(status="sending"),
                name="notification_claim_expiry",
            ),
            # A user's list (newest first) and her unread count.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_recipient_new"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["mission", "-created_at", "-id"],
                condition=Q(status="failed"),
                name="notification_failed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id}"

"""The audit trail: append-only; the database refuses UPDATE, DELETE and TRUNCATE on it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Who did what to which object, when and from where. Never a survivor value.

    `object_type` is a model label (e.g. `incidents.incident`) and `object_public_id` its UUID;
    nothing else about the object is stored, so the trail holds no survivor data. `changes`
    holds what a privilege change did, as names only (e.g. `{"roles": {"before": ["wpa"],
    "after": ["senior_wpa"]}}`): role and office names, flags; never a password, a secret or a
    survivor value.
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGOUT = "logout", _("Signed out")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        TOKEN_ISSUED = "token_issued", _("API token issued")
        TOKEN_REFUSED = "token_refused", _("API token refused")
        # Changes to a user's account made by an administrator (the admin site goes through
        # crsv.accounts.services); `changes` holds role and office names before and after.
        USER_CREATED = "user.created", _("User created")
        USER_CHANGED = "user.changed", _("User details changed")
        USER_ACCESS_CHANGED = "user.access_changed", _("User roles or field offices changed")
        USER_ACTIVATED = "user.activated", _("User activated")
        USER_DEACTIVATED = "user.deactivated", _("User deactivated")
        USER_PASSWORD_SET = "user.password_set", _("Password set by an administrator")
        USER_INVITED = "user.invited", _("User invited")
        INVITATION_ACCEPTED = "user.invitation_accepted", _("Invitation accepted")
        INVITATION_REVOKED = "user.invitation_revoked", _("Invitation revoked")
        TWO_FACTOR_RESET = "two_factor.reset", _("Second factor reset")
        SESSION_ENDED = "user.session_ended", _("Session ended by an administrator")
        SESSIONS_ENDED = "user.sessions_ended", _("All sessions and API tokens ended by an administrator")
        API_TOKEN_REVOKED = "user.token_revoked", _("API token revoked by an administrator")
        # By the beat tasks, with no actor: `changes` says why (the end date, the idle days).
        MEMBERSHIP_ENDED = "user.membership_ended", _("Field office membership ended")
        USER_IDLE_DEACTIVATED = "user.idle_deactivated", _("User deactivated after inactivity")
        ACCESS_REVIEW_EXPORTED = "access_review.exported", _("Access review exported")
        PROVIDER_USER_CHANGED = "provider.user_changed", _("Service provider's users changed")
        LOGIN_LOCKED_OUT = "login_locked_out", _("Sign-in locked out")
        LOGIN_UNLOCKED = "login_unlocked", _("Sign-in unlocked by an administrator")
        # A provider without an account answered a referral with a one-time e-mailed link (no
        # user); `changes` holds the move, the link's step and the link's public id.
        REFERRAL_ANSWERED_BY_LINK = "referral.answered_by_link", _("Referral answered by link")
        # The auditor's CSV export of the trail; `changes` holds the filters it was made with.
        AUDIT_EXPORTED = "audit.exported", _("Audit trail exported")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    occurred_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # DO_NOTHING: the row must never be updated, so no ON DELETE SET NULL; users are deactivated.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
        db_constraint=True,
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_public_id = models.UUIDField(_("object id"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["object_type", "object_public_id"], name="auditevent_object"),
            models.Index(fields=["actor", "-occurred_at"], name="auditevent_actor_time"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action}"


class AccessEvent(models.Model):
    """One survivor's identifying data shown to one user (or exported), written in the same
    transaction as the response that reveals it. Holds the survivor's public id, never a value.
    Append-only, like AuditEvent."""

    class Kind(models.TextChoices):
        VIEW = "view", _("Case viewed")
        LIST = "list", _("Shown in a list")
        EDIT = "edit", _("Shown for editing")
        SEARCH = "search", _("Shown in search results")
        API = "api", _("Returned by the API")
        EXPORT = "export", _("Exported")

    occurred_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", verbose_name=_("actor")
    )
    survivor_public_id = models.UUIDField(_("survivor"), db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("access event")
        verbose_name_plural = _("access events")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.kind}"


class AuditSeal(models.Model):
    """One link of the tamper-evident chain over an append-only table (crsv/audit/sealing.py).

    `link` is the chain's head after the row `last_id`: HMAC-SHA256 under `CRSV_AUDIT_KEY` (kept
    outside the database) of the previous head and each row's canonical bytes, in id order.
    `digests` holds, per row of the batch, its id and a keyed 8-byte digest of its content, so
    `verify_audit` can name the row that was changed, removed, added or moved; the head alone
    proves the batch. Append-only, like the trail it seals."""

    class Table(models.TextChoices):
        AUDIT_EVENT = "audit.auditevent", _("audit events")
        ACCESS_EVENT = "audit.accessevent", _("access events")

    table = models.CharField(_("table"), max_length=32, choices=Table.choices)
    first_id = models.BigIntegerField(_("first id"))
    last_id = models.BigIntegerField(_("last id"))
    row_count = models.PositiveIntegerField(_("rows"))
    link = models.CharField(_("head"), max_length=64)
    digests = models.BinaryField(_("row digests"))
    sealed_at = models.DateTimeField(_("sealed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("audit seal")
        verbose_name_plural = _("audit seals")
        constraints = [
            models.UniqueConstraint(fields=["table", "last_id"], name="auditseal_table_last_id"),
            models.CheckConstraint(
                condition=models.Q(first_id__lte=models.F("last_id")), name="auditseal_first_le_last"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.first_id}-{self.last_id}"

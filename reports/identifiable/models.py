"""An identifiable export: a request to send the identifying data of some cases to one named
recipient, decided by another senior WPA, downloaded once by the requester.

Django finds these models through the one import line at the end of `reports/models.py`.

What the rows hold: public ids, states, who and when; the cases by foreign key (their codes are
pseudonymous). The requester's stated reason and a refusal's reason are free text that may name
people (an accused, a court case): encrypted under the export's own data key (`crsv.crypto`), as
a break-glass reason is under its case's. No survivor value is ever stored here: the zip is made
at download time from the cases' own ciphertext and never kept; its password is never stored,
only the SHA-256 of the one last shown, until the download (a 24-character random password:
nothing to gain from a slow hash), so that the download proves it comes from that page.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crsv.accounts.models import Mission
from crsv.crypto import EncryptedText
from crsv.keys.models import DataKey
from reports.identifiable.querysets import IdentifiableExportQuerySet


class IdentifiableExport(models.Model):
    """One request for an identifiable export (see the module's docstring).

    `requested -> approved | refused`, `approved -> downloaded`; an approved export not
    downloaded by `expires_at` (set at approval: `IDENTIFIABLE_EXPORT_DAYS`) is expired, a state
    read from the clock (`shown_state`), so no task is needed for it."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Awaiting approval")
        APPROVED = "approved", _("Approved, ready to download")
        REFUSED = "refused", _("Refused")
        DOWNLOADED = "downloaded", _("Downloaded")
        # Never stored: an approved export past its expiry (`shown_state`).
        EXPIRED = "expired", _("Expired before download")

    class Recipient(models.TextChoices):
        PROVIDER = "provider", _("A service provider (consent to share identifiable data with it)")
        LEGAL = "legal", _("Legal use (consent to legal use)")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    recipient = models.CharField(_("recipient"), max_length=16, choices=Recipient.choices)
    provider = models.ForeignKey(
        "referrals.ServiceProvider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service provider"),
    )
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+", editable=False)
    reason_ct = models.BinaryField(editable=False)
    reason = EncryptedText("reason_ct", key="data_key", null=False)
    refusal_reason_ct = models.BinaryField(null=True, editable=False)
    refusal_reason = EncryptedText("refusal_reason_ct", key="data_key")
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.REQUESTED)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("download before"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("downloaded at"), null=True, blank=True)
    password_digest = models.CharField(max_length=64, blank=True, editable=False)

    objects = IdentifiableExportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("identifiable export")
        verbose_name_plural = _("identifiable exports")
        indexes = [
            models.Index(fields=["requested_by", "-created_at", "-id"], name="idexport_requester_recent"),
            models.Index(fields=["mission", "state", "-created_at", "-id"], name="idexport_mission_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient="provider", provider__isnull=False)
                | Q(recipient="legal", provider__isnull=True),
                name="idexport_provider_iff_provider_recipient",
            ),
            # Four eyes, whatever the code above says.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="idexport_never_decided_by_requester",
            ),
            models.CheckConstraint(
                condition=Q(state="requested", decided_by__isnull=True)
                | (~Q(state="requested") & Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="idexport_decided_unless_requested",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["approved", "downloaded"]) | Q(expires_at__isnull=False),
                name="idexport_approved_expires",
            ),
            models.CheckConstraint(
                condition=Q(state="downloaded", downloaded_at__isnull=False)
                | (~Q(state="downloaded") & Q(downloaded_at__isnull=True)),
                name="idexport_downloaded_at_iff_downloaded",
            ),
            models.CheckConstraint(condition=~Q(state="expired"), name="idexport_expired_is_never_stored"),
        ]

    def __str__(self) -> str:
        return f"identifiable export {self.public_id}"

    @property
    def shown_state(self) -> str:
        """The state as the pages and the API show it: `expired` for an approved export whose
        download window has closed."""
        if (
            self.state == self.State.APPROVED
            and self.expires_at is not None
            and self.expires_at <= timezone.now()
        ):
            return self.State.EXPIRED
        return self.state

    def get_shown_state_display(self) -> str:
        return str(self.State(self.shown_state).label)


class IdentifiableExportCase(models.Model):
    """One case of an export: included, or excluded with the reason, as decided at the last
    step (request, approval, download); and the consent relied upon when included."""

    class Exclusion(models.TextChoices):
        NONE = "", _("Included")
        NO_CONSENT = "no_consent", _("No consent in force covers this recipient")
        NOT_IDENTIFIABLE = "not_identifiable", _("The requester may no longer identify this case")
        ERASED = "erased", _("The case was erased")

    export = models.ForeignKey(IdentifiableExport, on_delete=models.CASCADE, related_name="cases")
    survivor = models.ForeignKey("survivors.Survivor", on_delete=models.PROTECT, related_name="+")
    excluded_because = models.CharField(
        _("excluded because"), max_length=24, choices=Exclusion.choices, blank=True
    )
    consent = models.ForeignKey(
        "survivors.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("case of an identifiable export")
        verbose_name_plural = _("cases of identifiable exports")
        constraints = [
            models.UniqueConstraint(fields=["export", "survivor"], name="idexportcase_once_per_export"),
            models.CheckConstraint(
                condition=Q(excluded_because="", consent__isnull=False)
                | (~Q(excluded_because="") & Q(consent__isnull=True)),
                name="idexportcase_consent_iff_included",
            ),
        ]

    def __str__(self) -> str:
        return f"case of export {self.export_id}"

    @property
    def included(self) -> bool:
        return self.excluded_because == self.Exclusion.NONE

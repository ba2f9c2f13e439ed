"""What surrounds an alert: its history (append-only), the incidents linked to it, the counter
behind its reference, and the on-call roster of each field office."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from crsv.accounts.models import FieldOffice
from crsv.crypto import EncryptedText
from incidents import clock
from incidents.models.alerts import Alert
from incidents.models.incident import Incident


class AlertEvent(models.Model):
    """One step in an alert's life: who did what, from which state to which, and when.

    The steps' times are what the response clock measures (Alert keeps a copy of each, for the
    statistics). The escalation is a step of no one (`actor` empty): the beat task's. A note (the
    response dispatched, why it was closed) may name people: encrypted under the alert's data key
    and shown only to those who handle the alert. Append-only: the database refuses UPDATE,
    DELETE and TRUNCATE (migration 0008_alerts).
    """

    class Action(models.TextChoices):
        CREATE = "create", _("Received")
        ACKNOWLEDGE = "acknowledge", _("Acknowledged")
        DISPATCH = "dispatch", _("Response dispatched")
        CLOSE = "close", _("Closed")
        ESCALATE = "escalate", _("Escalated to the senior WPAs")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="events", verbose_name=_("alert"))
    occurred_at = models.DateTimeField(_("time"), default=clock.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_state = models.CharField(_("from state"), max_length=24, choices=Alert.State.choices, blank=True)
    to_state = models.CharField(_("to state"), max_length=24, choices=Alert.State.choices)
    note_ct = models.BinaryField(_("note (encrypted)"), null=True, editable=False)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")
        indexes = [models.Index(fields=["alert", "occurred_at", "id"], name="alertevent_timeline")]
        constraints = [
            # Only the escalation is nobody's step.
            models.CheckConstraint(
                condition=Q(action="escalate") | Q(actor__isnull=False),
                name="alertevent_actor_unless_escalation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action}"

    # The note in plaintext (for those who handle the alert); empty: no note.
    note = EncryptedText("note_ct", key="alert.data_key")


class AlertIncidentLink(models.Model):
    """An incident later found to be what an alert warned of (or a consequence of it), linked by
    a WPA or senior WPA who sees both."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="incident_links")
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="alert_links")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(_("linked"), default=clock.now)

    class Meta:
        ordering = ["linked_at", "id"]
        verbose_name = _("alert's incident")
        verbose_name_plural = _("alerts' incidents")
        constraints = [models.UniqueConstraint(fields=["alert", "incident"], name="alertlink_once")]

    def __str__(self) -> str:
        return f"{self.alert_id} -> {self.incident_id}"


class AlertReferenceCounter(models.Model):
    """The last number given in a field office's alert references for one year: incremented with
    `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` in the creating transaction, as incidents'
    and referrals' are (incidents/alert_references.py)."""

    field_office = models.ForeignKey(FieldOffice, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("alert reference counter")
        verbose_name_plural = _("alert reference counters")
        constraints = [
            models.UniqueConstraint(fields=["field_office", "year"], name="alertcounter_office_year"),
        ]

    def __str__(self) -> str:
        return f"{self.field_office_id}/{self.year}: {self.last}"


class OnCallAssignment(models.Model):
    """A WPA (or senior WPA) of a field office on call for its alerts from `starts_at` until
    `ends_at` (exclusive). Several may be on call at once: each new alert notifies every one of
    them. Kept by the office's WPAs and its mission's senior WPAs; ending a shift early sets
    `ends_at` (a shift not yet begun ends at its start: it never counts) and `ended_by`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    field_office = models.ForeignKey(
        FieldOffice, on_delete=models.PROTECT, related_name="on_call", verbose_name=_("field office")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="on_call", verbose_name=_("on call")
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assigned by")
    )
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
        editable=False,
    )

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("on-call assignment")
        verbose_name_plural = _("on-call assignments")
        indexes = [models.Index(fields=["field_office", "ends_at"], name="oncall_office_until")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="oncall_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.field_office_id}: {self.starts_at:%Y-%m-%d %H:%M}"

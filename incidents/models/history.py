"""An incident's history (append-only), and the counters behind human references."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crsv.accounts.models import FieldOffice
from crsv.crypto import EncryptedText
from incidents import clock
from incidents.models.incident import Incident


class IncidentEvent(models.Model):
    """One step in an incident's life: who did what, from which status to which, and why.

    Kept beside the AuditEvent each service also writes: the audit trail holds no values (it
    says *that* Esther returned incident X), this table is the domain history shown on the
    detail page, with the reason typed by the reviewer. Reasons may describe the incident, so
    they are shown only to those who may read the narrative, and are encrypted with it.
    Append-only: the database refuses UPDATE, DELETE and TRUNCATE (migration 0002).
    """

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Edited")
        SUBMIT = "submit", _("Submitted")
        ASSIGN = "assign", _("Assigned")
        RETURN = "return", _("Returned to reporter")
        VERIFY = "verify", _("Verification recorded")
        REOPEN = "reopen", _("Reopened")

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="events", verbose_name=_("incident")
    )
    occurred_at = models.DateTimeField(_("time"), default=clock.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_status = models.CharField(
        _("from status"), max_length=16, choices=Incident.Status.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=16, choices=Incident.Status.choices)
    verification_status = models.CharField(
        _("verification"), max_length=24, choices=Incident.VerificationStatus.choices
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The reviewer's reason may describe the incident: encrypted under the incident's data key,
    # bound to this row; read and written through `reason` (below).
    reason_ct = models.BinaryField(_("reason (encrypted)"), null=True, editable=False)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")
        indexes = [models.Index(fields=["incident", "occurred_at", "id"], name="incidentevent_timeline")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action="assign") | Q(assignee__isnull=False),
                name="incidentevent_assign_names_assignee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action}"

    # The reason in plaintext (shown only to those who may read the narrative); empty: no reason.
    reason = EncryptedText("reason_ct", key="incident.data_key")


class IncidentReferenceCounter(models.Model):
    """The last number given in a field office's references for one year, in one sequence:
    CRSV, or SEA (`sea`: incidents with a UN-personnel perpetrator have their own sequence, so
    that gaps in the CRSV one count nothing).

    Incremented with `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` inside the submitting
    transaction (see incidents/reference_numbers.py): concurrent submissions queue on the row.
    """

    field_office = models.ForeignKey(FieldOffice, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    sea = models.BooleanField(default=False)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("incident reference counter")
        verbose_name_plural = _("incident reference counters")
        constraints = [
            models.UniqueConstraint(
                fields=["field_office", "year", "sea"], name="referencecounter_office_year_sea"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.field_office_id}/{self.year}{'/SEA' if self.sea else ''}: {self.last}"

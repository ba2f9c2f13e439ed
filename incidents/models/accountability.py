"""Justice and accountability on an incident (issue 13 item 6): the steps a case reached in the
justice system, from the complaint to reparations.

The statistics layer (reports/) reads this table through SQL: its name and the columns
`incident_id`, `stage`, `court`, `occurred_on` (and `outcome`) are a contract; rename none of
them without telling it.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar, Self, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crsv.crypto import EncryptedText
from incidents import clock
from incidents.models.incident import Incident

# Plain values for the Meta constraints below (a nested Meta cannot see the nested choices).
_COURT_STAGES = ("prosecution", "verdict", "sentence")
_COURTS = ("civil", "military", "mobile")
_STAGES = ("complaint_filed", "investigation", "arrest", *_COURT_STAGES, "reparations")
_OUTCOMES = ("convicted", "acquitted", "other")

_Model = TypeVar("_Model", bound=models.Model)


class AccountabilityStepQuerySet(models.QuerySet[_Model]):
    def visible_to(self, user: Any) -> Self:
        """The steps of the incidents `user` may see (`Incident.objects.visible_to`); what she
        may see *of* each (the note, who recorded it) is `accountability_permissions`."""
        return self.filter(incident__in=Incident.objects.visible_to(user).values("pk"))


class AccountabilityStep(models.Model):
    """One step an incident reached in the justice system: a complaint filed, an investigation
    opened, an arrest, a prosecution, a verdict or a sentence (each before a civil, military or
    mobile court), reparations.

    Recorded by the incident's reviewers (services/accountability.py), once per stage and court
    (a case may be prosecuted before a military court and then a civil one); removed, to correct
    a mistake, by who recorded it or a senior WPA. The note may name people (a judge, a
    perpetrator, a survivor's lawyer): restricted like the narrative and encrypted under the
    incident's data key. The rest (stage, court, date, outcome) is de-identified and counted.
    """

    class Stage(models.TextChoices):
        COMPLAINT_FILED = "complaint_filed", _("Complaint filed")
        INVESTIGATION = "investigation", _("Investigation opened")
        ARREST = "arrest", _("Arrest")
        PROSECUTION = "prosecution", _("Prosecution")
        VERDICT = "verdict", _("Verdict")
        SENTENCE = "sentence", _("Sentence")
        REPARATIONS = "reparations", _("Reparations")

    class Court(models.TextChoices):
        CIVIL = "civil", _("Civil court")
        MILITARY = "military", _("Military court")
        MOBILE = "mobile", _("Mobile court")

    class Outcome(models.TextChoices):
        CONVICTED = "convicted", _("Convicted")
        ACQUITTED = "acquitted", _("Acquitted")
        OTHER = "other", _("Other outcome")

    # The stages that happen before a court, and so name it; the others name none.
    COURT_STAGES: ClassVar[tuple[str, ...]] = _COURT_STAGES
    # The stage whose outcome is recorded.
    OUTCOME_STAGE: ClassVar[str] = "verdict"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Incidents are never deleted (their history protects them); the unique constraint below
    # leads with the incident, so no index of its own.
    incident = models.ForeignKey(
        Incident,
        on_delete=models.CASCADE,
        related_name="accountability_steps",
        verbose_name=_("incident"),
        db_index=False,
    )
    stage = models.CharField(_("stage"), max_length=24, choices=Stage.choices)
    court = models.CharField(_("court"), max_length=16, choices=Court.choices, blank=True)
    occurred_on = models.DateField(_("date"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    # Restricted and encrypted under the incident's data key, bound to this row.
    note_ct = models.BinaryField(_("note (encrypted)"), null=True, editable=False)
    note = EncryptedText("note_ct", key="incident.data_key")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="accountability_steps_recorded",
        verbose_name=_("recorded by"),
        editable=False,
    )
    recorded_at = models.DateTimeField(_("recorded"), default=clock.now, editable=False)

    objects = AccountabilityStepQuerySet.as_manager()

    class Meta:
        db_table = "incidents_accountabilitystep"  # read by the statistics' SQL (module doc)
        ordering = ["occurred_on", "id"]
        verbose_name = _("justice and accountability step")
        verbose_name_plural = _("justice and accountability steps")
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=_STAGES), name="accountability_stage_known"),
            models.CheckConstraint(
                condition=Q(stage__in=_COURT_STAGES, court__in=_COURTS)
                | (~Q(stage__in=_COURT_STAGES) & Q(court="")),
                name="accountability_court_iff_court_stage",
            ),
            models.CheckConstraint(
                condition=Q(stage="verdict", outcome__in=_OUTCOMES) | (~Q(stage="verdict") & Q(outcome="")),
                name="accountability_outcome_iff_verdict",
            ),
            models.UniqueConstraint(
                fields=["incident", "stage", "court"], name="accountability_step_once_per_court"
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_stage_display())

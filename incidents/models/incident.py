"""The incident: what happened, when, where, to how many women, girls, men and boys."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import ExtractMonth, ExtractYear
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from crsv.accounts.models import FieldOffice, Mission
from crsv.crypto import EncryptedDecimal, EncryptedText
from crsv.keys.models import DataKey
from incidents import clock
from incidents.models import choices
from incidents.models.locations_and_parties import Location
from incidents.models.querysets import IncidentQuerySet

TALLY_FIELDS = ("tally_women", "tally_girls", "tally_men", "tally_boys", "tally_unknown_sex")
GBVIMS_FIELDS = (
    "gbvims_penetration",
    "gbvims_sexual_contact",
    "gbvims_physical_assault",
    "gbvims_forced_marriage",
    "gbvims_denial_of_resources",
    "gbvims_psychological_abuse",
)
VERIFICATION_OUTCOMES = ("verified", "could_not_be_verified", "did_not_occur")
# Plain values for the Meta constraints below (a nested Meta cannot see the nested choices).
_DRAFT, _CLOSED = "draft", "closed"
_UNVERIFIED = ("reported", "pending")
_PRECISIONS = ("day", "month", "range")
# Exact coordinates: degrees with six decimal places (about 0.1 m), nine digits at most.
COORDINATE_PLACES = 6
COORDINATE_DIGITS = 9


def _tally(label: StrOrPromise) -> models.PositiveIntegerField[Any, Any]:
    return models.PositiveIntegerField(label, default=0)


def _gbvims(question: StrOrPromise) -> models.BooleanField[Any, Any]:
    return models.BooleanField(question, default=False)


class Incident(models.Model):
    """One reported incident of conflict-related sexual violence (the monitoring track).

    De-identified by design: no survivor's name or contact details. The narrative, the exact
    coordinates and the perpetrators' identification are restricted (see permissions.py) and
    stored encrypted under the incident's own data key.

    Derived, never typed: `reporting_delay_band`, `gbvims_core_type`, `is_sea`,
    `is_late_verification` (computed by the services, see derivations.py).

    A draft may be incomplete; once submitted the record is complete (named constraints below).
    """

    # The choice lists live in choices.py; here under the names the code has always used.
    Status = choices.Status
    VerificationStatus = choices.VerificationStatus
    VerificationMethod = choices.VerificationMethod
    SourceChannel = choices.SourceChannel
    DatePrecision = choices.DatePrecision
    DelayBand = choices.DelayBand
    TimeOfDay = choices.TimeOfDay
    LocationType = choices.LocationType
    DisplacementStage = choices.DisplacementStage
    ConflictNexus = choices.ConflictNexus
    Context = choices.Context
    GbvimsType = choices.GbvimsType

    VERIFICATION_OUTCOMES: ClassVar[tuple[str, ...]] = VERIFICATION_OUTCOMES

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(
        _("reference"), max_length=48, unique=True, null=True, blank=True, editable=False
    )
    # These foreign keys lead composite indexes (Meta.indexes), so no single-column index of
    # their own: on a million-row table every index costs on each write.
    mission = models.ForeignKey(
        Mission, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("mission"), db_index=False
    )
    field_office = models.ForeignKey(
        FieldOffice,
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("field office"),
        db_index=False,
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="incidents_reported",
        verbose_name=_("reported by"),
        db_index=False,
    )
    source_channel = models.CharField(_("source"), max_length=32, choices=SourceChannel.choices, blank=True)
    reported_on = models.DateField(_("date of report"))

    date_precision = models.CharField(
        _("date precision"), max_length=8, choices=DatePrecision.choices, blank=True
    )
    incident_date_start = models.DateField(_("incident date (from)"), null=True, blank=True)
    incident_date_end = models.DateField(_("incident date (to)"), null=True, blank=True)
    reporting_delay_band = models.CharField(
        _("reporting delay"), max_length=8, choices=DelayBand.choices, blank=True, editable=False
    )
    time_of_day = models.CharField(
        _("time of day"), max_length=16, choices=TimeOfDay.choices, default=TimeOfDay.UNKNOWN
    )

    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("location"),
    )
    # Exact point: restricted (never shown to analysts, never filterable by them) and encrypted
    # under the incident's data key (see `latitude` and `longitude` below). Nobody searches by it.
    latitude_ct = models.BinaryField(_("exact latitude (encrypted)"), null=True, editable=False)
    longitude_ct = models.BinaryField(_("exact longitude (encrypted)"), null=True, editable=False)
    location_type = models.CharField(
        _("type of location"),
        max_length=24,
        choices=LocationType.choices,
        default=LocationType.UNKNOWN,
    )
    displacement_stage = models.CharField(
        _("stage of displacement"),
        max_length=24,
        choices=DisplacementStage.choices,
        default=DisplacementStage.UNKNOWN,
    )
    conflict_nexus = models.CharField(
        _("conflict nexus"),
        max_length=24,
        choices=ConflictNexus.choices,
        default=ConflictNexus.UNCLEAR,
    )
    context = models.CharField(_("context"), max_length=24, choices=Context.choices, default=Context.UNKNOWN)

    tally_women = _tally(_("women"))
    tally_girls = _tally(_("girls"))
    tally_men = _tally(_("men"))
    tally_boys = _tally(_("boys"))
    tally_unknown_sex = _tally(_("sex unknown"))

    # Restricted and encrypted (AES-256-GCM) under this incident's own data key, which also
    # encrypts its exact point, its perpetrators' identification and its history's reasons; read
    # and written through the descriptors below, shown only via selectors.incident_narrative.
    # The services provision the key (crsv.keys.services.data_key_provision).
    data_key = models.OneToOneField(
        DataKey, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="incident"
    )
    narrative_ct = models.BinaryField(_("narrative (encrypted)"), null=True, editable=False)

    gbvims_penetration = _gbvims(_("Was there penetration?"))
    gbvims_sexual_contact = _gbvims(_("Was there other unwanted sexual contact?"))
    gbvims_physical_assault = _gbvims(_("Was there physical assault?"))
    gbvims_forced_marriage = _gbvims(_("Was it a forced marriage?"))
    gbvims_denial_of_resources = _gbvims(_("Were resources, opportunities or services denied?"))
    gbvims_psychological_abuse = _gbvims(_("Was there psychological or emotional abuse?"))
    gbvims_core_type = models.CharField(
        _("GBVIMS type"),
        max_length=24,
        choices=GbvimsType.choices,
        default=GbvimsType.NON_GBV,
        editable=False,
    )
    is_sea = models.BooleanField(
        _("sexual exploitation and abuse (UN personnel)"), default=False, editable=False
    )

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    verification_status = models.CharField(
        _("verification"),
        max_length=24,
        choices=VerificationStatus.choices,
        default=VerificationStatus.REPORTED,
        editable=False,
    )
    assigned_wpa = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents_assigned",
        verbose_name=_("assigned to"),
        db_index=False,  # leads the incident_assignee_status index
        editable=False,
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents_verified",
        verbose_name=_("verified by"),
        editable=False,
    )
    verification_method = models.CharField(
        _("verification method"),
        max_length=24,
        choices=VerificationMethod.choices,
        blank=True,
        editable=False,
    )
    verified_on = models.DateField(_("verified on"), null=True, blank=True, editable=False)
    is_late_verification = models.BooleanField(_("late verification"), default=False, editable=False)

    # Set by the services from incidents.clock (not auto_now), so demo data can be dated.
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=clock.now, editable=False)
    submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    # The intake form's one-time key (a hidden field, not survivor data): the same intake posted
    # again, e.g. replayed after its session expired, keeps one draft (services/kept_drafts.py).
    intake_key = models.UUIDField(_("intake key"), null=True, blank=True, editable=False)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            # Newest first, scoped by office (reporter, WPA) or mission (senior WPA, analyst).
            models.Index(fields=["field_office", "-created_at", "-id"], name="incident_office_newest"),
            models.Index(fields=["mission", "-created_at", "-id"], name="incident_mission_newest"),
            models.Index(fields=["-created_at", "-id"], name="incident_newest"),
            models.Index(fields=["reported_by", "-created_at"], name="incident_reporter_newest"),
            models.Index(fields=["assigned_wpa", "status"], name="incident_assignee_status"),
            models.Index(fields=["mission", "incident_date_end"], name="incident_mission_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    tally_women__gte=0,
                    tally_girls__gte=0,
                    tally_men__gte=0,
                    tally_boys__gte=0,
                    tally_unknown_sex__gte=0,
                ),
                name="incident_tallies_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(status=_DRAFT)
                | Q(
                    GreaterThan(
                        F("tally_women")
                        + F("tally_girls")
                        + F("tally_men")
                        + F("tally_boys")
                        + F("tally_unknown_sex"),
                        0,
                    )
                ),
                name="incident_submitted_has_victims",
            ),
            models.CheckConstraint(
                condition=Q(
                    date_precision="", incident_date_start__isnull=True, incident_date_end__isnull=True
                )
                | Q(
                    date_precision__in=_PRECISIONS,
                    incident_date_start__isnull=False,
                    incident_date_end__isnull=False,
                    incident_date_start__lte=F("incident_date_end"),
                ),
                name="incident_dates_complete_and_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(date_precision="day") | Q(incident_date_start=F("incident_date_end")),
                name="incident_day_precision_one_day",
            ),
            models.CheckConstraint(
                condition=~Q(date_precision="month")
                | Q(
                    incident_date_start__day=1,
                    incident_date_end__year=ExtractYear("incident_date_start"),
                    incident_date_end__month=ExtractMonth("incident_date_start"),
                ),
                name="incident_month_precision_within_month",
            ),
            models.CheckConstraint(
                condition=Q(incident_date_end__isnull=True) | Q(incident_date_end__lte=F("reported_on")),
                name="incident_not_after_report",
            ),
            models.CheckConstraint(
                condition=Q(status=_DRAFT)
                | Q(
                    source_channel__gt="",
                    incident_date_start__isnull=False,
                    reporting_delay_band__gt="",
                    location__isnull=False,
                ),
                name="incident_submitted_is_complete",
            ),
            models.CheckConstraint(
                condition=Q(
                    status=_DRAFT,
                    reference__isnull=True,
                    submitted_at__isnull=True,
                    assigned_wpa__isnull=True,
                    verification_status="reported",
                )
                | (~Q(status=_DRAFT) & Q(reference__isnull=False, submitted_at__isnull=False)),
                name="incident_reference_iff_submitted",
            ),
            models.CheckConstraint(
                condition=Q(
                    verification_status__in=VERIFICATION_OUTCOMES,
                    verified_by__isnull=False,
                    verified_on__isnull=False,
                    verification_method__gt="",
                )
                | Q(
                    verification_status__in=_UNVERIFIED,
                    verified_by__isnull=True,
                    verified_on__isnull=True,
                    verification_method="",
                    is_late_verification=False,
                ),
                name="incident_verification_recorded_iff_outcome",
            ),
            models.CheckConstraint(
                condition=Q(
                    status=_CLOSED,
                    verification_status__in=VERIFICATION_OUTCOMES,
                    closed_at__isnull=False,
                )
                | (
                    ~Q(status=_CLOSED)
                    & ~Q(verification_status__in=VERIFICATION_OUTCOMES)
                    & Q(closed_at__isnull=True)
                ),
                name="incident_closed_iff_verification_outcome",
            ),
            models.CheckConstraint(
                # The range is checked by the services (the values are ciphertext here).
                condition=Q(latitude_ct__isnull=True, longitude_ct__isnull=True)
                | Q(latitude_ct__isnull=False, longitude_ct__isnull=False),
                name="incident_point_complete",
            ),
            models.UniqueConstraint(
                fields=["reported_by", "intake_key"],
                condition=Q(intake_key__isnull=False),
                name="incident_intake_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or str(_("Draft incident"))

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Not a business rule: a guard. Selectors blank restricted values on the instances they
        # hand to a user who may not see them; saving such an instance would erase data.
        if getattr(self, "_redacted", False):
            raise RuntimeError("This incident was redacted for display and cannot be saved.")
        super().save(*args, **kwargs)

    # Plaintext views of the encrypted columns (crsv.crypto.EncryptedField): reading decrypts
    # (DecryptionError on any failure), assigning encrypts with the data key already provisioned.
    # For display, the narrative goes through `selectors.incident_narrative`, which checks who
    # may read it.
    narrative = EncryptedText("narrative_ct", key="data_key")
    latitude = EncryptedDecimal("latitude_ct", key="data_key", places=COORDINATE_PLACES)
    longitude = EncryptedDecimal("longitude_ct", key="data_key", places=COORDINATE_PLACES)

    @property
    def tally_total(self) -> int:
        return sum(getattr(self, name) for name in TALLY_FIELDS)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

"""The statistics rollups and what keeps them (DESIGN §6).

What counts is one SQL view, `reports_fact` (migration 0002, `reports/sql/`): a row per
(subject, key, measure, value, weight), where a subject is an incident, a referral or an alert.
The rollup holds the sum of the facts' weights per key; triggers on every table the facts read
keep it in the transaction of the change: the first change of a subject in a transaction copies
its facts (`DirtyFact`), and at commit a deferred trigger adds the difference between its facts
now and that copy. `manage.py statistics_recompute` rebuilds the rollup from the view and reports
any difference.
"""

from __future__ import annotations

from django.db import models

from crsv.accounts.models import FieldOffice, Mission
from incidents.models import Location


def _place() -> models.ForeignKey[Location | None, Location | None]:
    return models.ForeignKey(
        Location, models.DO_NOTHING, null=True, related_name="+", db_constraint=False, db_index=False
    )


class Subject(models.TextChoices):
    INCIDENT = "i", "incident"
    REFERRAL = "r", "referral"
    ALERT = "a", "alert"


class Rollup(models.Model):
    """The sum of the facts' weights for one key: office, month, admin 1 and 2, measure, value.

    `month` is the first day of the month (the incident's date, else its date of report; a
    referral's sending; an alert's reception); `admin1`/`admin2` are the place's ancestors
    (none when the place is not known or above that level)."""

    mission = models.ForeignKey(Mission, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    field_office = models.ForeignKey(
        FieldOffice, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    month = models.DateField()
    admin1 = _place()
    admin2 = _place()
    measure = models.CharField(max_length=32)
    value = models.CharField(max_length=64, blank=True)
    total = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["field_office", "month", "admin1", "admin2", "measure", "value"],
                name="rollup_key",
                nulls_distinct=False,
            )
        ]
        indexes = [
            models.Index(fields=["mission", "month"], name="rollup_mission_month"),
            # The incidents' breakdowns by month, office and place read one measure.
            models.Index(fields=["measure", "mission", "month"], name="rollup_measure_mission_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.measure}={self.value}: {self.total}"


class RollupMonth(models.Model):
    """The rollup summed over offices and places: a mission's month, measure and value. Kept by
    the same trigger in the same transaction (migration 0005); read for a mission-wide view
    with no office or place filter (the senior WPAs' and analysts' default dashboard), where it
    is some fifty times smaller than `Rollup`."""

    mission = models.ForeignKey(Mission, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    month = models.DateField()
    measure = models.CharField(max_length=32)
    value = models.CharField(max_length=64, blank=True)
    total = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mission", "month", "measure", "value"], name="rollupmonth_key")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.measure}={self.value}: {self.total}"


class RollupVersion(models.Model):
    """A mission's rollup version: the commit that changes its rollup draws a new one from a
    sequence (the apply trigger, migration 0004), so a cached read of the rollup names the version it read
    (`reports.statistics.statistics_load`) and is never served once the numbers moved."""

    mission = models.OneToOneField(
        Mission, on_delete=models.DO_NOTHING, primary_key=True, related_name="+", db_constraint=False
    )
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.mission_id}: {self.version}"


class ConsentFlag(models.Model):
    """Whether a survivor's linked incidents and referrals count: a consent to non-identifiable
    reporting in force (`survivors.consent.consent_allows`, purpose statistics).

    Written by `reports.consent_flags` when her ledger gains an entry (same transaction) and by
    the beat task when a consent expires or starts with time alone; frozen at erasure, so the
    pseudonymous statistics remain. No row: she does not count."""

    survivor = models.OneToOneField(
        "survivors.Survivor", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    counts = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.survivor_id}: {self.counts}"


class Dirty(models.Model):
    """A subject changed in the open transaction: its facts are copied to `DirtyFact` and the
    difference is applied at commit, when the row is deleted. Empty outside a transaction."""

    kind = models.CharField(max_length=1, choices=Subject.choices)
    subject_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "subject_id"], name="dirty_subject")]

    def __str__(self) -> str:
        return f"{self.kind}{self.subject_id}"


class DirtyFact(models.Model):
    """A dirty subject's facts as the rollup holds them (see `Dirty`)."""

    kind = models.CharField(max_length=1, choices=Subject.choices)
    subject_id = models.BigIntegerField()
    mission_id = models.BigIntegerField()
    field_office_id = models.BigIntegerField()
    month = models.DateField()
    admin1_id = models.BigIntegerField(null=True)
    admin2_id = models.BigIntegerField(null=True)
    measure = models.CharField(max_length=32)
    value = models.CharField(max_length=64)
    weight = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["kind", "subject_id"], name="dirtyfact_subject")]

    def __str__(self) -> str:
        return f"{self.kind}{self.subject_id} {self.measure}={self.value}: {self.weight}"


class RecomputeRun(models.Model):
    """One run of `statistics_recompute`: how many keys differed from a full scan."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    keys = models.PositiveIntegerField()
    differences = models.PositiveIntegerField()
    run_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}: {self.differences} differences"


from reports.identifiable.models import IdentifiableExport, IdentifiableExportCase  # noqa: E402,F401

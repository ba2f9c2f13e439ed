"""The de-identified exports a mission may run (issue 13 item 5) and their file formats.

Every kind comes in every format (the tables are written the same way by each writer): the
GBVIMS rows and the MARA tables are usually wanted as CSV or XLSX, the SAGE feed and the CPAS
indicators as CSV or JSON; the API offers CSV and JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reports.disclosure import Period, PeriodError


class ExportKind(models.TextChoices):
    GBVIMS = "gbvims", _("GBVIMS Incident Recorder: one row per survivor linked to an incident")
    MARA = "mara", _("MARA tables for the Secretary-General's annual report")
    SAGE = "sage", _("De-identified incident feed for the incident database (SAGE)")
    CPAS = "cpas", _("CPAS indicators: time to referral, verification, alert response")


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel workbook (XLSX)")
    JSON = "json", _("JSON")


CONTENT_TYPES: Mapping[str, str] = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.JSON: "application/json",
}
API_FORMATS = (ExportFormat.JSON, ExportFormat.CSV)


@dataclass(frozen=True)
class ExportRequest:
    """A valid choice of export: what, for which fixed period, in which format."""

    kind: ExportKind
    period: Period
    file_format: ExportFormat

    @property
    def filename(self) -> str:
        """Made of the kind, the period and the format only (no free text): always safe in a
        Content-Disposition header."""
        return f"crsv-{self.kind.value}-{self.period}.{self.file_format.value}"


def export_request_parse(
    *, kind: str, period: str, file_format: str, formats: tuple[str, ...] = tuple(ExportFormat)
) -> ExportRequest:
    """The request named by three texts, or ValidationError with a message per field."""
    errors: dict[str, str] = {}
    if kind not in ExportKind.values:
        errors["kind"] = gettext("Choose one of the exports: %(kinds)s.") % {
            "kinds": ", ".join(ExportKind.values)
        }
    if file_format not in formats:
        errors["format"] = gettext("Choose one of the formats: %(formats)s.") % {
            "formats": ", ".join(formats)
        }
    parsed: Period | None = None
    try:
        parsed = Period.parse(period)
    except PeriodError as error:
        errors["period"] = str(error)
    if parsed is not None and parsed.last_day >= timezone.localdate():
        # A period still open would be published again with other numbers (late reports, a
        # consent withdrawn): two versions subtracted could isolate a few cases.
        errors["period"] = gettext(
            "%(period)s is not over yet: only a month, quarter or year that has ended leaves the mission."
        ) % {"period": parsed}
    if errors or parsed is None:
        raise ValidationError(errors)
    return ExportRequest(kind=ExportKind(kind), period=parsed, file_format=ExportFormat(file_format))

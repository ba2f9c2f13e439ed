"""The GBVIMS Incident Recorder columns, de-identified (issue 13 item 5): one row per
survivor-incident link of the incidents that count (the GBVIMS counting unit).

What a row holds, after the Incident Recorder: a random id made for this file, the months of the
incident and of the report, the survivor's sex, age band, displacement status and disability
(her non-identifying profile), the incident's stage of displacement, time of day, place (admin
1 and 2 names, never finer) and type of place, its GBVIMS core type, the alleged perpetrators'
number, sex, age group, relationship and category (never a name, unit or commander), whether she
was referred to each type of service, and her consent to non-identifiable reporting (always
yes: without it the incident does not count). Never the narrative, the exact place, the survivor's
code, name or contact, the incident's reference or an actor's name.

Incidents without a linked survivor are not GBVIMS rows: the file's notes say so (the MARA
tables and the incident feed count them).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from referrals.models import ServiceType
from reports.disclosure import Period
from reports.exports import selection
from reports.exports.tables import Cell, Column, ExportData, Table, batched_rows
from reports.statistics import StatisticsScope

SERVICE_TYPES = [value for value, _label in ServiceType.choices]

# One row per link, read for a batch of link ids; the place from the countable view (admin 1
# and 2 at the finest), the perpetrators and referrals aggregated per row.
_ROWS = """
SELECT si.id,
       to_char(i.incident_date_start, 'YYYY-MM'), to_char(i.reported_on, 'YYYY-MM'), i.reporting_delay_band,
       s.sex, s.age_band, s.displacement_status, s.disability,
       i.displacement_stage, i.time_of_day, a1.name, a2.name, i.location_type, i.gbvims_core_type,
       p.total, p.unknown, p.sexes, p.ages, p.relationships, p.categories, r.types
  FROM survivors_survivorincident si
  JOIN reports_countable_incident c ON c.incident_id = si.incident_id
  JOIN incidents_incident i ON i.id = si.incident_id
  JOIN survivors_survivor s ON s.id = si.survivor_id
  LEFT JOIN incidents_location a1 ON a1.id = c.admin1_id
  LEFT JOIN incidents_location a2 ON a2.id = c.admin2_id
  LEFT JOIN LATERAL (
       SELECT sum(x.count) AS total, bool_or(x.count IS NULL) AS unknown,
              array_agg(DISTINCT x.sex ORDER BY x.sex) AS sexes,
              array_agg(DISTINCT x.age_group ORDER BY x.age_group) AS ages,
              array_agg(DISTINCT x.relationship ORDER BY x.relationship) AS relationships,
              array_agg(DISTINCT x.category ORDER BY x.category) AS categories
         FROM incidents_perpetrator x WHERE x.incident_id = si.incident_id) p ON true
  LEFT JOIN LATERAL (
       SELECT array_agg(DISTINCT y.service_type) AS types
         FROM referrals_referral y
        WHERE y.survivor_id = si.survivor_id AND y.sent_at IS NOT NULL
          AND (y.incident_id IS NULL OR y.incident_id = si.incident_id)) r ON true
 WHERE si.id = ANY(%s)
"""


def columns() -> list[Column]:
    return [
        Column("incident_id", _("Incident id (random, this file only)")),
        Column("date_of_incident", _("Month of the incident")),
        Column("date_of_report", _("Month of the report")),
        Column("reporting_delay", _("Reporting delay")),
        Column("survivor_sex", _("Survivor's sex")),
        Column("survivor_age_band", _("Survivor's age band")),
        Column("displacement_status", _("Displacement status at report")),
        Column("disability", _("Disability")),
        Column("displacement_stage", _("Stage of displacement at the incident")),
        Column("time_of_day", _("Time of day")),
        Column("location_admin1", _("Place: admin level 1")),
        Column("location_admin2", _("Place: admin level 2")),
        Column("location_type", _("Type of place")),
        Column("gbv_type", _("GBVIMS type of violence")),
        Column("perpetrator_count", _("Number of alleged perpetrators")),
        Column("perpetrator_sex", _("Alleged perpetrators' sex")),
        Column("perpetrator_age_group", _("Alleged perpetrators' age group")),
        Column("perpetrator_relationship", _("Relationship to the survivor")),
        Column("perpetrator_category", _("Alleged perpetrators' category")),
        *[
            Column(f"referral_{service}", _("Referred: %(service)s") % {"service": label})
            for service, label in ServiceType.choices
        ],
        Column("consent_to_share", _("Consent to non-identifiable reporting")),
    ]


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _row(values: Sequence[Any]) -> list[Cell]:
    (
        _link,
        incident_month,
        report_month,
        delay,
        sex,
        age_band,
        displacement,
        disability,
        stage,
        time_of_day,
        admin1,
        admin2,
        place_type,
        gbv_type,
        total,
        unknown,
        sexes,
        ages,
        relationships,
        categories,
        referred,
    ) = values
    if total is None and not unknown:
        count: Cell = None  # no perpetrator recorded
    else:
        count = "unknown" if unknown else int(total)
    referred = set(referred or [])
    return [
        # Made here, for this file only: never the survivor's code or the incident's reference.
        str(uuid.uuid4()),
        incident_month,
        report_month,
        delay or "unknown",
        sex,
        age_band,
        displacement,
        disability,
        stage,
        time_of_day,
        admin1 or "",
        admin2 or "",
        place_type,
        gbv_type,
        count,
        list(sexes or []),
        list(ages or []),
        list(relationships or []),
        list(categories or []),
        *[_yes_no(service in referred) for service in SERVICE_TYPES],
        "yes",
    ]


def _read(link_ids: list[int]) -> dict[int, Sequence[Cell]]:
    with connection.cursor() as cursor:
        cursor.execute(_ROWS, [link_ids])
        return {values[0]: _row(values) for values in cursor.fetchall()}


def notes(period: str) -> list[str]:
    return [
        _(
            "GBVIMS Incident Recorder columns, de-identified, for %(period)s: one row per survivor "
            "linked to an incident that counts in the statistics (the GBVIMS counting unit)."
        )
        % {"period": period},
        _(
            "Incidents without a linked survivor case are not GBVIMS rows and are not in this file; "
            "the MARA tables and the incident feed count them."
        ),
        _(
            "An incident counts only when every survivor linked to it consents to non-identifiable "
            "reporting; incidents of sexual exploitation and abuse by UN personnel never count."
        ),
        _(
            "The incident id is made at random for this file only: it is neither the incident's "
            "reference nor the survivor's code, and another export of the same data gives other ids."
        ),
        _(
            "Dates are months, places are admin level 1 and 2 names; no narrative, exact place, "
            "name, code or contact. Values are the GBVIMS codes."
        ),
    ]


def gbvims_export(*, user: Any, scope: StatisticsScope, period: Period) -> ExportData:
    """The GBVIMS rows of the period that `user` may see (`period`: months `month_from`..`month_to`)."""
    ids = selection.link_ids(
        user=user, mission_ids=scope.mission_ids, month_from=period.first_month, month_to=period.last_month
    )
    table = Table(
        name="gbvims",
        title=_("GBVIMS Incident Recorder"),
        columns=columns(),
        rows=batched_rows(ids, _read),
        header_keys=True,
    )
    return ExportData(
        kind="gbvims",
        period=str(period),
        title=_("GBVIMS Incident Recorder (de-identified)"),
        notes=notes(str(period)),
        tables=[table],
        row_count=len(ids),
    )

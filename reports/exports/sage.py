"""The de-identified incident feed for the mission's incident database (SAGE), issue 13 item 5:
one row per incident that counts, nothing finer than a month and admin level 2.

A row: a random id made for this file, the months of the incident and of the report, the field
office's code, the place's admin 1 and admin 2 p-codes and names, the forms of violation, the
perpetrators' categories and named parties, the victims by women, girls, men, boys and unknown
sex (the incident's tallies, the MARA unit), and the verification status. Never the day, a place
below admin level 2, the narrative, a perpetrator's identification or the incident's reference.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from reports.disclosure import Period
from reports.exports import selection
from reports.exports.tables import Cell, Column, ExportData, Table, batched_rows
from reports.statistics import StatisticsScope

_ROWS = """
SELECT c.incident_id,
       to_char(i.incident_date_start, 'YYYY-MM'), to_char(i.reported_on, 'YYYY-MM'), o.code,
       a1.pcode, a1.name, a2.pcode, a2.name,
       ARRAY(SELECT v.form FROM incidents_violation v WHERE v.incident_id = c.incident_id ORDER BY v.form),
       ARRAY(SELECT DISTINCT p.category FROM incidents_perpetrator p
              WHERE p.incident_id = c.incident_id ORDER BY 1),
       ARRAY(SELECT DISTINCT t.name FROM incidents_perpetrator p
               JOIN incidents_partytoconflict t ON t.id = p.party_id
              WHERE p.incident_id = c.incident_id ORDER BY 1),
       c.tally_women, c.tally_girls, c.tally_men, c.tally_boys, c.tally_unknown_sex, c.verification_status
  FROM reports_countable_incident c
  JOIN incidents_incident i ON i.id = c.incident_id
  JOIN accounts_fieldoffice o ON o.id = c.field_office_id
  LEFT JOIN incidents_location a1 ON a1.id = c.admin1_id
  LEFT JOIN incidents_location a2 ON a2.id = c.admin2_id
 WHERE c.incident_id = ANY(%s)
"""


def columns() -> list[Column]:
    return [
        Column("row_id", _("Row id (random, this file only)")),
        Column("incident_month", _("Month of the incident")),
        Column("report_month", _("Month of the report")),
        Column("field_office", _("Field office")),
        Column("admin1_pcode", _("Admin level 1 p-code")),
        Column("admin1_name", _("Admin level 1")),
        Column("admin2_pcode", _("Admin level 2 p-code")),
        Column("admin2_name", _("Admin level 2")),
        Column("violation_forms", _("Forms of violation")),
        Column("perpetrator_categories", _("Perpetrators' categories")),
        Column("perpetrator_parties", _("Named parties")),
        Column("victims_women", _("Women")),
        Column("victims_girls", _("Girls")),
        Column("victims_men", _("Men")),
        Column("victims_boys", _("Boys")),
        Column("victims_unknown_sex", _("Sex unknown")),
        Column("victims_total", _("Victims")),
        Column("verification_status", _("Verification")),
    ]


def _row(values: Sequence[Any]) -> list[Cell]:
    (_id, month, report_month, office, pcode1, name1, pcode2, name2, forms, categories, parties, *rest) = (
        values
    )
    women, girls, men, boys, unknown, verification = rest
    return [
        str(uuid.uuid4()),  # made here, for this file only: never the incident's reference
        month,
        report_month,
        office,
        pcode1 or "",
        name1 or "",
        pcode2 or "",
        name2 or "",
        list(forms),
        list(categories),
        list(parties),
        women,
        girls,
        men,
        boys,
        unknown,
        women + girls + men + boys + unknown,
        verification,
    ]


def _read(incident_ids: list[int]) -> dict[int, Sequence[Cell]]:
    with connection.cursor() as cursor:
        cursor.execute(_ROWS, [incident_ids])
        return {values[0]: _row(values) for values in cursor.fetchall()}


def notes(period: str) -> list[str]:
    return [
        _(
            "De-identified incident feed for %(period)s: one row per incident that counts in the "
            "statistics (not a draft, not sexual exploitation and abuse by UN personnel, not found "
            "not to have occurred, every linked survivor consenting)."
        )
        % {"period": period},
        _(
            "The row id is made at random for this file only. Dates are months, places admin level 1 "
            "and 2; victims are the incident's tallies (the MARA unit)."
        ),
    ]


def sage_export(*, user: Any, scope: StatisticsScope, period: Period) -> ExportData:
    """The feed's rows for the period, of the incidents `user` may see."""
    ids = selection.incident_ids(
        user=user, mission_ids=scope.mission_ids, month_from=period.first_month, month_to=period.last_month
    )
    table = Table(
        name="incidents",
        title=_("Incidents"),
        columns=columns(),
        rows=batched_rows(ids, _read),
        header_keys=True,
    )
    return ExportData(
        kind="sage",
        period=str(period),
        title=_("De-identified incident feed (SAGE)"),
        notes=notes(str(period)),
        tables=[table],
        row_count=len(ids),
        csv_plain=True,
    )

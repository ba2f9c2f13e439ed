"""The MARA tables for the Secretary-General's annual report (issue 13 item 5), for one fixed
period, from the statistics layer (`statistics_load`), never from rows.

Tables: the incidents by month and by admin level 1 (published together: they share the
incidents' total, so they go through one suppression pass); the victims by women, girls, men,
boys and sex unknown (the incidents' tallies); the violations by form; the incidents by
perpetrator category and by named party (with the annex-listed flag). An incident may have
several categories and parties: those two tables have no total (their sum is not a count of
anything), yet are suppressed as if their sum were published, since it may equal the incidents'.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from incidents.models import Location, PartyToConflict, Perpetrator, Violation
from reports.disclosure import Period, Published, suppression_legend
from reports.exports.controlled import breakdowns_controlled, counts_controlled
from reports.exports.tables import Cell, Column, ExportData, Table
from reports.statistics import StatisticsFilter, StatisticsScope, months_between, statistics_load

MEASURES = ("incidents", "victims", "violations", "perpetrator_category", "perpetrator_party")
UNKNOWN_PLACE = "unknown"
# SEA incidents never count, so no incident has this category here.
CATEGORIES: list[tuple[str, StrOrPromise]] = [
    (v, label) for v, label in Perpetrator.Category.choices if v != Perpetrator.Category.UN_PERSONNEL
]


def _victim_sexes() -> list[tuple[str, StrOrPromise]]:
    return [
        ("women", _("Women")),
        ("girls", _("Girls")),
        ("men", _("Men")),
        ("boys", _("Boys")),
        ("unknown", _("Sex unknown")),
    ]


def _rows(
    keys: Sequence[str], labels: Mapping[str, Sequence[Cell]], shown: Mapping[str, Published]
) -> list[list[Cell]]:
    return [[*labels[key], shown[key]] for key in keys]


def _incident_tables(stats: Any, period: Any) -> list[Table]:
    months = [m.isoformat()[:7] for m in months_between(period.first_month, period.last_month)]
    by_month = {m.isoformat()[:7]: n for m, n in stats.by("incidents", "month").items()}
    by_admin1 = {
        str(k) if k is not None else UNKNOWN_PLACE: n for k, n in stats.by("incidents", "admin1").items()
    }
    places = {
        str(p.pk): p
        for p in Location.objects.filter(pk__in=[int(k) for k in by_admin1 if k != UNKNOWN_PLACE])
    }
    admin1_keys = sorted((k for k in by_admin1 if k != UNKNOWN_PLACE), key=lambda k: places[k].name)
    if UNKNOWN_PLACE in by_admin1:
        admin1_keys.append(UNKNOWN_PLACE)
    (month_shown, admin1_shown), total = breakdowns_controlled([(months, by_month), (admin1_keys, by_admin1)])
    place_labels: dict[str, Sequence[Cell]] = {
        k: [places[k].pcode, places[k].name] if k in places else ["", _("Not known")] for k in admin1_keys
    }
    return [
        Table(
            name="incidents_by_month",
            title=_("Incidents by month"),
            columns=[Column("month", _("Month")), Column("incidents", _("Incidents"))],
            rows=[*_rows(months, {m: [m] for m in months}, month_shown), [_("Total"), total]],
        ),
        Table(
            name="incidents_by_admin1",
            title=_("Incidents by admin level 1"),
            columns=[
                Column("pcode", _("P-code")),
                Column("admin1", _("Admin level 1")),
                Column("incidents", _("Incidents")),
            ],
            rows=[*_rows(admin1_keys, place_labels, admin1_shown), ["", _("Total"), total]],
        ),
    ]


def _breakdown_table(
    name: str,
    title: str,
    head: Column,
    choices: Sequence[tuple[str, StrOrPromise]],
    counts: Mapping[str, int],
    *,
    total: bool,
) -> Table:
    keys = [key for key, _label in choices]
    shown, shown_total = counts_controlled({key: counts.get(key, 0) for key in keys})
    rows = _rows(keys, {key: [str(label)] for key, label in choices}, shown)
    if total:
        rows.append([_("Total"), shown_total])
    return Table(name=name, title=title, columns=[head, Column("count", _("Count"))], rows=rows)


def _party_table(counts: Mapping[str, int]) -> Table:
    parties = {str(p.pk): p for p in PartyToConflict.objects.filter(pk__in=[int(k) for k in counts])}
    keys = sorted(parties, key=lambda k: parties[k].name)
    shown, _total = counts_controlled({key: counts[key] for key in keys})
    labels: dict[str, Sequence[Cell]] = {
        k: [parties[k].name, _("yes") if parties[k].listed_in_sg_annex else _("no")] for k in keys
    }
    return Table(
        name="incidents_by_party",
        title=_("Incidents by named party"),
        columns=[
            Column("party", _("Party to the conflict")),
            Column("annex_listed", _("Listed in the Secretary-General's annex")),
            Column("incidents", _("Incidents")),
        ],
        rows=_rows(keys, labels, shown),
    )


def notes(period: str) -> list[str]:
    return [
        _("MARA tables for %(period)s, from the statistics of the incidents that count.")
        % {"period": period},
        _(
            "Counting units: incidents; victims (the incidents' tallies of women, girls, men, boys and "
            "sex unknown); violations (one per form per incident)."
        ),
        _(
            "An incident is counted once under each of its perpetrator categories and named parties: "
            "those tables have no total."
        ),
        _(
            "Not counted: drafts, incidents of sexual exploitation and abuse by UN personnel, incidents "
            "found not to have occurred, and incidents of a survivor who has not consented to "
            "non-identifiable reporting."
        ),
        *suppression_legend(),
    ]


def mara_export(*, user: Any, scope: StatisticsScope, period: Period) -> ExportData:
    """The MARA tables of `period` in `scope` (user: for the signature shared by every kind)."""
    filters = StatisticsFilter(month_from=period.first_month, month_to=period.last_month)
    stats = statistics_load(scope, filters, measures=MEASURES)
    tables = [
        *_incident_tables(stats, period),
        _breakdown_table(
            "victims_by_sex",
            _("Victims by sex and age"),
            Column("victims", _("Victims")),
            _victim_sexes(),
            stats.breakdown("victims"),
            total=True,
        ),
        _breakdown_table(
            "violations_by_form",
            _("Violations by form"),
            Column("form", _("Form of violation")),
            Violation.Form.choices,
            stats.breakdown("violations"),
            total=True,
        ),
        _breakdown_table(
            "incidents_by_perpetrator",
            _("Incidents by perpetrator category"),
            Column("category", _("Perpetrator category")),
            CATEGORIES,
            stats.breakdown("perpetrator_category"),
            total=False,
        ),
        _party_table(stats.breakdown("perpetrator_party")),
    ]
    return ExportData(
        kind="mara",
        period=str(period),
        title=_("MARA tables"),
        notes=notes(str(period)),
        tables=tables,
        row_count=sum(len(table.rows) for table in tables if isinstance(table.rows, list)),
    )

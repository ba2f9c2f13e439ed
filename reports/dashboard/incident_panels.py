"""The panels counted from incidents (MARA units): when and where, which violations, who
committed them, the victims of the tallies, verification, reporting delay, justice.

Every panel reads the one `Statistics` of the request; names come from the filter options
(offices, places) and the one query for the parties present.
"""

from __future__ import annotations

import functools
from datetime import date

from django.utils.dateformat import format as date_format
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from incidents.models import AccountabilityStep, Incident, Perpetrator, Violation
from reports.dashboard.panels import Cell, Chart, Figure, Panel, Row, Section
from reports.dashboard.tables import (
    PLACE_NOT_KNOWN,
    TOTAL,
    UNKNOWN_KEY,
    Item,
    Sources,
    average,
    choice_items,
    count_panel,
    in_unit,
    largest_first,
    table_panel,
)
from reports.statistics import ratio

UNIT_INCIDENTS = gettext_lazy("Incidents (MARA: one per incident)")
UNIT_VIOLATIONS = gettext_lazy("Violations (MARA: one per form of violation in an incident)")
UNIT_PERPETRATORS = gettext_lazy(
    "Incidents (MARA: an incident counts once under each category or party it names)"
)
UNIT_VICTIMS = gettext_lazy(
    "Victims (MARA: the incidents' tallies of women, girls, men, boys and unknown sex)"
)
UNIT_VERIFIED = gettext_lazy("Verified incidents (MARA)")
UNIT_JUSTICE = gettext_lazy("Incidents (an incident counts once per step and court)")
INCIDENTS = gettext_lazy("Incidents")

VICTIM_SEXES = (
    ("women", gettext_lazy("Women")),
    ("girls", gettext_lazy("Girls")),
    ("men", gettext_lazy("Men")),
    ("boys", gettext_lazy("Boys")),
    ("unknown", gettext_lazy("Sex unknown")),
)
VERIFICATION_BANDS = (
    ("band:0_7", gettext_lazy("0-7 days")),
    ("band:8_30", gettext_lazy("8-30 days")),
    ("band:31_90", gettext_lazy("31-90 days")),
    ("band:over_90", gettext_lazy("Over 90 days")),
)
# "Did not occur" never counts (reports_countable_incident); nor does SEA (UN personnel).
VERIFICATION_STATUSES = [
    (value, label)
    for value, label in Incident.VerificationStatus.choices
    if value != Incident.VerificationStatus.DID_NOT_OCCUR
]
PERPETRATOR_CATEGORIES = [
    (value, label)
    for value, label in Perpetrator.Category.choices
    if value != Perpetrator.Category.UN_PERSONNEL
]


def incident_sections(sources: Sources) -> list[Section]:
    return [
        Section(
            "incidents",
            _("Incidents"),
            (
                _by_month(sources),
                _by_office(sources),
                _by_place(sources, "admin1"),
                _by_place(sources, "admin2"),
            ),
        ),
        Section(
            "violations",
            _("Violations and perpetrators"),
            (_violations(sources), _perpetrator_categories(sources), _perpetrator_parties(sources)),
        ),
    ]


@functools.lru_cache(maxsize=1024)
def _month_label(month: date, language: str) -> tuple[str, str, str]:
    """`language` is the active one (part of the key only)."""
    return (
        f"{month:%Y-%m}",
        capfirst(date_format(month, "F Y")),
        # "N": "Jan.", "July", "Sept."; in French "janv.", "juin", "juil." ("b" gives "jui" twice).
        date_format(month, "N Y"),
    )


def month_labels(sources: Sources) -> list[tuple[str, str, str]]:
    """(key, table label, chart label) of every month of the period: "2026-01", "January
    2026", "Jan. 2026" (short enough for a column's label); each written once per language."""
    language = get_language() or ""
    return [_month_label(month, language) for month in sources.filters.months()]


def _by_month(sources: Sources) -> Panel:
    counts = {f"{month:%Y-%m}": n for month, n in sources.stats.by("incidents", "month").items()}
    labels = month_labels(sources)
    panel = count_panel(
        sources,
        key="incidents_by_month",
        title=_("Incidents by month"),
        unit=UNIT_INCIDENTS,
        heading=_("Month"),
        column=INCIDENTS,
        items=[(key, label, counts.get(key, 0)) for key, label, _short in labels],
        chart="column",
    )
    chart = Chart("column", tuple((short, counts.get(key, 0)) for key, _label, short in labels))
    return Panel(panel.key, panel.title, panel.unit, panel.heading, panel.columns, panel.rows, chart)


def _by_office(sources: Sources) -> Panel:
    counts = sources.stats.by("incidents", "field_office")
    offices = sources.options.offices
    if sources.filters.office is not None:
        offices = (sources.filters.office,)
    items: list[Item] = [(office.key, office.name, counts.pop(office.id, 0)) for office in offices]
    # An office no longer of her scope cannot be counted (the scope bounds the load); a
    # leftover key is shown by its number rather than dropped from the total.
    items += [(str(pk), str(pk), n) for pk, n in counts.items()]
    return count_panel(
        sources,
        key="incidents_by_office",
        title=_("Incidents by field office"),
        unit=UNIT_INCIDENTS,
        heading=_("Field office"),
        column=INCIDENTS,
        items=largest_first(items),
    )


def _by_place(sources: Sources, level: str) -> Panel:
    places = sources.options.place_by_id
    items: list[Item] = []
    for pk, n in sources.stats.by("incidents", level).items():
        place = places.get(pk) if pk is not None else None
        if place is not None:
            items.append((place.pcode, place.label, n))
        else:
            items.append((UNKNOWN_KEY if pk is None else str(pk), str(PLACE_NOT_KNOWN), n))
    if level == "admin1":
        title, heading = _("Incidents by province (admin level 1)"), _("Province (admin level 1)")
    else:
        title, heading = (
            _("Incidents by territory or city (admin level 2)"),
            _("Territory or city (admin level 2)"),
        )
    return count_panel(
        sources,
        key=f"incidents_by_{level}",
        title=title,
        unit=UNIT_INCIDENTS,
        heading=heading,
        column=INCIDENTS,
        items=largest_first(items),
    )


def _violations(sources: Sources) -> Panel:
    return count_panel(
        sources,
        key="violations_by_form",
        title=_("Violations by form"),
        unit=UNIT_VIOLATIONS,
        heading=_("Form of violation"),
        column=_("Violations"),
        items=largest_first(choice_items(sources, "violations", Violation.Form.choices)),
    )


def _perpetrator_categories(sources: Sources) -> Panel:
    return count_panel(
        sources,
        key="perpetrator_category",
        title=_("Perpetrators by category"),
        unit=UNIT_PERPETRATORS,
        heading=_("Perpetrator category"),
        column=INCIDENTS,
        items=largest_first(choice_items(sources, "perpetrator_category", PERPETRATOR_CATEGORIES)),
        total=None,  # an incident naming two categories counts under each
    )


def _perpetrator_parties(sources: Sources) -> Panel:
    names = sources.party_names
    items: list[Item] = [
        (value, names.get(int(value), value) if value.isdigit() else value, n)
        for value, n in sources.stats.breakdown("perpetrator_party").items()
    ]
    return count_panel(
        sources,
        key="perpetrator_party",
        title=_("Perpetrators by named party"),
        unit=UNIT_PERPETRATORS,
        heading=_("Party to the conflict"),
        column=INCIDENTS,
        items=largest_first(items),
        total=None,
    )


def victims_panel(sources: Sources) -> Panel:
    counts = sources.stats.breakdown("victims")
    items: list[Item] = [(key, str(label), counts.get(key, 0)) for key, label in VICTIM_SEXES]
    panel = count_panel(
        sources,
        key="victims",
        title=_("Victims by sex and age"),
        unit=UNIT_VICTIMS,
        heading=_("Victims"),
        column=_("Victims"),
        items=items,
        total=None,
    )
    adults = counts.get("women", 0) + counts.get("men", 0)
    children = counts.get("girls", 0) + counts.get("boys", 0)
    foot = (
        Row("adults", _("Adults (women and men)"), (sources.count(adults),), kind="subtotal"),
        Row("children", _("Children (girls and boys)"), (sources.count(children),), kind="subtotal"),
        Row("total", str(TOTAL), (sources.count(sum(n for *_, n in items)),), kind="total"),
    )
    return Panel(
        panel.key, panel.title, panel.unit, panel.heading, panel.columns, panel.rows + foot, panel.chart
    )


def verification_section(sources: Sources) -> Section:
    stats, numbers = sources.stats, sources.numbers
    incidents, verified = stats.total("incidents"), stats.total("verification", "verified")
    delay_n, delay_days = stats.total("verification_delay", "n"), stats.total("verification_delay", "days")
    rate = ratio(verified, incidents)
    mean_days = average(delay_days, delay_n)
    figures = (
        Figure(
            "verification_rate",
            _("Verification rate"),
            rate,
            numbers.percent(rate),
            ngettext(
                "%(verified)s verified of %(incidents)s incident",
                "%(verified)s verified of %(incidents)s incidents",
                incidents,
            )
            % {"verified": numbers.integer(verified), "incidents": numbers.integer(incidents)},
        ),
        Figure(
            "verification_days",
            _("Average time from report to verification"),
            mean_days,
            in_unit(numbers.decimal(mean_days), _("%(number)s days"), mean_days),
            ngettext(
                "over %(count)s verified incident with a date of verification",
                "over %(count)s verified incidents with a date of verification",
                delay_n,
            )
            % {"count": numbers.integer(delay_n)},
        ),
    )
    status = count_panel(
        sources,
        key="verification_status",
        title=_("Verification status"),
        unit=UNIT_INCIDENTS,
        heading=_("Status"),
        column=INCIDENTS,
        items=choice_items(sources, "verification", VERIFICATION_STATUSES),
        figures=figures,
    )
    bands = [(key, str(label), stats.total("verification_delay", key)) for key, label in VERIFICATION_BANDS]
    delay = count_panel(
        sources,
        key="verification_delay",
        title=_("Time from report to verification"),
        unit=UNIT_VERIFIED,
        heading=_("Days"),
        column=_("Verified incidents"),
        items=bands,
    )
    reporting = count_panel(
        sources,
        key="reporting_delay",
        title=_("Time from incident to report"),
        unit=UNIT_INCIDENTS,
        heading=_("Delay"),
        column=INCIDENTS,
        items=choice_items(
            sources,
            "reporting_delay",
            [*Incident.DelayBand.choices, (UNKNOWN_KEY, gettext_lazy("Not known"))],
        ),
    )
    return Section("verification", _("Verification and reporting"), (status, delay, reporting))


def justice_section(sources: Sources) -> Section:
    counts = sources.stats.breakdown("justice")
    courts = AccountabilityStep.Court.choices
    court_stages = set(AccountabilityStep.COURT_STAGES)
    rows: list[Row] = []
    chart: list[tuple[str, int]] = []
    for stage, label in AccountabilityStep.Stage.choices:
        if stage in court_stages:
            by_court = [counts.get(f"{stage}:{court}", 0) for court, _label in courts]
            cells = [sources.count(n) for n in by_court]
            total = sum(by_court)
        else:
            total = counts.get(stage, 0)
            cells = [Cell(None, sources.numbers.integer(None)) for _court in courts]
        rows.append(Row(stage, str(label), (*cells, sources.count(total))))
        chart.append((str(label), total))
    panel = table_panel(
        key="justice_by_stage",
        title=_("Justice and accountability steps"),
        unit=UNIT_JUSTICE,
        heading=_("Step"),
        columns=[*courts, ("total", TOTAL)],
        rows=rows,
        chart=Chart("bar", tuple(chart)),
    )
    return Section("justice", _("Justice and accountability"), (panel,))

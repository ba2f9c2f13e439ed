"""The panels read from survivor cases (GBVIMS units; mission-level roles only, as the scope
says) and from early-warning alerts: survivors by sex and age band, medical care within 72
hours of rape, referrals' time to acceptance and completion, alerts' time to response."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from incidents.models import Alert
from referrals.models import ServiceType
from reports.dashboard.panels import Cell, Chart, Figure, Panel, Row, Section
from reports.dashboard.tables import (
    TOTAL,
    UNKNOWN_KEY,
    Item,
    Sources,
    average,
    choice_items,
    count_panel,
    in_unit,
    table_panel,
)
from reports.statistics import ratio
from survivors.models import Survivor

UNIT_SURVIVORS = gettext_lazy("Survivors (GBVIMS: one per survivor-incident link)")
UNIT_RAPES = gettext_lazy("Rapes with a linked survivor (GBVIMS: one per incident)")
UNIT_REFERRALS = gettext_lazy("Referrals sent (GBVIMS: survivors who consent to statistics)")
UNIT_REFERRAL_HOURS = gettext_lazy("Hours from sending, averaged over the referrals accepted or completed")
UNIT_ALERTS = gettext_lazy("Alerts received")
SERVICE_TYPE = gettext_lazy("Service type")
MINUTES = gettext_lazy("%(number)s minutes")


def survivor_sections(sources: Sources) -> list[Section]:
    """Survivors and care: only for a scope that counts survivors (never a WPA's)."""
    return [
        Section(
            "care",
            _("Referrals and care"),
            (_referrals(sources), _referral_times(sources), _rape_care(sources)),
        )
    ]


def survivors_panel(sources: Sources) -> Panel:
    """Survivors by age band (rows) and sex (columns), from the "sex:age band" values."""
    sexes = [(str(value), str(label)) for value, label in Survivor.Sex.choices]
    bands = [(str(value), str(label)) for value, label in Survivor.AgeBand.choices]
    sex_keys, band_keys = {key for key, _l in sexes}, {key for key, _l in bands}
    grid: dict[tuple[str, str], int] = {}
    for value, n in sources.stats.breakdown("survivors").items():
        sex, _colon, band = value.partition(":")
        cell = (sex if sex in sex_keys else UNKNOWN_KEY, band if band in band_keys else UNKNOWN_KEY)
        grid[cell] = grid.get(cell, 0) + n
    rows, chart = [], []
    for band, label in bands:
        counts = [grid.get((sex, band), 0) for sex, _label in sexes]
        rows.append(Row(band, label, (*(sources.count(n) for n in counts), sources.count(sum(counts)))))
        chart.append((label, tuple(counts)))
    by_sex = [sum(grid.get((sex, band), 0) for band, _l in bands) for sex, _label in sexes]
    rows.append(
        Row(
            "total",
            str(TOTAL),
            (*(sources.count(n) for n in by_sex), sources.count(sum(by_sex))),
            kind="total",
        )
    )
    return table_panel(
        key="survivors",
        title=_("Survivors by sex and age band"),
        unit=UNIT_SURVIVORS,
        heading=_("Age band"),
        columns=[*sexes, ("total", TOTAL)],
        rows=rows,
        chart=Chart("stacked", tuple(chart), series=tuple(label for _sex, label in sexes)),
    )


def _referrals(sources: Sources) -> Panel:
    stats = sources.stats
    rows, chart, sums = [], [], [0, 0, 0]
    for service, label in ServiceType.choices:
        counts = (
            stats.total("referrals", service),
            stats.total("referral_accepted", service),
            stats.total("referral_completed", service),
        )
        sums = [a + b for a, b in zip(sums, counts, strict=True)]
        rows.append(Row(service, str(label), tuple(sources.count(n) for n in counts)))
        chart.append((str(label), counts[0]))
    rows.append(Row("total", str(TOTAL), tuple(sources.count(n) for n in sums), kind="total"))
    return table_panel(
        key="referrals_by_service",
        title=_("Referrals by service type"),
        unit=UNIT_REFERRALS,
        heading=SERVICE_TYPE,
        columns=[("sent", _("Sent")), ("accepted", _("Accepted")), ("completed", _("Completed"))],
        rows=rows,
        chart=Chart("bar", tuple(chart)),
    )


def _hours_cells(sources: Sources, minutes: tuple[int, int], counts: tuple[int, int]) -> tuple[Cell, ...]:
    means = [average(total, n, 60.0) for total, n in zip(minutes, counts, strict=True)]
    return tuple(Cell(mean, sources.numbers.decimal(mean)) for mean in means)


def _referral_times(sources: Sources) -> Panel:
    stats = sources.stats
    rows, chart = [], []
    for service, label in ServiceType.choices:
        minutes = (
            stats.total("referral_accept_minutes", service),
            stats.total("referral_complete_minutes", service),
        )
        counts = (stats.total("referral_accepted", service), stats.total("referral_completed", service))
        cells = _hours_cells(sources, minutes, counts)
        rows.append(Row(service, str(label), cells))
        chart.append((str(label), round(cells[0].value or 0)))
    minutes = (stats.total("referral_accept_minutes"), stats.total("referral_complete_minutes"))
    counts = (stats.total("referral_accepted"), stats.total("referral_completed"))
    rows.append(Row("total", _("All service types"), _hours_cells(sources, minutes, counts), kind="total"))
    return table_panel(
        key="referral_times",
        title=_("Time to acceptance and completion"),
        unit=UNIT_REFERRAL_HOURS,
        heading=SERVICE_TYPE,
        columns=[
            ("accept_hours", _("Average hours to acceptance")),
            ("complete_hours", _("Average hours to completion")),
        ],
        rows=rows,
        chart=Chart("bar", tuple(chart)),
    )


def _rape_care(sources: Sources) -> Panel:
    numbers = sources.numbers
    linked, reached = (
        sources.stats.total("rape_care", "linked"),
        sources.stats.total("rape_care", "medical_72h"),
    )
    share = ratio(reached, linked)
    figure = Figure(
        "medical_72h_share",
        _("Share of rapes reaching medical care within 72 hours"),
        share,
        numbers.percent(share),
        _("%(reached)s of %(linked)s")
        % {"reached": numbers.integer(reached), "linked": numbers.integer(linked)},
    )
    items: list[Item] = [
        ("linked", _("Rapes with a linked survivor"), linked),
        ("medical_72h", _("Medical care accepted within 72 hours"), reached),
    ]
    return count_panel(
        sources,
        key="rape_care",
        title=_("Medical care within 72 hours of rape"),
        unit=UNIT_RAPES,
        heading=_("Rapes"),
        column=_("Incidents"),
        items=items,
        total=None,  # the second row is part of the first
        figures=(figure,),
    )


def alert_section(sources: Sources) -> Section:
    stats, numbers = sources.stats, sources.numbers
    by_urgency = count_panel(
        sources,
        key="alerts_by_urgency",
        title=_("Alerts by urgency"),
        unit=UNIT_ALERTS,
        heading=_("Urgency"),
        column=_("Alerts"),
        items=choice_items(sources, "alerts", reversed(Alert.Urgency.choices)),
    )
    received = stats.total("alerts")
    steps = (
        (
            "acknowledged",
            _("Acknowledged"),
            _("Average time to acknowledge"),
            "alert_acknowledged",
            "alert_ack_minutes",
        ),
        (
            "dispatched",
            _("Response dispatched"),
            _("Average time to dispatch a response"),
            "alert_dispatched",
            "alert_dispatch_minutes",
        ),
    )
    rows = [Row("received", _("Received"), (sources.count(received), Cell(None, numbers.integer(None))))]
    chart = [(rows[0].label, received)]
    figures = []
    for key, label, title, count_measure, minutes_measure in steps:
        n = stats.total(count_measure)
        mean = average(stats.total(minutes_measure), n)
        rows.append(Row(key, label, (sources.count(n), Cell(mean, numbers.decimal(mean)))))
        chart.append((label, n))
        detail = ngettext("%(count)s of %(received)s alert", "%(count)s of %(received)s alerts", received) % {
            "count": numbers.integer(n),
            "received": numbers.integer(received),
        }
        text = in_unit(numbers.decimal(mean), str(MINUTES), mean)
        figures.append(Figure(f"{key}_minutes", title, mean, text, detail))
    response = table_panel(
        key="alert_response",
        title=_("Alert response"),
        unit=UNIT_ALERTS,
        heading=_("Step"),
        columns=[("alerts", _("Alerts")), ("minutes", _("Average minutes from reception"))],
        rows=rows,
        chart=Chart("bar", tuple(chart)),
        figures=figures,
    )
    return Section("alerts", _("Early warning"), (by_urgency, response))

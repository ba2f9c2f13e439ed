"""What every panel builder shares: the numbers it reads (`Sources`) and the shapes of table
the dashboard uses (a count per row, counts in several columns)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from reports.dashboard.filters import DashboardFilters, DashboardOptions
from reports.dashboard.numbers import Numbers
from reports.dashboard.panels import Cell, Chart, ChartKind, Column, Figure, Panel, Row
from reports.statistics import Statistics

TOTAL = _("Total")
PLACE_NOT_KNOWN = _("Place not known")
UNKNOWN_KEY = "unknown"

# (row key, label, count)
Item = tuple[str, str, int]


@dataclass(frozen=True)
class Sources:
    """What the panels are built from: one `statistics_load`, the names of the offices and
    places (`options`) and of the parties present, and the numbers' format."""

    stats: Statistics
    filters: DashboardFilters
    options: DashboardOptions
    party_names: dict[int, str]
    numbers: Numbers

    def count(self, value: int) -> Cell:
        return Cell(value, self.numbers.integer(value))


def largest_first(items: Iterable[Item]) -> list[Item]:
    """By count, largest first; ties by label."""
    return sorted(items, key=lambda item: (-item[2], item[1]))


def choice_items(sources: Sources, measure: str, choices: Iterable[tuple[str, object]]) -> list[Item]:
    """One item per choice (zeros included), then any value the choices do not know (by its
    code, so that a total always equals the sum of its rows)."""
    counts = sources.stats.breakdown(measure)
    known = [(str(value), str(label), counts.get(str(value), 0)) for value, label in choices]
    names = {value for value, _label, _n in known}
    return known + [(value, value, n) for value, n in counts.items() if value not in names]


def count_panel(
    sources: Sources,
    *,
    key: str,
    title: object,
    unit: object,
    heading: object,
    column: object,
    items: Sequence[Item],
    chart: ChartKind = "bar",
    total: object | None = TOTAL,
    figures: Sequence[Figure] = (),
) -> Panel:
    """A panel of one count per row, its chart drawn from the same rows; with `total`, a
    total row (left out where the rows may overlap: an incident naming two categories)."""
    rows = [Row(item_key, label, (sources.count(n),)) for item_key, label, n in items]
    if total is not None:
        rows.append(Row("total", str(total), (sources.count(sum(n for *_, n in items)),), kind="total"))
    return Panel(
        key=key,
        title=str(title),
        unit=str(unit),
        heading=str(heading),
        columns=(Column("count", str(column)),),
        rows=tuple(rows),
        chart=Chart(chart, tuple((label, n) for _key, label, n in items)),
        figures=tuple(figures),
    )


def table_panel(
    *,
    key: str,
    title: object,
    unit: object,
    heading: object,
    columns: Sequence[tuple[str, object]],
    rows: Sequence[Row],
    chart: Chart,
    figures: Sequence[Figure] = (),
) -> Panel:
    """A panel of several columns; the caller says what its chart shows."""
    return Panel(
        key=key,
        title=str(title),
        unit=str(unit),
        heading=str(heading),
        columns=tuple(Column(column_key, str(label)) for column_key, label in columns),
        rows=tuple(rows),
        chart=chart,
        figures=tuple(figures),
    )


def average(total: int, count: int, scale: float = 1.0) -> float | None:
    """`total / count / scale`, or None when nothing was counted."""
    return total / count / scale if count else None


def in_unit(text: str, template: str, value: float | None) -> str:
    """`text` put in `template` ("%(number)s days"), or "—" alone when `value` is None."""
    return text if value is None else template % {"number": text}

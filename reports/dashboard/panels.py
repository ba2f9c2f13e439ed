"""The dashboard as values: sections of panels, each a table with the chart drawn from it.

Both doors read these: the page draws each panel's `chart` (reports.charts) above its table,
the API writes them as JSON. Every text is already translated and every number already
written (`Cell.text`) in the language of the request; the numbers themselves stay beside
their texts (`Cell.value`: an int, a float for averages and ratios, None when there is
nothing to divide by).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from reports.dashboard.filters import DashboardFilters

Number = int | float | None
ChartKind = Literal["bar", "column", "stacked"]


@dataclass(frozen=True, slots=True)
class Cell:
    value: Number
    text: str


@dataclass(frozen=True, slots=True)
class Row:
    """A row of a panel's table. `kind`: "" for a row of the breakdown, "subtotal" or "total"
    for the sums under it (shown in the table's foot, left out of the chart)."""

    key: str
    label: str
    cells: tuple[Cell, ...]
    kind: str = ""


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str


@dataclass(frozen=True, slots=True)
class Figure:
    """A headline number of a panel (a rate, an average), with what it was computed from."""

    key: str
    label: str
    value: Number
    text: str
    detail: str = ""  # e.g. "12 of 40 incidents"


@dataclass(frozen=True, slots=True)
class Chart:
    """What the page draws: `rows` of (label, count), or for "stacked" (label, counts per
    `series`)."""

    kind: ChartKind
    rows: tuple[tuple[str, int], ...] | tuple[tuple[str, tuple[int, ...]], ...]
    series: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Panel:
    key: str
    title: str
    unit: str  # the counting unit, labelled (MARA or GBVIMS)
    heading: str  # the head of the table's first column
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    chart: Chart
    figures: tuple[Figure, ...] = ()

    @property
    def body_rows(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if not row.kind)

    @property
    def foot_rows(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if row.kind)


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    panels: tuple[Panel, ...]


@dataclass(frozen=True)
class Dashboard:
    """One user's dashboard for one filter: her scope decides the sections."""

    filters: DashboardFilters
    mission_level: bool
    survivor_panels: bool
    sections: tuple[Section, ...]

    @property
    def month_from(self) -> date:
        return self.filters.month_from

    @property
    def month_to(self) -> date:
        return self.filters.month_to

    def panel(self, key: str) -> Panel:
        return next(panel for section in self.sections for panel in section.panels if panel.key == key)

    def panel_keys(self) -> list[str]:
        return [panel.key for section in self.sections for panel in section.panels]

"""The statistics dashboard (issue 13 item 2): panels assembled once, for the page and the API.

- `filters`: the offices and places a dashboard may be filtered by, the period by default;
- `build`: `dashboard_build(scope, filters, options)`, every panel from one `statistics_load`;
- `panels`: the values both doors render (sections, panels, rows, cells, figures, charts);
- `incident_panels`, `care_panels`: the panels, by what they count;
- `tables`, `numbers`: the shapes of table, and numbers written in the active language.
"""

from __future__ import annotations

from reports.dashboard.build import dashboard_assemble, dashboard_build
from reports.dashboard.filters import (
    DEFAULT_MONTHS,
    MAX_MONTHS,
    DashboardFilters,
    DashboardOptions,
    OfficeOption,
    PlaceOption,
    dashboard_options,
    default_period,
    month_add,
    month_count,
)
from reports.dashboard.panels import Cell, Chart, Column, Dashboard, Figure, Panel, Row, Section

__all__ = [
    "DEFAULT_MONTHS",
    "MAX_MONTHS",
    "Cell",
    "Chart",
    "Column",
    "Dashboard",
    "DashboardFilters",
    "DashboardOptions",
    "Figure",
    "OfficeOption",
    "Panel",
    "PlaceOption",
    "Row",
    "Section",
    "dashboard_assemble",
    "dashboard_build",
    "dashboard_options",
    "default_period",
    "month_add",
    "month_count",
]

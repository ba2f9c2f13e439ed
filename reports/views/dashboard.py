"""The dashboard page, GET /reports/: an adapter over `reports.dashboard`.

Her scope first (`statistics_scope`: a role without a dashboard is 403), then the filter form
(the query; a refused field is shown with its error and replaced by its default), then the one
assembly the API calls too. The page adds what the API does not: each panel's SVG chart
(reports.charts), drawn from the same rows as the table under it.
"""

from __future__ import annotations

import functools

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from crsv.accounts.http import AuthenticatedHttpRequest
from reports import charts
from reports.dashboard import (
    DashboardFilters,
    DashboardOptions,
    OfficeOption,
    Panel,
    PlaceOption,
    dashboard_build,
    dashboard_options,
    default_period,
)
from reports.forms.filters import DashboardFilterForm
from reports.statistics import statistics_scope


def panel_chart(panel: Panel) -> SafeString:
    """The panel's chart, titled and described like its table."""
    chart, html_id = panel.chart, f"chart-{panel.key}"
    if chart.kind == "stacked":
        return charts.stacked_bar_chart(
            chart.rows,  # type: ignore[arg-type]  # a stacked chart's rows hold one count per series
            series=chart.series,
            title=panel.title,
            unit_label=panel.unit,
            html_id=html_id,
        )
    draw = charts.column_chart if chart.kind == "column" else charts.bar_chart
    return draw(chart.rows, title=panel.title, unit_label=panel.unit, html_id=html_id)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=64)
def _blank_filter_fields(
    language: str,
    offices: tuple[OfficeOption, ...],
    admin1: tuple[PlaceOption, ...],
    admin2: tuple[PlaceOption, ...],
) -> SafeString:
    """The filter fields of a dashboard asked with no query (the usual visit), rendered once
    per language and choices (`language` is the active one, part of the key only); a renamed
    office or place is a new key."""
    options = DashboardOptions(offices=offices, admin1=admin1, admin2=admin2)
    form = DashboardFilterForm({}, options=options, today=timezone.localdate())
    form.is_valid()
    # A template's output is escaped already (render_to_string returns a SafeString; typed str).
    return SafeString(render_to_string("reports/dashboard_filters.html", {"form": form}))  # nosec B703


# Compressed: eighteen charts and their tables are some 60 KB of markup (8 KB gzipped) for a field
# office on a slow link. Safe from BREACH here: the page holds aggregates only, no survivor data,
# it reflects nothing but validated filters, and Django masks its CSRF tokens per response.
@gzip_page
@never_cache
@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = statistics_scope(request.user)  # PermissionDenied: no dashboard for her roles
    options = dashboard_options(scope)
    form: DashboardFilterForm | None = None
    if request.GET:
        form = DashboardFilterForm(request.GET, options=options, today=timezone.localdate())
        form.is_valid()
        filters = form.filters()
        blank_fields = SafeString()
    else:  # the defaults, and the blank form's markup as rendered before
        filters = DashboardFilters(*default_period(timezone.localdate()))
        blank_fields = _blank_filter_fields(
            get_language() or "", options.offices, options.admin1, options.admin2
        )
    board = dashboard_build(scope, filters, options)
    sections = [
        (section, [(panel, panel_chart(panel)) for panel in section.panels]) for section in board.sections
    ]
    context = {
        "form": form,
        "blank_fields": blank_fields,
        "board": board,
        "sections": sections,
        # Mid-sentence: "de décembre 2025 à novembre 2026" (French months take no capital).
        "period_from": date_format(board.month_from, "F Y"),
        "period_to": date_format(board.month_to, "F Y"),
    }
    return render(request, "reports/dashboard.html", context)

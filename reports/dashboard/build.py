"""`dashboard_build`: one user's dashboard for one filter, the one assembly both doors call.

Queries: one `statistics_load` (every panel's numbers), and the names of the parties to the
conflict present in them (one query, none when no party is named). The offices and places are
named from the filter options the caller already read (`dashboard_options`). So the cost does
not grow with the incidents, only with the keys present (months, offices, places, parties).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from incidents.models import PartyToConflict
from reports.dashboard.care_panels import alert_section, survivor_sections, survivors_panel
from reports.dashboard.filters import DashboardFilters, DashboardOptions
from reports.dashboard.incident_panels import (
    incident_sections,
    justice_section,
    verification_section,
    victims_panel,
)
from reports.dashboard.numbers import Numbers
from reports.dashboard.panels import Dashboard, Section
from reports.dashboard.tables import Sources
from reports.statistics import Statistics, StatisticsScope, statistics_load


def _party_names(stats: Statistics) -> dict[int, str]:
    ids = [int(value) for value in stats.breakdown("perpetrator_party") if value.isdigit()]
    if not ids:
        return {}
    return dict(PartyToConflict.objects.filter(id__in=ids).values_list("id", "name"))


def dashboard_build(
    scope: StatisticsScope, filters: DashboardFilters, options: DashboardOptions
) -> Dashboard:
    """Her dashboard for `filters`: one `statistics_load`, the names of the parties in it."""
    stats = statistics_load(scope, filters.statistics_filter())
    return dashboard_assemble(
        stats, scope=scope, filters=filters, options=options, party_names=_party_names(stats)
    )


def dashboard_assemble(
    stats: Statistics,
    *,
    scope: StatisticsScope,
    filters: DashboardFilters,
    options: DashboardOptions,
    party_names: dict[int, str],
) -> Dashboard:
    """The panels her scope may see, from numbers already loaded (no query): survivor and
    referral panels only for a scope that counts survivors (senior WPA, analyst), never for a
    WPA's offices."""
    sources = Sources(
        stats=stats, filters=filters, options=options, party_names=party_names, numbers=Numbers()
    )
    people = [victims_panel(sources)]
    if scope.survivor_measures:
        people.append(survivors_panel(sources))
    sections = [
        *incident_sections(sources),
        Section("people", _("Victims and survivors"), tuple(people)),
        verification_section(sources),
        *(survivor_sections(sources) if scope.survivor_measures else ()),
        alert_section(sources),
        justice_section(sources),
    ]
    return Dashboard(
        filters=filters,
        mission_level=scope.is_mission_level,
        survivor_panels=scope.survivor_measures,
        sections=tuple(sections),
    )

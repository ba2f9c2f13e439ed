"""The one statistics layer (issue 13 item 1): every count, chart and export reads it.

`statistics_scope(user)` says what a user may count: the incidents of her offices (a WPA) or of
her missions (a senior WPA, an analyst: `Capability.SEE_WHOLE_MISSION`), which is her
`Incident.objects.visible_to(user)` narrowed to the countable ones (`reports_countable_incident`:
not a draft, not SEA, not "did not occur", every linked survivor consenting); the survivor and
referral measures only for the mission-level roles (`SEE_SURVIVOR_STATISTICS`), never for a WPA.
`statistics_load(scope, filters)` reads the rollup once (one query; kept in the cache under the
missions' rollup versions, so never once a number moved) and answers every panel: totals by
value, and the incidents by month, field office, admin 1 and admin 2.
Totals are sums of the same rollup rows as their breakdowns, so they are equal by construction.

Counting units (both labelled on the pages and exports):
- MARA: `incidents`; `violations` (one per form per incident); `victims` (the incident's tallies
  of women, girls, men, boys and unknown sex);
- GBVIMS: `survivors` (one per survivor-incident link, value "sex:age band").
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection

from crsv.accounts.roles import Capability

# Measures read from survivor cases (GBVIMS rows, referrals, medical care): mission level only.
SURVIVOR_MEASURES = frozenset(
    {
        "survivors",
        "rape_care",
        "referrals",
        "referral_accepted",
        "referral_accept_minutes",
        "referral_completed",
        "referral_complete_minutes",
    }
)
DIMENSIONS = ("month", "field_office", "admin1", "admin2")


@dataclass(frozen=True)
class StatisticsScope:
    """What a user's numbers count: her missions or her offices, and whether survivor measures."""

    mission_ids: tuple[int, ...]
    office_ids: tuple[int, ...] | None  # None: every office of the missions
    survivor_measures: bool

    @property
    def is_mission_level(self) -> bool:
        return self.office_ids is None


@dataclass(frozen=True)
class StatisticsFilter:
    """The dashboard's and exports' filters: months inclusive (first days), an office, a place."""

    month_from: date | None = None
    month_to: date | None = None
    field_office_id: int | None = None
    admin1_id: int | None = None
    admin2_id: int | None = None


@dataclass
class Statistics:
    """The rollup summed for one scope and filter: `total`, `breakdown` and `by` answer panels."""

    values: dict[tuple[str, str], int] = field(default_factory=dict)
    dimensions: dict[str, dict[tuple[str, Any], int]] = field(
        default_factory=lambda: {name: {} for name in DIMENSIONS}
    )

    def total(self, measure: str, value: str | None = None) -> int:
        if value is not None:
            return self.values.get((measure, value), 0)
        return sum(n for (m, _v), n in self.values.items() if m == measure)

    def breakdown(self, measure: str) -> dict[str, int]:
        """{value: total} for `measure`, largest first (ties by value)."""
        rows = [(v, n) for (m, v), n in self.values.items() if m == measure and n]
        return dict(sorted(rows, key=lambda row: (-row[1], row[0])))

    def by(self, measure: str, dimension: str) -> dict[Any, int]:
        """{month | office id | admin 1 id | admin 2 id (None: not known): total} for `measure`."""
        return {key: n for (m, key), n in self.dimensions[dimension].items() if m == measure and n}


def statistics_scope(user: Any) -> StatisticsScope:
    """Her scope, or PermissionDenied when her roles hold no dashboard (or no office)."""
    if not user.is_authenticated or not user.can(Capability.SEE_DASHBOARD) or not user.office_ids():
        raise PermissionDenied
    if user.can(Capability.SEE_WHOLE_MISSION):
        return StatisticsScope(
            mission_ids=tuple(user.mission_ids()),
            office_ids=None,
            survivor_measures=user.can(Capability.SEE_SURVIVOR_STATISTICS),
        )
    return StatisticsScope(
        mission_ids=tuple(user.mission_ids()), office_ids=tuple(user.office_ids()), survivor_measures=False
    )


# The totals of every measure by value, then the measures asked by month, office and place
# (only the incidents on the pages: each breakdown costs a pass over the rows).
_LOAD = """
SELECT measure, value, NULL::date, NULL::bigint, NULL::bigint, NULL::bigint, -1, sum(total)
  FROM {totals} WHERE {where} GROUP BY measure, value
UNION ALL
SELECT measure, '', month, field_office_id, admin1_id, admin2_id,
       GROUPING(month, field_office_id, admin1_id, admin2_id), sum(total)
  FROM reports_rollup WHERE {where} AND measure = ANY(%s)
 GROUP BY GROUPING SETS ((measure, month), (measure, field_office_id), (measure, admin1_id),
                         (measure, admin2_id))
"""
# GROUPING(...) bit masks (month is the high bit): which breakdown a row belongs to.
_SET = {0b0111: "month", 0b1011: "field_office", 0b1101: "admin1", 0b1110: "admin2"}
_VERSIONS = "SELECT mission_id, version FROM reports_rollupversion WHERE mission_id = ANY(%s) ORDER BY 1"
# A read is kept while its missions' rollups stay at the versions it read (see RollupVersion).
CACHE_SECONDS = 600


def statistics_load(
    scope: StatisticsScope,
    filters: StatisticsFilter = StatisticsFilter(),
    *,
    measures: Iterable[str] = (),
    by_dimension: tuple[str, ...] = ("incidents",),
) -> Statistics:
    """The rollup for `scope` and `filters`; `measures` narrows it (default: all the scope may
    count), `by_dimension` names the measures broken down by month, office and place.

    One query for the versions of the scope's missions, then the cache (Redis, keyed by scope,
    filters and versions: aggregates only, never a survivor's data) or one query of the rollup."""
    measures = tuple(measures)
    with connection.cursor() as cursor:
        cursor.execute(_VERSIONS, [list(scope.mission_ids)])
        versions = cursor.fetchall()
    key = (
        "reports:stats:"
        + hashlib.sha256(
            repr((scope, filters, sorted(measures), by_dimension, versions)).encode()
        ).hexdigest()
    )
    cached = cache.get(key)
    if isinstance(cached, Statistics):
        return cached
    stats = _statistics_read(scope, filters, measures, by_dimension)
    cache.set(key, stats, CACHE_SECONDS)
    return stats


def _statistics_read(
    scope: StatisticsScope,
    filters: StatisticsFilter,
    measures: tuple[str, ...],
    by_dimension: tuple[str, ...],
) -> Statistics:
    where, params = _where(scope, filters, measures)
    stats = Statistics()
    with connection.cursor() as cursor:
        # A mission-wide view with no office or place filter sums the monthly rollup (offices and
        # places summed already: some fifty times fewer rows); any other, the rollup itself.
        monthly = scope.is_mission_level and not (
            filters.field_office_id or filters.admin1_id or filters.admin2_id
        )
        totals = "reports_rollupmonth" if monthly else "reports_rollup"
        # `where` names only columns both tables have when `monthly` (mission, month, measure).
        sql = _LOAD.format(totals=totals, where=where)
        cursor.execute(sql, [*params, *params, list(by_dimension)])
        for measure, value, month, office, admin1, admin2, grouping, total in cursor.fetchall():
            if grouping == -1:
                stats.values[(measure, value)] = int(total)
                continue
            kind = _SET[grouping]
            key = {"month": month, "field_office": office, "admin1": admin1, "admin2": admin2}[kind]
            stats.dimensions[kind][(measure, key)] = int(total)
    return stats


def _where(
    scope: StatisticsScope, filters: StatisticsFilter, measures: tuple[str, ...]
) -> tuple[str, list[Any]]:
    clauses = ["mission_id = ANY(%s)"]
    params: list[Any] = [list(scope.mission_ids)]
    if scope.office_ids is not None:
        clauses.append("field_office_id = ANY(%s)")
        params.append(list(scope.office_ids))
    if not scope.survivor_measures:
        clauses.append("measure <> ALL(%s)")
        params.append(sorted(SURVIVOR_MEASURES))
    if measures:
        clauses.append("measure = ANY(%s)")
        params.append(list(measures))
    for column, value in (
        ("month >= %s", filters.month_from),
        ("month <= %s", filters.month_to),
        ("field_office_id = %s", filters.field_office_id),
        ("admin1_id = %s", filters.admin1_id),
        ("admin2_id = %s", filters.admin2_id),
    ):
        if value is not None:
            clauses.append(column)
            params.append(value)
    return " AND ".join(clauses), params


def months_between(first: date, last: date) -> list[date]:
    """Every first-of-month from `first` to `last` inclusive (a series with its empty months)."""
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def ratio(numerator: int, denominator: int) -> float | None:
    return None if not denominator else numerator / denominator


def grouped(pairs: Iterable[tuple[str, int]], key: Any) -> dict[str, int]:
    """Sum `pairs` by `key(value)` (e.g. victims into adults and children)."""
    out: dict[str, int] = defaultdict(int)
    for value, n in pairs:
        out[key(value)] += n
    return dict(out)

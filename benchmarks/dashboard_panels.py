"""The dashboard timed in-process, panel by panel (issue 13: "p50 and p99 per panel").

The page is one `statistics_load` (one SQL statement over the rollup, shared by every panel),
the filter options, then each panel built from those numbers (`reports.dashboard`'s builders),
drawn (`reports.views.dashboard.panel_chart`) and written out (the dashboard's Jinja partial).
This runs the real page once through Django's test client with the analyst's session, taking
what the view handed to the assembly, then, after a warm-up, times ITERATIONS rounds of:

- the shared parts: the statistics query, the filter options, the whole assembly, the page
  (the statistics read and the page both with the statistics layer's cache, as served, and
  without it, as the first visit after a change pays);
- per panel: its builder's own time (the builders of `reports.dashboard`'s `*_panels` modules
  are wrapped for the timing; a section builder that makes panels inline is one line, its
  panels' keys joined by "+"), plus its chart and its table.

Then the statistics query's plan (EXPLAIN ANALYZE, BUFFERS), for when the SQL dominates.
"""

from __future__ import annotations

import importlib
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

ITERATIONS = int(os.environ.get("BENCH_PANEL_ITERATIONS", "200"))
WARMUP = 20
_BUILDER_RESULTS = {"Panel", "Section", "list[Section]"}


def _p50_p99(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _line(name: str, samples: list[float], extra: str = "") -> str:
    p50, p99 = _p50_p99(samples)
    return f"PANEL {name} p50={p50 * 1000:.2f} ms p99={p99 * 1000:.2f} ms{extra}"


class _Builders:
    """Wraps the panel builders of `reports.dashboard` and records each call's own time (its
    time minus that of the builders it called), by the keys of the panels it made itself."""

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.recording = False
        self._stack: list[tuple[list[float], set[str]]] = []
        self._patched: list[tuple[Any, str, Any]] = []

    def install(self) -> None:
        modules = [m for name, m in sys.modules.items() if name.startswith("reports.dashboard.") and m]
        builders = {}
        for module in modules:
            if not module.__name__.endswith("_panels"):
                continue
            for value in vars(module).values():
                returns = getattr(value, "__annotations__", {}).get("return")
                if (
                    callable(value)
                    and getattr(value, "__module__", "") == module.__name__
                    and returns in _BUILDER_RESULTS
                ):
                    builders[id(value)] = (value, self._wrap(value))
        for module in modules:
            for name, value in list(vars(module).items()):
                if id(value) in builders:
                    self._patched.append((module, name, value))
                    setattr(module, name, builders[id(value)][1])

    def uninstall(self) -> None:
        for module, name, value in self._patched:
            setattr(module, name, value)
        self._patched.clear()

    def _wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            frame: tuple[list[float], set[str]] = ([0.0], set())
            self._stack.append(frame)
            started = time.perf_counter()
            try:
                result = function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                self._stack.pop()
            keys = _panel_keys(result)
            if self._stack:
                self._stack[-1][0][0] += elapsed
                self._stack[-1][1].update(keys)
            if self.recording:
                own = [key for key in keys if key not in frame[1]]
                unit = "+".join(own) if own else f"({function.__name__})"
                self.samples[unit].append(elapsed - frame[0][0])
            return result

        return timed


def _panel_keys(result: Any) -> list[str]:
    if hasattr(result, "panels"):
        return [panel.key for panel in result.panels]
    if isinstance(result, list):
        return [key for section in result for key in _panel_keys(section)]
    return [result.key] if hasattr(result, "key") else []


@contextmanager
def statistics_uncached() -> Iterator[bool]:
    """The statistics layer without its cache, if it has one (`reports.statistics.cache`): every
    read queries the rollup, as the first visit after a change does. Yields whether it had one."""
    from django.core.cache.backends.dummy import DummyCache

    module = importlib.import_module("reports.statistics")
    kept = getattr(module, "cache", None)
    if kept is None:
        yield False
        return
    name = "cache"  # (its module is imported by name: checked by no type checker)
    setattr(module, name, DummyCache("", {}))
    try:
        yield True
    finally:
        setattr(module, name, kept)


def panels_run(path: str, session_cookie: str) -> None:
    """Time the dashboard at `path` for the user of `session_cookie` ("name=value")."""
    from django.db import connection
    from django.template import engines
    from django.test import Client

    import reports.dashboard.build as build
    from reports.dashboard import Section, dashboard_options
    from reports.statistics import statistics_load
    from reports.views.dashboard import panel_chart

    captured: dict[str, Any] = {}
    statements: list[tuple[str, Any]] = []
    assemble = build.dashboard_assemble

    def capture(stats: Any, **kwargs: Any) -> Any:
        captured.update(kwargs, stats=stats)
        return assemble(stats, **kwargs)

    def record_sql(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((sql, params))
        return execute(sql, params, many, context)

    client = Client()
    client.cookies.load(session_cookie)
    build.dashboard_assemble = capture  # the page's own arguments, once
    try:
        with statistics_uncached() as cached, connection.execute_wrapper(record_sql):
            response = client.get(path)  # its statements with the rollup query among them
    finally:
        build.dashboard_assemble = assemble
    if response.status_code != 200 or "scope" not in captured:
        raise SystemExit(f"benchmarks.dashboard: {path} answered {response.status_code} in-process")
    scope, filters, options = captured["scope"], captured["filters"], captured["options"]
    stats, party_names = captured["stats"], captured["party_names"]
    print(
        f"\ndashboard panels: in-process, {ITERATIONS} rounds after {WARMUP} "
        f"(period {filters.month_from:%Y-%m} to {filters.month_to:%Y-%m}; "
        f"{len(response.content) // 1024} KiB page; "
        f"{len(statements)} SQL statements per page without the statistics cache)"
    )
    partial = engines["partials"].get_template("reports/dashboard_panels.jinja")
    builders = _Builders()
    shared: dict[str, list[float]] = defaultdict(list)
    renders: dict[str, list[float]] = defaultdict(list)
    charts: dict[str, list[float]] = defaultdict(list)

    def timed(name: str, call: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = call()
        shared[name].append(time.perf_counter() - started)
        return result

    builders.install()
    try:
        for number in range(WARMUP + ITERATIONS):
            if number == WARMUP:
                for kept in (builders.samples, shared, renders, charts):
                    kept.clear()
            if cached:
                timed(
                    "statistics_load as the page calls it (cached)",
                    lambda: statistics_load(scope, filters.statistics_filter()),
                )
            with statistics_uncached():
                timed(
                    "statistics_load without the cache (the rollup query every panel shares)",
                    lambda: statistics_load(scope, filters.statistics_filter()),
                )
            timed("filter options (shared)", lambda: dashboard_options(scope))
            builders.recording = True  # the assembly's builders only, not the page's below
            board = timed(
                "assembly of every panel (shared total)",
                lambda: assemble(
                    stats, scope=scope, filters=filters, options=options, party_names=party_names
                ),
            )
            builders.recording = False
            for section in board.sections:
                for panel in section.panels:
                    started = time.perf_counter()
                    chart = panel_chart(panel)
                    drawn = time.perf_counter()
                    partial.render(
                        {"sections": [(Section(section.key, section.title, (panel,)), [(panel, chart)])]}
                    )
                    charts[panel.key].append(drawn - started)
                    renders[panel.key].append(time.perf_counter() - drawn)
            timed("whole page in-process (middleware, query, panels, template)", lambda: client.get(path))
            if cached:
                with statistics_uncached():
                    timed("whole page in-process without the statistics cache", lambda: client.get(path))
    finally:
        builders.uninstall()
    for name, samples in shared.items():
        print(_line(name, samples))
    for unit, own in builders.samples.items():
        keys = unit.split("+") if not unit.startswith("(") else []
        totals = [own[i] + sum(charts[key][i] + renders[key][i] for key in keys) for i in range(len(own))]
        detail = ""
        if keys:
            chart_time = statistics.median([sum(charts[k][i] for k in keys) for i in range(len(own))])
            table_time = statistics.median([sum(renders[k][i] for k in keys) for i in range(len(own))])
            detail = (
                f"  (builder {statistics.median(own) * 1000:.2f}, chart {chart_time * 1000:.2f}, "
                f"table {table_time * 1000:.2f} ms at p50)"
            )
        print(_line(unit, totals, detail))
    _explain(statements)


def _explain(statements: list[tuple[str, Any]]) -> None:
    """The plan of the page's statistics query (the one reading the rollup), run again."""
    from django.db import connection

    found = [(sql, params) for sql, params in statements if re.search(r"\breports_rollup\b", sql)]
    if not found:
        print("  (no statement of the page read reports_rollup)")
        return
    sql, params = found[0]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    print("\n  the statistics query's plan (EXPLAIN ANALYZE, BUFFERS):")
    for line in plan:
        print(f"    {line}")

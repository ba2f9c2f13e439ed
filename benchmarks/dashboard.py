"""Issue 13's budgets: the statistics dashboard over 1,000,000 incidents.

The data: the incidents and survivors suites' rows, given something for every panel to count
(benchmarks/dashboard_data: perpetrators and parties, verification outcomes and dates, delays,
survivor links with their consents, referrals and their events, alerts and their response
times, justice steps), then the rollup rebuilt once from a full scan.

- `BUDGET dashboard_page_vs_incident_list_page` >= 0.50: the analyst's whole dashboard page
  (`/reports/`, its default filters: the last 12 months of her missions) against the incident
  list page of the incidents suite's bench WPA (50 rows, as the survivors and audit suites judge
  theirs), same server, same run. The analyst's own incident list is measured beside, for
  reference (no budget).
- `BUDGET dashboard_numbers_equal_full_scan` = 0: `rollups_recompute(replace=False)` after the
  run (what `manage.py statistics_recompute --check` does): the keys whose rollup total differs
  from a full scan of `reports_fact`, plus the consent flags the ledger corrects. Its time is
  the full scan's.

Also printed (dashboard_panels.py): p50 and p99 per panel, in-process, and the statistics
query's plan.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from benchmarks.dashboard_data import ANALYST
from benchmarks.harness import Budget, Target, ratio
from benchmarks.incidents import BENCH_WPA as INCIDENTS_WPA

PATH = "/reports/"
# Suites whose data this one extends and whose incident list page it is judged against.
NEEDS = ("incidents", "survivors")


def load() -> None:
    from benchmarks import dashboard_data

    dashboard_data.load()


def targets(port: int, session_cookie: Any) -> list[Target]:
    analyst = {"Cookie": session_cookie(ANALYST)}
    return [
        Target("dashboard page (analyst)", port, PATH, analyst),
        Target("incident list page", port, "/incidents/", {"Cookie": session_cookie(INCIDENTS_WPA)}),
        Target("incident list (analyst)", port, "/incidents/", analyst),
    ]


def budgets(measured: list[Target]) -> list[Budget]:
    dashboard, incident_page, analyst_list = measured
    reference = sorted(ratio(dashboard, analyst_list))
    print(
        "  (for reference, not a budget: dashboard vs the analyst's own incident list, rounds "
        + " ".join(f"{r:.3f}" for r in reference)
        + ")"
    )
    return [Budget("dashboard_page_vs_incident_list_page", ratio(dashboard, incident_page), 0.50)]


@dataclass(frozen=True)
class Differences:
    """A budget on a count that must not exceed `required` (the harness's budgets are ratios
    that must reach theirs); the same `line()` and `passed`."""

    name: str
    measured: int
    required: int
    note: str = ""

    @property
    def passed(self) -> bool:
        return self.measured <= self.required

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return f"BUDGET {self.name} measured={self.measured} required={self.required} {verdict}  {self.note}"


def after_run(session_cookie: Any) -> list[Differences]:
    """With the servers stopped: the panels timed in-process, then the full-scan comparison."""
    from benchmarks.dashboard_panels import panels_run

    panels_run(PATH, session_cookie(ANALYST))
    return [full_scan_check()]


def full_scan_check() -> Differences:
    from reports.rollups import rollups_recompute

    started = time.time()
    result = rollups_recompute(replace=False, run_by="benchmarks")
    seconds = time.time() - started
    print(
        f"\nstatistics: rollup against a full scan of reports_fact in {seconds:.1f} s: {result.keys} keys, "
        f"{result.differences} differ, {result.flags_changed} consent flags corrected"
    )
    return Differences(
        "dashboard_numbers_equal_full_scan",
        result.differences + result.flags_changed,
        0,
        f"(keys {result.keys}, full scan {seconds:.1f} s)",
    )

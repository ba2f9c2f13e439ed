"""The survivors suite judges the case list against the incident list page of the same run."""

from __future__ import annotations

from benchmarks import incidents as incidents_bench
from benchmarks import survivors as survivors_bench
from benchmarks.harness import Target


def test_the_case_list_is_judged_against_the_incident_list_page_of_the_same_run() -> None:
    cookies: list[str] = []

    def cookie(username: str) -> str:
        cookies.append(username)
        return f"sessionid={username}"

    targets = survivors_bench.targets(8000, cookie)
    incident_page = targets[-1]
    assert incident_page.path == "/incidents/"
    assert incident_page.headers == {"Cookie": f"sessionid={incidents_bench.BENCH_WPA}"}
    assert "incidents" in survivors_bench.NEEDS  # its data is loaded with this suite
    for target, rates in zip(
        targets, ([70.0, 80.0], [100.0, 100.0], [90.0, 90.0], [100.0, 100.0]), strict=True
    ):
        target.rates = rates
    budgets = {b.name: b for b in survivors_bench.budgets(targets)}
    budget = budgets["survivor_list_page_vs_incident_list_page"]
    assert budget.rounds == [0.7, 0.8] and budget.required == 0.70 and budget.passed
    assert isinstance(incident_page, Target)

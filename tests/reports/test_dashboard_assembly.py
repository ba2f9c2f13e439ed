"""The panels' arithmetic, from numbers given by hand (`dashboard_assemble` reads no database):
averages and shares with their denominators, "—" when there is nothing to divide by, sums under
their rows, places not known, and numbers in the active language."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation
from django.utils.formats import number_format

from reports.dashboard import (
    Dashboard,
    DashboardFilters,
    DashboardOptions,
    OfficeOption,
    PlaceOption,
    dashboard_assemble,
)
from reports.dashboard.numbers import Numbers
from reports.statistics import Statistics, StatisticsScope

GOMA = OfficeOption(id=1, key="GOM", name="Goma")
KIVU = PlaceOption(id=10, pcode="CD61", name="Nord-Kivu", level=1, parent_id=None)
MASISI = PlaceOption(id=11, pcode="CD6106", name="Masisi", level=2, parent_id=10, parent_name="Nord-Kivu")
OPTIONS = DashboardOptions(offices=(GOMA,), admin1=(KIVU,), admin2=(MASISI,))
FILTERS = DashboardFilters(month_from=date(2026, 1, 1), month_to=date(2026, 3, 1))
MISSION = StatisticsScope(mission_ids=(1,), office_ids=None, survivor_measures=True)
OFFICES = StatisticsScope(mission_ids=(1,), office_ids=(1,), survivor_measures=False)


def _board(values: dict[tuple[str, str], int], scope: StatisticsScope = MISSION, **by: dict) -> Dashboard:
    stats = Statistics(values=dict(values))
    for dimension, counts in by.items():
        stats.dimensions[dimension] = counts
    return dashboard_assemble(stats, scope=scope, filters=FILTERS, options=OPTIONS, party_names={7: "ADF"})


def _texts(board: Dashboard, panel: str) -> dict[str, list[str]]:
    return {row.key: [cell.text for cell in row.cells] for row in board.panel(panel).rows}


def _values(board: Dashboard, panel: str) -> dict[str, list[object]]:
    return {row.key: [cell.value for cell in row.cells] for row in board.panel(panel).rows}


def test_referral_times_are_hours_averaged_over_the_referrals_that_got_there() -> None:
    board = _board(
        {
            ("referrals", "medical"): 4,
            ("referral_accepted", "medical"): 3,
            ("referral_accept_minutes", "medical"): 3 * 90,  # 1.5 h each
            ("referral_completed", "medical"): 1,
            ("referral_complete_minutes", "medical"): 600,
            ("referrals", "legal_aid"): 2,
            ("referral_accepted", "legal_aid"): 1,
            ("referral_accept_minutes", "legal_aid"): 30,
        }
    )
    assert _texts(board, "referrals_by_service")["medical"] == ["4", "3", "1"]
    assert _texts(board, "referrals_by_service")["total"] == ["6", "4", "1"]
    times = _values(board, "referral_times")
    assert times["medical"] == [1.5, 10.0]
    assert times["legal_aid"] == [0.5, None], "none completed: nothing to average"
    assert times["psychosocial"] == [None, None]
    assert times["total"] == [(270 + 30) / 4 / 60, 10.0]
    assert _texts(board, "referral_times")["legal_aid"] == ["0.5", "—"]
    assert board.panel("referral_times").chart.rows[0] == ("Medical", 2)  # 1.5 h drawn rounded


def test_the_share_of_rapes_reaching_care_in_72_hours_gives_both_numbers() -> None:
    board = _board({("rape_care", "linked"): 8, ("rape_care", "medical_72h"): 3})
    figure = board.panel("rape_care").figures[0]
    assert (figure.value, figure.text, figure.detail) == (3 / 8, "37.5%", "3 of 8")
    empty = _board({}).panel("rape_care").figures[0]
    assert (empty.value, empty.text, empty.detail) == (None, "—", "0 of 0")


def test_alert_response_times_and_verification() -> None:
    board = _board(
        {
            ("alerts", "high"): 3,
            ("alerts", "critical"): 1,
            ("alert_acknowledged", ""): 2,
            ("alert_ack_minutes", ""): 25,
            ("alert_dispatched", ""): 1,
            ("alert_dispatch_minutes", ""): 240,
            ("incidents", ""): 4,
            ("verification", "verified"): 1,
            ("verification", "pending"): 3,
            ("verification_delay", "n"): 1,
            ("verification_delay", "days"): 12,
            ("verification_delay", "band:8_30"): 1,
        }
    )
    assert _texts(board, "alerts_by_urgency") == {
        "critical": ["1"],
        "high": ["3"],
        "medium": ["0"],
        "low": ["0"],
        "total": ["4"],
    }
    assert _texts(board, "alert_response") == {
        "received": ["4", "—"],
        "acknowledged": ["2", "12.5"],
        "dispatched": ["1", "240.0"],
    }
    figures = {f.key: (f.text, f.detail) for f in board.panel("alert_response").figures}
    assert figures["acknowledged_minutes"] == ("12.5 minutes", "2 of 4 alerts")
    verification = {f.key: (f.value, f.text, f.detail) for f in board.panel("verification_status").figures}
    assert verification["verification_rate"] == (0.25, "25.0%", "1 verified of 4 incidents")
    assert verification["verification_days"] == (
        12.0,
        "12.0 days",
        "over 1 verified incident with a date of verification",
    )
    assert _texts(board, "verification_delay")["band:8_30"] == ["1"]
    nothing = {f.key: f.text for f in _board({}).panel("verification_status").figures}
    assert nothing == {"verification_rate": "—", "verification_days": "—"}


def test_victims_add_up_to_adults_and_children_and_survivors_to_their_grid() -> None:
    board = _board(
        {
            ("victims", "women"): 5,
            ("victims", "girls"): 2,
            ("victims", "men"): 1,
            ("victims", "boys"): 3,
            ("victims", "unknown"): 4,
            ("survivors", "female:18-25"): 2,
            ("survivors", "male:0-11"): 1,
            ("survivors", "female:unknown"): 1,
        }
    )
    victims = _texts(board, "victims")
    assert (victims["adults"], victims["children"], victims["total"]) == (["6"], ["5"], ["15"])
    survivors = _texts(board, "survivors")
    # Columns: female, male, other, unknown, total.
    assert survivors["18-25"] == ["2", "0", "0", "0", "2"]
    assert survivors["0-11"] == ["0", "1", "0", "0", "1"]
    assert survivors["total"] == ["3", "1", "0", "0", "4"]
    chart = board.panel("survivors").chart
    assert chart.kind == "stacked" and chart.series == ("Female", "Male", "Other", "Unknown")


def test_months_places_and_parties_are_named_and_complete() -> None:
    board = _board(
        {("incidents", ""): 5, ("perpetrator_party", "7"): 2, ("justice", "verdict:military"): 1},
        month={("incidents", date(2026, 2, 1)): 5},
        field_office={("incidents", 1): 5},
        admin1={("incidents", 10): 3, ("incidents", None): 2},
        admin2={("incidents", 11): 3, ("incidents", None): 2},
    )
    assert _texts(board, "incidents_by_month") == {
        "2026-01": ["0"],
        "2026-02": ["5"],
        "2026-03": ["0"],
        "total": ["5"],
    }
    assert board.panel("incidents_by_month").chart.rows == (
        ("Jan. 2026", 0),
        ("Feb. 2026", 5),
        ("March 2026", 0),
    )
    admin2 = {row.key: (row.label, row.cells[0].text) for row in board.panel("incidents_by_admin2").rows}
    assert admin2 == {
        "CD6106": ("Masisi (Nord-Kivu)", "3"),
        "unknown": ("Place not known", "2"),
        "total": ("Total", "5"),
    }
    assert _texts(board, "incidents_by_office") == {"GOM": ["5"], "total": ["5"]}
    assert [(row.label, row.cells[0].text) for row in board.panel("perpetrator_party").rows] == [("ADF", "2")]
    assert _texts(board, "justice_by_stage")["verdict"] == ["0", "1", "0", "1"]
    assert _texts(board, "justice_by_stage")["arrest"] == ["—", "—", "—", "0"]


def test_an_office_scope_has_no_survivor_or_referral_panel() -> None:
    keys = _board({("incidents", ""): 1}, scope=OFFICES).panel_keys()
    assert not {"survivors", "referrals_by_service", "referral_times", "rape_care"} & set(keys)
    assert {"victims", "alerts_by_urgency", "justice_by_stage"} <= set(keys)


@pytest.mark.parametrize("language, decimal_mark", [("en", "."), ("fr", ",")])
def test_numbers_follow_the_language_as_django_writes_them(language: str, decimal_mark: str) -> None:
    with translation.override(language):
        numbers = Numbers()
        for value in (0, 7, 999, 1000, 1234567, -4321):
            assert numbers.integer(value) == number_format(value, force_grouping=True)
        assert numbers.decimal(1234.54) == number_format(1234.5, 1, force_grouping=True)
        assert numbers.decimal(0.25) == f"0{decimal_mark}2", "rounded half to even, as Python does"
        assert numbers.percent(0.125).startswith(f"12{decimal_mark}5")
        assert numbers.integer(None) == numbers.decimal(None) == numbers.percent(None) == "—"

"""Derived values, as tables of cases (pure functions: no database)."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from incidents.derivations import (
    gbvims_core_type,
    incident_dates_normalized,
    is_late_verification,
    is_sea,
    reporting_delay_band,
)

D = date


@pytest.mark.parametrize(
    ("incident", "reported", "band"),
    [
        (D(2026, 3, 10), D(2026, 3, 10), "0_3"),  # same day
        (D(2026, 3, 10), D(2026, 3, 13), "0_3"),  # 3 days
        (D(2026, 3, 10), D(2026, 3, 14), "4_5"),  # 4 days
        (D(2026, 3, 10), D(2026, 3, 15), "4_5"),  # 5 days
        (D(2026, 3, 10), D(2026, 3, 16), "6_14"),  # 6 days
        (D(2026, 3, 10), D(2026, 3, 24), "6_14"),  # 14 days
        (D(2026, 3, 10), D(2026, 3, 25), "15_30"),  # 15 days
        (D(2026, 3, 10), D(2026, 4, 9), "15_30"),  # 30 days
        (D(2026, 3, 10), D(2026, 4, 10), "over_30"),  # 31 days
        (D(2025, 12, 31), D(2026, 6, 1), "over_30"),  # across a year
        (D(2026, 3, 12), D(2026, 3, 10), "0_3"),  # impossible order: never a negative band
    ],
)
def test_reporting_delay_band(incident: date, reported: date, band: str) -> None:
    assert reporting_delay_band(latest_incident_date=incident, reported_on=reported) == band


@pytest.mark.parametrize(
    ("precision", "start", "end", "reported", "expected"),
    [
        ("day", D(2026, 3, 10), None, D(2026, 3, 20), (D(2026, 3, 10), D(2026, 3, 10))),
        # an end typed with a single day is ignored
        ("day", D(2026, 3, 10), D(2026, 3, 15), D(2026, 3, 20), (D(2026, 3, 10), D(2026, 3, 10))),
        # month: any day of the month -> first and last day
        ("month", D(2026, 1, 17), None, D(2026, 3, 1), (D(2026, 1, 1), D(2026, 1, 31))),
        ("month", D(2024, 2, 5), None, D(2024, 4, 1), (D(2024, 2, 1), D(2024, 2, 29))),  # leap
        ("month", D(2026, 2, 5), None, D(2026, 4, 1), (D(2026, 2, 1), D(2026, 2, 28))),
        # month of the report: the end cannot be after the report
        ("month", D(2026, 3, 2), None, D(2026, 3, 12), (D(2026, 3, 1), D(2026, 3, 12))),
        ("month", D(2026, 3, 2), None, D(2026, 3, 31), (D(2026, 3, 1), D(2026, 3, 31))),
        ("range", D(2026, 3, 1), D(2026, 3, 9), D(2026, 3, 20), (D(2026, 3, 1), D(2026, 3, 9))),
        ("range", D(2026, 3, 1), None, D(2026, 3, 20), (D(2026, 3, 1), None)),  # validation reports it
        ("", None, None, D(2026, 3, 20), (None, None)),  # a draft without a date
        ("", D(2026, 3, 1), None, D(2026, 3, 20), (D(2026, 3, 1), None)),  # kept: validation asks
    ],
)
def test_incident_dates_normalized(
    precision: str,
    start: date | None,
    end: date | None,
    reported: date,
    expected: tuple[date | None, date | None],
) -> None:
    assert (
        incident_dates_normalized(precision=precision, start=start, end=end, reported_on=reported) == expected
    )


def test_month_precision_band_uses_the_last_possible_day() -> None:
    """Reported 10 February about "January": 10 days from 31 January, not 40 from 1 January."""
    start, end = incident_dates_normalized(
        precision="month", start=D(2026, 1, 5), end=None, reported_on=D(2026, 2, 10)
    )
    assert (start, end) == (D(2026, 1, 1), D(2026, 1, 31))
    assert reporting_delay_band(latest_incident_date=end, reported_on=D(2026, 2, 10)) == "6_14"


QUESTIONS = (
    "penetration",
    "sexual_contact",
    "physical_assault",
    "forced_marriage",
    "denial_of_resources",
    "psychological_abuse",
)


@pytest.mark.parametrize(
    ("yes", "core_type"),
    [
        ((), "non_gbv"),
        (("penetration",), "rape"),
        (("sexual_contact",), "sexual_assault"),
        (("physical_assault",), "physical_assault"),
        (("forced_marriage",), "forced_marriage"),
        (("denial_of_resources",), "denial_of_resources"),
        (("psychological_abuse",), "psychological_abuse"),
        (("penetration", "sexual_contact", "physical_assault"), "rape"),
        (("physical_assault", "psychological_abuse"), "physical_assault"),
        (("forced_marriage", "penetration"), "rape"),  # order of the questions, not of the answers
        (("psychological_abuse", "denial_of_resources"), "denial_of_resources"),
        (QUESTIONS, "rape"),
    ],
)
def test_gbvims_core_type(yes: tuple[str, ...], core_type: str) -> None:
    answers = {question: question in yes for question in QUESTIONS}
    assert gbvims_core_type(**answers) == core_type


def test_gbvims_first_yes_wins_for_every_combination() -> None:
    types = (
        "rape",
        "sexual_assault",
        "physical_assault",
        "forced_marriage",
        "denial_of_resources",
        "psychological_abuse",
    )
    for combination in itertools.product((False, True), repeat=6):
        expected = next((t for t, answer in zip(types, combination, strict=True) if answer), "non_gbv")
        assert gbvims_core_type(**dict(zip(QUESTIONS, combination, strict=True))) == expected


@pytest.mark.parametrize(
    ("incident", "verified", "late"),
    [
        (D(2026, 1, 5), D(2026, 3, 31), False),  # same quarter (Q1)
        (D(2026, 3, 31), D(2026, 4, 1), True),  # next day, next quarter
        (D(2026, 4, 1), D(2026, 6, 30), False),  # Q2
        (D(2026, 6, 30), D(2026, 7, 1), True),
        (D(2026, 9, 30), D(2026, 10, 1), True),
        (D(2025, 12, 31), D(2026, 1, 1), True),  # Q4 to the next year's Q1
        (D(2025, 2, 1), D(2026, 2, 1), True),  # same quarter number, a year later
        (D(2026, 11, 1), D(2026, 12, 31), False),
    ],
)
def test_late_verification(incident: date, verified: date, late: bool) -> None:
    assert is_late_verification(latest_incident_date=incident, verified_on=verified) is late


@pytest.mark.parametrize(
    ("categories", "sea"),
    [
        ([], False),
        (["non_state_armed_group"], False),
        (["state_armed_forces", "civilians", "unknown"], False),
        (["un_personnel"], True),
        (["non_state_armed_group", "un_personnel"], True),
    ],
)
def test_is_sea(categories: list[str], sea: bool) -> None:
    assert is_sea(categories) is sea

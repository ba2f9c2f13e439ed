"""Values derived from what was recorded, never typed: pure functions, tested with tables.

The services call these on every write, so a derived value can never disagree with its inputs.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date

from incidents.models import Incident, Perpetrator

Band = Incident.DelayBand
GbvimsType = Incident.GbvimsType

# (upper bound in days, band), checked in order; beyond the last: over a month.
_DELAY_BANDS = ((3, Band.DAYS_0_3), (5, Band.DAYS_4_5), (14, Band.DAYS_6_14), (30, Band.DAYS_15_30))


def month_last_day(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def incident_dates_normalized(
    *, precision: str, start: date | None, end: date | None, reported_on: date
) -> tuple[date | None, date | None]:
    """The stored (start, end) for what was entered.

    - day: (start, start);
    - month: `start` is any day of the month: (first day, last day), the last day capped at
      the date of report, because the incident cannot have happened after it was reported (so
      the reporting delay is never overstated, and never negative);
    - range: as entered.
    Anything else (no start, no precision, an unknown precision) is returned as entered, for
    validation to report.
    """
    if start is None:
        return None, end
    if not precision:
        return start, end
    if precision == Incident.DatePrecision.DAY:
        return start, start
    if precision == Incident.DatePrecision.MONTH:
        first = start.replace(day=1)
        last = month_last_day(start)
        if first <= reported_on < last:
            last = reported_on
        return first, last
    return start, end


def reporting_delay_band(*, latest_incident_date: date, reported_on: date) -> str:
    """Band of the days from the latest possible incident date to the date of report.

    Taken from the latest possible date (a range's end, a month's last day) so the delay is
    never overstated. A report dated before the incident cannot be stored; were it given,
    it would count as no delay.
    """
    days = (reported_on - latest_incident_date).days
    for upper, band in _DELAY_BANDS:
        if days <= upper:
            return band.value
    return Band.OVER_30.value


def gbvims_core_type(
    *,
    penetration: bool,
    sexual_contact: bool,
    physical_assault: bool,
    forced_marriage: bool,
    denial_of_resources: bool,
    psychological_abuse: bool,
) -> str:
    """The GBVIMS classification: the first "yes", in the GBVIMS order, decides the type."""
    answers = (
        (penetration, GbvimsType.RAPE),
        (sexual_contact, GbvimsType.SEXUAL_ASSAULT),
        (physical_assault, GbvimsType.PHYSICAL_ASSAULT),
        (forced_marriage, GbvimsType.FORCED_MARRIAGE),
        (denial_of_resources, GbvimsType.DENIAL_OF_RESOURCES),
        (psychological_abuse, GbvimsType.PSYCHOLOGICAL_ABUSE),
    )
    for answer, core_type in answers:
        if answer:
            return core_type.value
    return GbvimsType.NON_GBV.value


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def is_late_verification(*, latest_incident_date: date, verified_on: date) -> bool:
    """Verified in a later calendar quarter than the incident (its latest possible date)."""
    return quarter_of(verified_on) > quarter_of(latest_incident_date)


def is_sea(categories: Iterable[str]) -> bool:
    """An incident with a UN-personnel perpetrator goes to the conduct-and-discipline track."""
    return any(category == Perpetrator.Category.UN_PERSONNEL for category in categories)

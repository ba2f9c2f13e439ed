"""Fixed periods and coarse places for what leaves the mission.

Two tables over arbitrary date ranges (1 March-30 April and 1 March-29 April) subtract to one
day, which may hold one survivor; so published tables cover a whole month, quarter or year, and
places no finer than admin level 2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum

from django.utils.translation import gettext as _

MAX_PUBLISHED_ADMIN_LEVEL = 2
_PERIOD = re.compile(r"(?P<year>[0-9]{4})(?:-(?:(?P<month>[0-9]{2})|Q(?P<quarter>[1-4])))?")


class PeriodError(ValueError):
    """Not one of the fixed periods (with a message for the person who asked)."""


class PeriodKind(Enum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month (`2026-03`), quarter (`2026-Q1`) or year (`2026`)."""

    year: int
    first: int  # the first month, 1-12
    kind: PeriodKind

    @classmethod
    def parse(cls, text: str) -> Period:
        """The period `text` names; anything else, such as a range of dates, is refused."""
        match = _PERIOD.fullmatch(text.strip().upper()) if isinstance(text, str) else None
        if match is None or int(match["year"]) < 1:
            raise PeriodError(_refusal(text))
        year = int(match["year"])
        if match["quarter"]:
            return cls(year, 3 * int(match["quarter"]) - 2, PeriodKind.QUARTER)
        if match["month"]:
            month = int(match["month"])
            if not 1 <= month <= 12:
                raise PeriodError(_refusal(text))
            return cls(year, month, PeriodKind.MONTH)
        return cls(year, 1, PeriodKind.YEAR)

    @classmethod
    def covering(cls, start: date, end: date) -> Period:
        """The period that is exactly the days `start`..`end` (inclusive); refused otherwise."""
        for kind, months in ((PeriodKind.MONTH, 1), (PeriodKind.QUARTER, 3), (PeriodKind.YEAR, 12)):
            if start.day != 1 or (start.month - 1) % months:
                continue
            period = cls(start.year, start.month, kind)
            if period.last_day == end:
                return period
        raise PeriodError(_refusal(f"{start.isoformat()}..{end.isoformat()}"))

    @property
    def months(self) -> int:
        return {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[self.kind]

    @property
    def first_month(self) -> date:
        """The first day of the period's first month."""
        return date(self.year, self.first, 1)

    @property
    def last_month(self) -> date:
        """The first day of the period's last month (rollups are keyed by month)."""
        return date(self.year, self.first + self.months - 1, 1)

    @property
    def last_day(self) -> date:
        last = self.last_month
        following = date(last.year + 1, 1, 1) if last.month == 12 else date(last.year, last.month + 1, 1)
        return date.fromordinal(following.toordinal() - 1)

    def __contains__(self, day: date) -> bool:
        return self.first_month <= day <= self.last_day

    def __str__(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"{self.year:04d}-{self.first:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year:04d}-Q{(self.first + 2) // 3}"
        return f"{self.year:04d}"


def _refusal(text: object) -> str:
    return _(
        "“%(period)s” is not a month (2026-03), a quarter (2026-Q1) or a year (2026): tables leaving "
        "the mission cover fixed periods only, so that two of them cannot be subtracted."
    ) % {"period": str(text)[:40]}


def coarsen_location_level(level: int) -> int:
    """The admin level a place is published at: its own, but no finer than admin level 2."""
    if isinstance(level, bool) or not isinstance(level, int) or level < 0:
        raise ValueError(f"An admin level is a non-negative integer, not {level!r}.")
    return min(level, MAX_PUBLISHED_ADMIN_LEVEL)

"""The incidents' clock: "now" in UTC, and "today" in a field office's time zone.

Every time the incidents track stores or compares (created_at, submitted_at, the year in a
reference, "not in the future") comes from here, so that:

- "today" is the field office's date, not the server's: the DRC spans UTC+1 and UTC+2, and an
  incident logged in Goma at 00:30 local time belongs to the local day;
- the demo data can be written through the real services as if on past days
  (`clock_frozen_at`), and tests can pin the date.

The audit trail does not use this clock: it records when a row was really written.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.utils import timezone

if TYPE_CHECKING:
    from crsv.accounts.models import FieldOffice

# A context variable, not a module global: a frozen clock stays in its own thread or task.
_frozen_at: ContextVar[datetime | None] = ContextVar("incidents_clock_frozen_at", default=None)


def now() -> datetime:
    """The current time (aware, UTC), or the frozen time inside `clock_frozen_at`."""
    frozen = _frozen_at.get()
    return frozen if frozen is not None else timezone.now()


def office_today(field_office: FieldOffice) -> date:
    """Today's date in the field office's time zone."""
    return office_date(field_office, now())


def office_date(field_office: FieldOffice, moment: datetime) -> date:
    """The date of `moment` in the field office's time zone."""
    return moment.astimezone(ZoneInfo(field_office.time_zone)).date()


@contextmanager
def clock_frozen_at(moment: datetime) -> Iterator[None]:
    """Within the block, `now()` returns `moment` (demo data, tests)."""
    if timezone.is_naive(moment):
        raise ValueError("clock_frozen_at needs an aware datetime.")
    token = _frozen_at.set(moment)
    try:
        yield
    finally:
        _frozen_at.reset(token)

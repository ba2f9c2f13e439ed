"""The 72-hour window (survivors/clock.py): the SQL rule on its edge cases, and which cases it
puts inside the window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db.models import CharField, DateField, Value
from django.utils import timezone

from crsv.accounts.models import FieldOffice, Mission, User
from incidents import clock
from incidents.models import Incident
from survivors.clock import RapeWindowEnd, in_rape_window_q, survivors_with_window_end
from survivors.identity import SurvivorIdentity
from survivors.models import Survivor
from survivors.services import survivor_register
from tests.incidents.factories import LocationFactory, incident_in_state
from tests.survivors.conftest import ADULT

pytestmark = pytest.mark.django_db

GOMA = "Africa/Lubumbashi"  # UTC+2, no summer time
KINSHASA = "Africa/Kinshasa"  # UTC+1


def _window_end(
    mission: Mission, precision: str, start: date | None, end: date | None, zone: str
) -> datetime:
    expression = RapeWindowEnd(
        Value(precision, output_field=CharField()),
        Value(start, output_field=DateField()),
        Value(end, output_field=DateField()),
        Value(zone, output_field=CharField()),
    )
    return Mission.objects.filter(pk=mission.pk).annotate(end=expression).values_list("end", flat=True)[0]


def _utc(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("precision", "start", "end", "zone", "expected"),
    [
        # A day: the next local midnight (2 March 00:00 in Goma = 1 March 22:00 UTC) + 72 h.
        ("day", date(2026, 3, 1), date(2026, 3, 1), GOMA, _utc(2026, 3, 4, 22)),
        # The same day an hour further west closes an hour later.
        ("day", date(2026, 3, 1), date(2026, 3, 1), KINSHASA, _utc(2026, 3, 4, 23)),
        # A month: its last day, whatever the end holds (28 February 2026).
        ("month", date(2026, 2, 1), date(2026, 2, 10), GOMA, _utc(2026, 3, 3, 22)),
        # A leap February ends on the 29th.
        ("month", date(2024, 2, 1), date(2024, 2, 1), GOMA, _utc(2024, 3, 3, 22)),
        # December rolls over the year.
        ("month", date(2025, 12, 1), date(2025, 12, 31), GOMA, _utc(2026, 1, 3, 22)),
        # A range: its last day.
        ("range", date(2026, 3, 1), date(2026, 3, 5), GOMA, _utc(2026, 3, 8, 22)),
        # Local midnight in a zone with summer time (Paris moves to UTC+2 on 29 March 2026).
        ("day", date(2026, 3, 29), date(2026, 3, 29), "Europe/Paris", _utc(2026, 4, 1, 22)),
    ],
)
def test_the_window_closes_72_hours_after_the_latest_possible_day(
    mission: Mission, precision: str, start: date, end: date, zone: str, expected: datetime
) -> None:
    assert _window_end(mission, precision, start, end, zone) == expected


def test_an_incident_without_dates_opens_no_window(mission: Mission) -> None:
    assert _window_end(mission, "", None, None, GOMA) is None


@pytest.fixture
def register(office: FieldOffice, reporter: User, wpa: User) -> Callable[..., Survivor]:
    """`register(days_ago, forms)`: a case of the WPA linked to a submitted incident of the day
    `days_ago` (office date) with the violations `forms`."""
    place: Any = LocationFactory(pcode="CD61", name="Nord-Kivu", admin_level=1)

    def make(days_ago: int, forms: tuple[str, ...] = ("rape",)) -> Survivor:
        today = clock.office_today(office)
        incident: Incident = incident_in_state(
            "submitted",
            reporter=reporter,
            reviewer=wpa,
            location=place,
            violations=forms,
            incident_date_start=today - timedelta(days=days_ago),
            incident_date_end=today - timedelta(days=days_ago),
        )
        return survivor_register(
            actor=wpa,
            field_office=office,
            identity=SurvivorIdentity(name="Furaha (window test)"),
            profile=ADULT,
            incident=incident,
        )

    return make


def _inside(now: datetime) -> set[int]:
    return set(Survivor.objects.filter(in_rape_window_q(now)).values_list("id", flat=True))


def test_which_cases_are_inside_the_window(
    register: Callable[..., Survivor], wpa: User, office: FieldOffice
) -> None:
    recent = register(2)
    old = register(5)
    not_rape = register(1, forms=("sexual_slavery",))
    unlinked = survivor_register(
        actor=wpa, field_office=office, identity=SurvivorIdentity(name="No incident"), profile=ADULT
    )
    now = timezone.now()
    assert _inside(now) == {recent.id}
    annotated = survivors_with_window_end(Survivor.objects.all())
    ends = {row.id: getattr(row, "rape_window_ends_at") for row in annotated}  # noqa: B009  (an annotation)
    assert ends[recent.id] > now > ends[old.id]
    assert ends[not_rape.id] is None and ends[unlinked.id] is None
    # Three days on, the recent one's window has closed too.
    assert _inside(now + timedelta(days=3)) == set()

"""What a dashboard may be filtered by, and the period it shows when not told.

`dashboard_options(scope)` reads, in two queries, the field offices of her scope and the places
of admin levels 1 and 2 (reference data, a few hundred rows for a country): the filter form's
choices, the only values it accepts, and the names the panels show, so that naming the offices
and places present in the numbers costs no query per key. `DashboardFilters` is what the page
and the API hand to `dashboard_build`: a period of whole months and at most one office and one
place of each level, already checked against her scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from crsv.accounts.models import FieldOffice
from incidents.models import Location
from reports.statistics import StatisticsFilter, StatisticsScope, months_between

# The longest period a dashboard shows (a month series of at most this many columns).
MAX_MONTHS = 120
DEFAULT_MONTHS = 12


@dataclass(frozen=True, slots=True)
class OfficeOption:
    """A field office of her scope; `key` is its code (with the mission's when two offices of
    her missions share a code)."""

    id: int
    key: str
    name: str


@dataclass(frozen=True, slots=True)
class PlaceOption:
    """A place of admin level 1 or 2, by p-code; `parent_name` is its admin 1 (level 2 only)."""

    id: int
    pcode: str
    name: str
    level: int
    parent_id: int | None
    parent_name: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.parent_name})" if self.parent_name else self.name


@dataclass(frozen=True)
class DashboardOptions:
    """The offices of her scope and the places of levels 1 and 2, each by name."""

    offices: tuple[OfficeOption, ...]
    admin1: tuple[PlaceOption, ...]
    admin2: tuple[PlaceOption, ...]
    office_by_id: dict[int, OfficeOption] = field(init=False, repr=False)
    place_by_id: dict[int, PlaceOption] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "office_by_id", {office.id: office for office in self.offices})
        places = {place.id: place for place in (*self.admin1, *self.admin2)}
        object.__setattr__(self, "place_by_id", places)


def dashboard_options(scope: StatisticsScope) -> DashboardOptions:
    """Her offices (the same as the statistics scope counts) and the places of levels 1-2."""
    offices = FieldOffice.objects.filter(mission_id__in=scope.mission_ids)
    if scope.office_ids is not None:
        offices = offices.filter(id__in=scope.office_ids)
    rows = list(offices.order_by("name", "code").values_list("id", "code", "name", "mission__code"))
    codes = [code for _id, code, _name, _mission in rows]
    office_options = tuple(
        OfficeOption(id=pk, key=code if codes.count(code) == 1 else f"{mission}-{code}", name=name)
        for pk, code, name, mission in rows
    )
    places = list(
        Location.objects.filter(admin_level__lte=2)
        .order_by("name", "pcode")
        .values_list("id", "pcode", "name", "admin_level", "parent_id")
    )
    names = {pk: name for pk, _pcode, name, level, _parent in places if level == 1}
    admin1 = tuple(
        PlaceOption(id=pk, pcode=pcode, name=name, level=1, parent_id=None)
        for pk, pcode, name, level, _parent in places
        if level == 1
    )
    admin2 = sorted(
        (
            PlaceOption(
                id=pk,
                pcode=pcode,
                name=name,
                level=2,
                parent_id=parent,
                parent_name=names.get(parent, "") if parent is not None else "",
            )
            for pk, pcode, name, level, parent in places
            if level == 2
        ),
        key=lambda place: (place.parent_name, place.name, place.pcode),
    )
    return DashboardOptions(offices=office_options, admin1=admin1, admin2=tuple(admin2))


def month_add(month: date, months: int) -> date:
    """The first day of the month `months` after (or before) `month`'s."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_count(first: date, last: date) -> int:
    """How many months from `first`'s to `last`'s, both included."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months, the current one included."""
    current = today.replace(day=1)
    return month_add(current, 1 - DEFAULT_MONTHS), current


@dataclass(frozen=True)
class DashboardFilters:
    """A period of whole months (first days, both included), and optionally one office of her
    scope, one place of admin level 1 and one of level 2 (within it when both)."""

    month_from: date
    month_to: date
    office: OfficeOption | None = None
    admin1: PlaceOption | None = None
    admin2: PlaceOption | None = None

    def months(self) -> list[date]:
        return months_between(self.month_from, self.month_to)

    def statistics_filter(self) -> StatisticsFilter:
        return StatisticsFilter(
            month_from=self.month_from,
            month_to=self.month_to,
            field_office_id=self.office.id if self.office else None,
            admin1_id=self.admin1.id if self.admin1 else None,
            admin2_id=self.admin2.id if self.admin2 else None,
        )

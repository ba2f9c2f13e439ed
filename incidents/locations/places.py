"""What the location files' readers share: the problems they report, and the book of places read
so far, which refuses a p-code reused for another place and a second point for one place."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from incidents.models import Location

MAX_LEVEL = 4
NAME_MAX_LENGTH = Location._meta.get_field("name").max_length or 200
PCODE = re.compile(r"^[A-Za-z0-9_-]{2,20}$")
_SIX_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class LocationFileProblem:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.reason}"


class LocationFileError(Exception):
    """The file cannot be loaded; `problems` says where and why. Nothing was written."""

    def __init__(self, problems: Sequence[LocationFileProblem]) -> None:
        self.problems = list(problems)
        shown = "\n".join(f"  {problem}" for problem in self.problems[:50])
        more = len(self.problems) - 50
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"The locations file was not loaded:\n{shown}{tail}")


@dataclass
class LocationsLoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Place:
    """One place of the file. `parent_code` may name a place that is not in the file (a village
    file names its admin-3 parent by p-code only): it must then be in the database."""

    code: str
    name: str
    level: int
    parent_code: str | None
    line: int
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    point_line: int = 0
    parent_column: str = ""  # the column that named the parent, for a problem about it


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def coordinate(text: str, bound: int) -> Decimal | str:
    """The value rounded to 6 places, or the reason it is bad."""
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return f"bad coordinate: {text!r} is not a number"
    if not value.is_finite() or not -bound <= value <= bound:
        return f"bad coordinate: {text} is outside -{bound}..{bound}"
    return value.quantize(_SIX_PLACES, rounding=ROUND_HALF_UP)


class PlaceBook:
    """The places read so far, by p-code; every problem goes to `problems`."""

    def __init__(self, problems: list[LocationFileProblem]) -> None:
        self.problems = problems
        self.places: dict[str, Place] = {}

    def problem(self, line: int, column: str, reason: str) -> None:
        self.problems.append(LocationFileProblem(line, column, reason))

    def code_checked(self, line: int, code: str, column: str) -> bool:
        if not code:
            self.problem(line, column, "empty code")
            return False
        if not PCODE.match(code):
            self.problem(line, column, f"bad code {code!r}: use 2-20 letters, digits, '-' or '_'")
            return False
        return True

    def add(
        self,
        *,
        line: int,
        level: int,
        code: str,
        name: str,
        parent: str | None,
        columns: tuple[str, str],
        parent_column: str = "",
    ) -> Place | None:
        """The place of `code` on this line (the one already read if it is the same place);
        None, with the problem, if the code or name is bad or the code names another place.
        `columns`: the labels of the code and name columns."""
        code_column, name_column = columns
        if not self.code_checked(line, code, code_column):
            return None
        if not name:
            self.problem(line, name_column, "empty name")
            return None
        if len(name) > NAME_MAX_LENGTH:
            self.problem(line, name_column, f"name longer than {NAME_MAX_LENGTH} characters")
            return None
        seen = self.places.get(code)
        if seen is None:
            self.places[code] = Place(code, name, level, parent, line, parent_column=parent_column)
            return self.places[code]
        if seen.level != level:
            reason = f"code {code} is reused: admin level {seen.level} on line {seen.line}"
        elif seen.name != name:
            reason = f"code {code} is reused with another name: {seen.name!r} on line {seen.line}"
        elif seen.parent_code != parent:
            reason = f"code {code} is reused with another parent: {seen.parent_code} on line {seen.line}"
        else:
            return seen
        self.problem(line, code_column, reason)
        return None

    def point(
        self, *, line: int, place: Place, latitude: str, longitude: str, columns: tuple[str, str]
    ) -> None:
        """The point of `place` from this line's cells, if any (`columns`: their labels)."""
        if not latitude and not longitude:
            return
        lat_column, lon_column = columns
        if not latitude or not longitude:
            missing = lat_column if not latitude else lon_column
            self.problem(line, missing, "bad coordinate: give both latitude and longitude")
            return
        lat, lon = coordinate(latitude, 90), coordinate(longitude, 180)
        if isinstance(lat, str):
            self.problem(line, lat_column, lat)
        if isinstance(lon, str):
            self.problem(line, lon_column, lon)
        if isinstance(lat, str) or isinstance(lon, str):
            return
        if place.point_line and (place.latitude, place.longitude) != (lat, lon):
            self.problem(
                line, lat_column, f"bad coordinate: {place.code} has another point on line {place.point_line}"
            )
            return
        place.latitude, place.longitude, place.point_line = lat, lon, line

    def sorted_places(self) -> list[Place]:
        """Parents first: by level, then in file order."""
        return sorted(self.places.values(), key=lambda place: (place.level, place.line))

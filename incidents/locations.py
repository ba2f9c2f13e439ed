"""Load locations from a CSV file with HXL hashtags, all or nothing (`manage.py load_locations`).

The file has one row of HXL hashtags: either as its first row, or as its second row under a
row of human-readable headers. Recognised columns (others are ignored, as HXL allows):

    #adm1+name  #adm1+code  [#adm2+name  #adm2+code  [#adm3+...  [#adm4+...]]]  [#geo+lat  #geo+lon]

(`+pcode` is read as `+code`.) Each data row names one place and its ancestors; the point
(`#geo`), when given, belongs to the finest place of the row. Locations are upserted by p-code:
names, parents and points given in the file win; an empty point never erases a stored one.

Every problem is reported with its line number, column and reason, and then nothing is
written: the whole file is checked before the first write, and the writes share one
transaction.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from crsv.audit.services import audit_record
from incidents.models import Location

MAX_LEVEL = 4
_PCODE = re.compile(r"^[A-Za-z0-9_-]{2,20}$")
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
class _Place:
    code: str
    name: str
    level: int
    parent_code: str | None
    line: int
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    point_line: int = 0


@dataclass
class _Columns:
    """Column index and label (`"#adm1+code" (column B)`) per recognised field."""

    header_line: int
    index: dict[str, int] = field(default_factory=dict)
    label: dict[str, str] = field(default_factory=dict)

    def levels(self) -> int:
        return max((int(key[3]) for key in self.index if key.startswith("adm")), default=0)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _field_of(hashtag: str) -> str | None:
    """`#adm2 +code` -> "adm2_code", `#geo+lat` -> "geo_lat"; None for other hashtags."""
    tag, *attributes = re.sub(r"\s+", "", hashtag.lower()).lstrip("#").split("+")
    attrs = set(attributes)
    if re.fullmatch(r"adm[1-4]", tag):
        if "name" in attrs:
            return f"{tag}_name"
        if attrs & {"code", "pcode"}:
            return f"{tag}_code"
    if tag == "geo" and attrs & {"lat", "lon"}:
        return "geo_lat" if "lat" in attrs else "geo_lon"
    return None


def _is_hashtag_row(row: Sequence[str]) -> bool:
    cells = [cell.strip() for cell in row if cell.strip()]
    return bool(cells) and all(cell.startswith("#") for cell in cells)


def _columns(rows: list[list[str]], problems: list[LocationFileProblem]) -> _Columns | None:
    position = next((i for i in (0, 1) if i < len(rows) and _is_hashtag_row(rows[i])), None)
    if position is None:
        problems.append(
            LocationFileProblem(
                1,
                "",
                "no HXL hashtag row: the first or second row must hold hashtags "
                "such as #adm1+name and #adm1+code",
            )
        )
        return None
    columns = _Columns(header_line=position + 1)
    for index, cell in enumerate(rows[position]):
        name = _field_of(cell) if cell.strip() else None
        if name is not None and name not in columns.index:  # the first of duplicates wins
            columns.index[name] = index
            columns.label[name] = f'"{cell.strip()}" (column {_column_letter(index)})'
    for level in range(1, max(columns.levels(), 1) + 1):
        for part in ("name", "code"):
            key = f"adm{level}_{part}"
            if key not in columns.index:
                columns.label[key] = f'"#adm{level}+{part}"'
                problems.append(
                    LocationFileProblem(columns.header_line, columns.label[key], "missing column")
                )
    for key, other in (("geo_lat", "geo_lon"), ("geo_lon", "geo_lat")):
        if key in columns.index and other not in columns.index:
            hashtag = "#geo+lon" if other == "geo_lon" else "#geo+lat"
            problems.append(LocationFileProblem(columns.header_line, f'"{hashtag}"', "missing column"))
    return columns


def _coordinate(text: str, bound: int) -> Decimal | str:
    """The value rounded to 6 places, or the reason it is bad."""
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return f"bad coordinate: {text!r} is not a number"
    if not value.is_finite() or not -bound <= value <= bound:
        return f"bad coordinate: {text} is outside -{bound}..{bound}"
    return value.quantize(_SIX_PLACES, rounding=ROUND_HALF_UP)


class _Reader:
    """Turns data rows into places, collecting every problem."""

    def __init__(self, columns: _Columns, problems: list[LocationFileProblem]) -> None:
        self.columns = columns
        self.problems = problems
        self.places: dict[str, _Place] = {}

    def _cell(self, row: list[str], key: str) -> str:
        index = self.columns.index.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    def _problem(self, line: int, key: str, reason: str) -> None:
        self.problems.append(LocationFileProblem(line, self.columns.label.get(key, key), reason))

    def read(self, line: int, row: list[str]) -> None:
        if not any(cell.strip() for cell in row):
            return  # blank line
        levels = self.columns.levels()
        filled = [
            level
            for level in range(1, levels + 1)
            if self._cell(row, f"adm{level}_name") or self._cell(row, f"adm{level}_code")
        ]
        if not filled:
            self._problem(line, "adm1_code", "no location on this line")
            return
        parent: str | None = None
        finest: _Place | None = None
        for level in range(1, max(filled) + 1):
            place = self._place(line, row, level, parent)
            if place is None:
                return
            parent, finest = place.code, place
        if finest is not None:
            self._point(line, row, finest)

    def _place(self, line: int, row: list[str], level: int, parent: str | None) -> _Place | None:
        name, code = self._cell(row, f"adm{level}_name"), self._cell(row, f"adm{level}_code")
        code_key, name_key = f"adm{level}_code", f"adm{level}_name"
        if not code:
            self._problem(line, code_key, "empty code")
            return None
        if not _PCODE.match(code):
            self._problem(line, code_key, f"bad code {code!r}: use 2-20 letters, digits, '-' or '_'")
            return None
        if not name:
            self._problem(line, name_key, "empty name")
            return None
        seen = self.places.get(code)
        if seen is None:
            self.places[code] = _Place(code, name, level, parent, line)
            return self.places[code]
        if seen.level != level:
            self._problem(
                line, code_key, f"code {code} is reused: admin level {seen.level} on line {seen.line}"
            )
        elif seen.name != name:
            self._problem(
                line, code_key, f"code {code} is reused with another name: {seen.name!r} on line {seen.line}"
            )
        elif seen.parent_code != parent:
            self._problem(
                line,
                code_key,
                f"code {code} is reused with another parent: {seen.parent_code} on line {seen.line}",
            )
        else:
            return seen
        return None

    def _point(self, line: int, row: list[str], place: _Place) -> None:
        lat_text, lon_text = self._cell(row, "geo_lat"), self._cell(row, "geo_lon")
        if not lat_text and not lon_text:
            return
        if not lat_text or not lon_text:
            missing = "geo_lat" if not lat_text else "geo_lon"
            self._problem(line, missing, "bad coordinate: give both latitude and longitude")
            return
        latitude, longitude = _coordinate(lat_text, 90), _coordinate(lon_text, 180)
        for key, value in (("geo_lat", latitude), ("geo_lon", longitude)):
            if isinstance(value, str):
                self._problem(line, key, value)
        if isinstance(latitude, str) or isinstance(longitude, str):
            return
        if place.point_line and (place.latitude, place.longitude) != (latitude, longitude):
            self._problem(
                line, "geo_lat", f"bad coordinate: {place.code} has another point on line {place.point_line}"
            )
            return
        place.latitude, place.longitude, place.point_line = latitude, longitude, line


def locations_read(text: str) -> list[_Place]:
    """Parse and check the file's text; raise LocationFileError with every problem."""
    problems: list[LocationFileProblem] = []
    reader = csv.reader(io.StringIO(text))
    numbered: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            numbered.append((reader.line_num, row))
    except csv.Error as error:
        raise LocationFileError(
            [LocationFileProblem(reader.line_num, "", f"not valid CSV: {error}")]
        ) from error
    columns = _columns([row for _, row in numbered], problems)
    if columns is None or problems:
        raise LocationFileError(problems)
    places = _Reader(columns, problems)
    for line, row in numbered[columns.header_line :]:
        places.read(line, row)
    if not places.places and not problems:
        problems.append(LocationFileProblem(columns.header_line + 1, "", "no locations in the file"))
    if problems:
        raise LocationFileError(problems)
    return sorted(places.places.values(), key=lambda place: (place.level, place.line))


def _differs(location: Location, place: _Place, parent: Location | None) -> bool:
    return (
        location.name != place.name
        or location.parent_id != (parent.pk if parent else None)
        or (
            place.point_line > 0
            and (location.latitude, location.longitude) != (place.latitude, place.longitude)
        )
    )


@transaction.atomic
def locations_save(places: list[_Place], *, dry_run: bool = False) -> LocationsLoadResult:
    """Upsert checked places by p-code, parents first, in one transaction."""
    existing = {
        row.pcode: row
        for row in Location.objects.select_for_update().filter(pcode__in=[p.code for p in places])
    }
    problems = [
        LocationFileProblem(
            place.line,
            "",
            f"code {place.code} is admin level {existing[place.code].admin_level} in the "
            f"database, not {place.level}",
        )
        for place in places
        if place.code in existing and existing[place.code].admin_level != place.level
    ]
    if problems:
        raise LocationFileError(problems)
    result = LocationsLoadResult()
    saved: dict[str, Location] = dict(existing)
    for level in range(1, MAX_LEVEL + 1):
        new: list[Location] = []
        changed: list[Location] = []
        for place in (p for p in places if p.level == level):
            parent = saved[place.parent_code] if place.parent_code else None
            location = existing.get(place.code)
            if location is None:
                location = Location(pcode=place.code, admin_level=level)
                new.append(location)
            elif _differs(location, place, parent):
                changed.append(location)
            else:
                result.unchanged += 1
                continue
            location.name, location.parent = place.name, parent
            if place.point_line:
                location.latitude, location.longitude = place.latitude, place.longitude
            location.clean_fields(exclude=["parent"])
            saved[place.code] = location
        result.created += len(new)
        result.updated += len(changed)
        if not dry_run:
            Location.objects.bulk_create(new)
            Location.objects.bulk_update(changed, ["name", "parent", "latitude", "longitude"])
    if dry_run:
        transaction.set_rollback(True)
    elif result.created or result.updated:
        audit_record(actor=None, action="location.load", object_type=Location._meta.label_lower)
    return result


def locations_load_csv(path: str | Path, *, dry_run: bool = False) -> LocationsLoadResult:
    """Check and load a locations file; LocationFileError (nothing written) if it is bad."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise LocationFileError([LocationFileProblem(1, "", f"not UTF-8 text: {error.reason}")]) from error
    return locations_save(locations_read(text), dry_run=dry_run)

"""The OCHA common operational datasets as CSV: administrative boundaries (COD-AB) and populated
places (villages), one header row, one place per row with its whole hierarchy (wide).

Recognised columns (case does not matter; others, ADM0 included, are ignored):

- `ADMn_PCODE` or `adminNPcode` (n = 1 to 4): the p-code of level n;
- `ADMn_XX` or `adminNName_xx` (XX a language: FR, EN, PT, ...), or `ADMn_NAME`: its name. With
  several languages, the one asked for (`language`) where the level has it, else the level's
  first name column;
- a village (one level below the finest admin level of the file, at most 4): its p-code in
  `PCODE`, `P_CODE`, `VILLAGE_PCODE`, `LOC_PCODE`, `PPL_PCODE` or `featurePcode`, its name in
  `NAME`, `NOM`, `VILLAGE`, `VILLAGE_NAME`, `LOC_NAME`, `PPL_NAME`, `featureName`, or
  `NAME_XX` / `NOM_XX`;
- a point in `LAT`/`LATITUDE`/`Y` and `LON`/`LONG`/`LONGITUDE`/`X`: the finest place's.

A level whose p-code is given without a name (a village file names only its admin-3 parent)
must already be in the database, at that level: the load checks it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from incidents.locations.places import MAX_LEVEL, LocationFileProblem, Place, PlaceBook, column_letter

_ADMIN_CODE = re.compile(r"^(?:ADM([1-4])_?PCODE|ADMIN([1-4])PCODE)$")
_ADMIN_NAME = re.compile(r"^(?:ADM([1-4])_([A-Z]{2}|NAME)|ADMIN([1-4])NAME(?:_([A-Z]{2}))?)$")
_VILLAGE_CODES = {"PCODE", "P_CODE", "VILLAGE_PCODE", "LOC_PCODE", "PPL_PCODE", "FEATUREPCODE"}
_VILLAGE_NAMES = {"NAME", "NOM", "VILLAGE", "VILLAGE_NAME", "LOC_NAME", "PPL_NAME", "FEATURENAME"}
_VILLAGE_NAME_IN = re.compile(r"^(?:NAME|NOM)_([A-Z]{2})$")
_LATITUDES = {"LAT", "LATITUDE", "Y"}
_LONGITUDES = {"LON", "LONG", "LONGITUDE", "X"}
VILLAGE = "village"


@dataclass
class _Columns:
    """Index and label (`"ADM2_PCODE" (column D)`) of each recognised column."""

    index: dict[str, int] = field(default_factory=dict)
    label: dict[str, str] = field(default_factory=dict)
    names: dict[str, list[tuple[str, int, str]]] = field(default_factory=dict)  # level -> (lang, i, label)
    levels: list[int] = field(default_factory=list)  # the admin levels with a p-code column
    village_level: int = 0

    def keep(self, key: str, index: int, label: str) -> None:
        if key not in self.index:  # the first of duplicates wins
            self.index[key], self.label[key] = index, label


def cod_header(row: list[str]) -> bool:
    """Whether this header row is a COD one (it has an admin p-code column)."""
    return any(_ADMIN_CODE.match(cell.strip().upper()) for cell in row)


def _recognise(header: list[str]) -> _Columns:
    columns = _Columns()
    for index, cell in enumerate(header):
        text = cell.strip().upper()
        label = f'"{cell.strip()}" (column {column_letter(index)})'
        if match := _ADMIN_CODE.match(text):
            columns.keep(f"adm{match[1] or match[2]}_code", index, label)
        elif match := _ADMIN_NAME.match(text):
            level, language = match[1] or match[3], match[2] or match[4] or ""
            columns.names.setdefault(f"adm{level}", []).append((language.replace("NAME", ""), index, label))
        elif text in _VILLAGE_CODES:
            columns.keep("village_code", index, label)
        elif text in _VILLAGE_NAMES:
            columns.names.setdefault(VILLAGE, []).append(("", index, label))
        elif match := _VILLAGE_NAME_IN.match(text):
            columns.names.setdefault(VILLAGE, []).append((match[1], index, label))
        elif text in _LATITUDES:
            columns.keep("geo_lat", index, label)
        elif text in _LONGITUDES:
            columns.keep("geo_lon", index, label)
    columns.levels = sorted(int(key[3]) for key in columns.index if key.startswith("adm"))
    return columns


def _choose_names(columns: _Columns, language: str, problems: list[LocationFileProblem]) -> None:
    """One name column per level: in the language asked for where the level has it, else the
    level's first one. A language no column has is refused (a typing mistake, surely)."""
    language = language.upper()
    found_anywhere = any(entry[0] == language for found in columns.names.values() for entry in found)
    if language and not found_anywhere:
        problems.append(LocationFileProblem(1, "", f"no name column in {language} in the file"))
        return
    for key, found in columns.names.items():
        wanted = [entry for entry in found if entry[0] == language] if language else []
        _language, index, label = (wanted or found)[0]
        columns.keep(f"{key}_name", index, label)


def _check(columns: _Columns, problems: list[LocationFileProblem]) -> None:
    finest = max(columns.levels, default=0)
    has_village = "village_code" in columns.index or f"{VILLAGE}_name" in columns.index
    if has_village:
        columns.village_level = finest + 1
        if columns.village_level > MAX_LEVEL:
            reason = f"villages would be admin level {finest + 1}: at most {MAX_LEVEL}"
            problems.append(LocationFileProblem(1, "", reason))
        pairs = (("village_code", f"{VILLAGE}_name", "name"), (f"{VILLAGE}_name", "village_code", "p-code"))
        for key, other, what in pairs:
            if key in columns.index and other not in columns.index:
                problems.append(
                    LocationFileProblem(1, columns.label[key], f"no village {what} column beside it")
                )
    named = [level for level in columns.levels if f"adm{level}_name" in columns.index]
    for level in [*named, *([columns.village_level] if has_village else [])]:
        if level > 1 and f"adm{level - 1}_code" not in columns.index:
            problems.append(
                LocationFileProblem(1, f'"ADM{level - 1}_PCODE"', "missing column (the parents' p-codes)")
            )
    for key, other in (("geo_lat", "LON"), ("geo_lon", "LAT")):
        if key in columns.index and ("geo_lon" if other == "LON" else "geo_lat") not in columns.index:
            problems.append(LocationFileProblem(1, f'"{other}"', "missing column"))


class _Reader:
    def __init__(self, columns: _Columns, book: PlaceBook) -> None:
        self.columns, self.book = columns, book

    def _cell(self, row: list[str], key: str) -> str:
        index = self.columns.index.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    def _label(self, key: str) -> str:
        return self.columns.label.get(key, f'"{key.upper()}"')

    def read(self, line: int, row: list[str]) -> None:
        if not any(cell.strip() for cell in row):
            return  # blank line
        levels = [(level, f"adm{level}") for level in self.columns.levels]
        if self.columns.village_level:
            levels.append((self.columns.village_level, VILLAGE))
        filled = [
            level for level, key in levels if self._cell(row, f"{key}_code") or self._cell(row, f"{key}_name")
        ]
        if not filled:
            self.book.problem(line, "", "no location on this line")
            return
        top = max(filled)
        parent: str | None = None
        parent_column, finest = "", None
        for level, key in levels:
            if level > top:
                break
            code, name = self._cell(row, f"{key}_code"), self._cell(row, f"{key}_name")
            code_column, name_column = self._label(f"{key}_code"), self._label(f"{key}_name")
            named_here = f"{key}_name" in self.columns.index
            if not name and (not named_here or (code and level < top)):
                # Named by p-code only: a place already loaded (the load checks the database).
                if not self.book.code_checked(line, code, code_column):
                    return
                parent, parent_column, finest = code, code_column, None
                continue
            place: Place | None = self.book.add(
                line=line,
                level=level,
                code=code,
                name=name,
                parent=parent,
                columns=(code_column, name_column),
                parent_column=parent_column,
            )
            if place is None:
                return
            parent, parent_column, finest = place.code, code_column, place
        if finest is not None:
            self.book.point(
                line=line,
                place=finest,
                latitude=self._cell(row, "geo_lat"),
                longitude=self._cell(row, "geo_lon"),
                columns=(self._label("geo_lat"), self._label("geo_lon")),
            )


def cod_read(numbered: list[tuple[int, list[str]]], book: PlaceBook, *, language: str = "") -> None:
    """Read a COD file (header on its first line) into `book`."""
    columns = _recognise(numbered[0][1])
    _choose_names(columns, language, book.problems)
    _check(columns, book.problems)
    if book.problems:
        return
    reader = _Reader(columns, book)
    for line, row in numbered[1:]:
        reader.read(line, row)

"""The HXL-tagged locations file: one row of HXL hashtags, either as its first row, or as its
second row under a row of human-readable headers. Recognised columns (others are ignored, as
HXL allows):

    #adm1+name  #adm1+code  [#adm2+name  #adm2+code  [#adm3+...  [#adm4+...]]]  [#geo+lat  #geo+lon]

(`+pcode` is read as `+code`.) Each data row names one place and its ancestors; the point
(`#geo`), when given, belongs to the finest place of the row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from incidents.locations.places import LocationFileProblem, Place, PlaceBook, column_letter


@dataclass
class _Columns:
    """Column index and label (`"#adm1+code" (column B)`) per recognised field."""

    header_line: int
    index: dict[str, int] = field(default_factory=dict)
    label: dict[str, str] = field(default_factory=dict)

    def levels(self) -> int:
        return max((int(key[3]) for key in self.index if key.startswith("adm")), default=0)


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


def hxl_header_line(rows: list[list[str]]) -> int | None:
    """The line (1 or 2) of the hashtag row, or None when the file has none."""
    return next((i + 1 for i in (0, 1) if i < len(rows) and _is_hashtag_row(rows[i])), None)


def _columns(header: list[str], line: int, problems: list[LocationFileProblem]) -> _Columns:
    columns = _Columns(header_line=line)
    for index, cell in enumerate(header):
        name = _field_of(cell) if cell.strip() else None
        if name is not None and name not in columns.index:  # the first of duplicates wins
            columns.index[name] = index
            columns.label[name] = f'"{cell.strip()}" (column {column_letter(index)})'
    for level in range(1, max(columns.levels(), 1) + 1):
        for part in ("name", "code"):
            key = f"adm{level}_{part}"
            if key not in columns.index:
                columns.label[key] = f'"#adm{level}+{part}"'
                problems.append(LocationFileProblem(line, columns.label[key], "missing column"))
    for key, other in (("geo_lat", "geo_lon"), ("geo_lon", "geo_lat")):
        if key in columns.index and other not in columns.index:
            hashtag = "#geo+lon" if other == "geo_lon" else "#geo+lat"
            problems.append(LocationFileProblem(line, f'"{hashtag}"', "missing column"))
    return columns


class _Reader:
    """Turns data rows into places, collecting every problem."""

    def __init__(self, columns: _Columns, book: PlaceBook) -> None:
        self.columns = columns
        self.book = book

    def _cell(self, row: list[str], key: str) -> str:
        index = self.columns.index.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    def _label(self, key: str) -> str:
        return self.columns.label.get(key, key)

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
            self.book.problem(line, self._label("adm1_code"), "no location on this line")
            return
        parent: str | None = None
        finest: Place | None = None
        for level in range(1, max(filled) + 1):
            code_key, name_key = f"adm{level}_code", f"adm{level}_name"
            place = self.book.add(
                line=line,
                level=level,
                code=self._cell(row, code_key),
                name=self._cell(row, name_key),
                parent=parent,
                columns=(self._label(code_key), self._label(name_key)),
            )
            if place is None:
                return
            parent, finest = place.code, place
        if finest is not None:
            self.book.point(
                line=line,
                place=finest,
                latitude=self._cell(row, "geo_lat"),
                longitude=self._cell(row, "geo_lon"),
                columns=(self._label("geo_lat"), self._label("geo_lon")),
            )


def hxl_read(numbered: list[tuple[int, list[str]]], header_line: int, book: PlaceBook) -> None:
    """Read the rows below the hashtag row (on `header_line`) into `book`."""
    columns = _columns(numbered[header_line - 1][1], header_line, book.problems)
    if book.problems:
        return
    reader = _Reader(columns, book)
    for line, row in numbered[header_line:]:
        reader.read(line, row)

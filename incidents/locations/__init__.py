"""Load locations from a CSV file, all or nothing (`manage.py load_locations`).

Two kinds of file are read, told apart by their header:

- an HXL-tagged file (`hxl.py`): a row of hashtags, `#adm1+name`, `#adm1+code`, ...,
  `#geo+lat`, `#geo+lon`, first or under a row of human-readable headers;
- an OCHA common operational dataset (`cod.py`): administrative boundaries (`ADM1_PCODE`,
  `ADM1_FR`, `ADM2_PCODE`, ...) and populated places (a village's p-code and name beside its
  admin-3 parent's p-code), one place per row with its hierarchy.

Locations are upserted by p-code (`store.py`, set-based): names, parents and points given in the
file win; an empty point never erases a stored one. Every problem is reported with its line
number, column and reason, and then nothing is written: the whole file is checked, against the
database too, before the first write, and the writes share one transaction.
`synthetic.py` makes a deterministic set of villages for the demo and the benchmark.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from incidents.locations.cod import cod_header, cod_read
from incidents.locations.hxl import hxl_header_line, hxl_read
from incidents.locations.places import (
    LocationFileError,
    LocationFileProblem,
    LocationsLoadResult,
    Place,
    PlaceBook,
)
from incidents.locations.store import locations_save

__all__ = [
    "LocationFileError",
    "LocationFileProblem",
    "LocationsLoadResult",
    "Place",
    "locations_load_csv",
    "locations_read",
    "locations_save",
]


def _rows(text: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text))
    numbered: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            numbered.append((reader.line_num, row))
    except csv.Error as error:
        raise LocationFileError(
            [LocationFileProblem(reader.line_num, "", f"not valid CSV: {error}")]
        ) from error
    return numbered


def locations_read(text: str, *, language: str = "") -> list[Place]:
    """Parse and check the file's text, parents first; LocationFileError with every problem.
    `language`: for a COD file with names in several languages, which (FR, EN, ...)."""
    numbered = _rows(text)
    book = PlaceBook([])
    rows = [row for _line, row in numbered]
    header_line = hxl_header_line(rows)
    if header_line is not None:
        hxl_read(numbered, header_line, book)
    elif rows and cod_header(rows[0]):
        cod_read(numbered, book, language=language)
        header_line = 1
    else:
        book.problem(
            1,
            "",
            "no HXL hashtag row: the first or second row must hold hashtags such as #adm1+name and "
            "#adm1+code; nor an OCHA COD header (ADM1_PCODE, ADM1_FR, ...)",
        )
    if not book.places and not book.problems:
        book.problem((header_line or 0) + 1, "", "no locations in the file")
    if book.problems:
        raise LocationFileError(book.problems)
    return book.sorted_places()


def locations_load_csv(path: str | Path, *, dry_run: bool = False, language: str = "") -> LocationsLoadResult:
    """Check and load a locations file; LocationFileError (nothing written) if it is bad."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise LocationFileError([LocationFileProblem(1, "", f"not UTF-8 text: {error.reason}")]) from error
    return locations_save(locations_read(text, language=language), dry_run=dry_run)

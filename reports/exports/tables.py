"""What an export is made of, whatever its file format: tables of columns and rows.

A `Table` has a stable `name` (the JSON key, the XLSX sheet), a title, columns (a stable key,
the JSON one, and a label in the user's language) and rows, which may be produced lazily (the
row-level exports read their rows in batches as the file is written). A cell is text, a number,
None (empty) or a list of texts (several values: joined with "; " in CSV and XLSX, a list in
JSON). Every file format writes the cells through `sheet_text`, so that a spreadsheet never runs
what a cell holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from crsv.spreadsheets import csv_cell

Cell = str | int | float | None | list[str]
# Several values in one CSV or XLSX cell.
LIST_SEPARATOR = "; "


@dataclass(frozen=True)
class Column:
    key: str  # stable, never translated: the JSON key and the row-level files' header
    label: str  # in the user's language: the tables' header


@dataclass
class Table:
    """One table of an export. `rows` is consumed once (it may read the database lazily)."""

    name: str
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Cell]]
    # Row-level tables name their columns by key (an import reads them); the others by label.
    header_keys: bool = False

    def header(self) -> list[str]:
        return [column.key if self.header_keys else column.label for column in self.columns]


@dataclass
class ExportData:
    """The content of one export: its tables, the notes that say what they count and how, and
    the number of data rows."""

    kind: str
    period: str
    title: str
    notes: list[str]
    tables: list[Table]
    # The number of data rows, known before the first row is written (it goes to the audit row).
    row_count: int
    # A plain file for an import (the SAGE feed): the CSV holds no title or notes rows.
    csv_plain: bool = False


def sheet_text(value: Cell) -> str:
    """A cell as text for CSV and XLSX, defused: a formula start gets a leading apostrophe."""
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(value)
    if isinstance(value, float):
        value = f"{value:.1f}"
    return csv_cell(value)


def sheet_value(value: Cell) -> str | int | float:
    """A cell for XLSX: numbers stay numbers (a sum works), everything else is defused text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return sheet_text(value)


def batched_rows(
    ordered_ids: Sequence[int], read: Callable[[list[int]], dict[int, Sequence[Cell]]], size: int = 500
) -> Iterator[Sequence[Cell]]:
    """The rows of `ordered_ids`, read `size` ids at a time by `read` (id -> row), in the order
    given. An id whose row is no longer readable (a consent withdrawn since the ids were chosen)
    is skipped: a row may go, never come."""
    for start in range(0, len(ordered_ids), size):
        batch = list(ordered_ids[start : start + size])
        found = read(batch)
        for subject_id in batch:
            row = found.get(subject_id)
            if row is not None:
                yield row

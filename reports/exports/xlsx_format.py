"""An export as an XLSX workbook (openpyxl, write-only: rows go to disk as they come, so a long
file holds one batch in memory): a "notes" sheet (title, notes, and the columns' keys and
labels), then one sheet per table, its header first.

Every text cell is defused by the CSV rule (`sheet_value`: a leading = + - @, tab or carriage
return gets an apostrophe, so openpyxl never writes it as a formula, nor does a spreadsheet run
it); numbers stay numbers. Characters XML 1.0 cannot hold are dropped (openpyxl refuses them).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from reports.exports.tables import Cell, ExportData, sheet_value

CHUNK_BYTES = 64 * 1024


def _value(cell: Cell) -> str | int | float:
    value = sheet_value(cell)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def xlsx_write(data: ExportData, target: IO[bytes]) -> None:
    workbook = Workbook(write_only=True)
    notes = workbook.create_sheet("notes")
    notes.append([_value(data.title)])
    for note in data.notes:
        notes.append([_value(note)])
    for table in data.tables:
        notes.append([])
        notes.append([_value(table.title)])
        notes.append([_value(_("Column")), _value(_("Meaning"))])
        for column in table.columns:
            notes.append([_value(column.key), _value(column.label)])
    for table in data.tables:
        sheet = workbook.create_sheet(table.name[:31])
        sheet.append([_value(name) for name in table.header()])
        for row in table.rows:
            sheet.append([_value(cell) for cell in row])
    workbook.save(target)


def xlsx_chunks(data: ExportData) -> Iterator[bytes]:
    """The workbook's bytes, written to a temporary file when the first chunk is asked for."""
    with tempfile.TemporaryFile() as target:
        xlsx_write(data, target)
        target.seek(0)
        while chunk := target.read(CHUNK_BYTES):
            yield chunk

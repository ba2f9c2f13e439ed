"""An export as CSV text chunks (UTF-8 with a byte-order mark, so a spreadsheet reads French
names right), streamed: the row-level tables are read in batches as the chunks are consumed.

Layout: the title, the notes, then each table under its title, header first, a blank line
between; a plain file (the SAGE feed, for an import) is the header and the rows only. Every cell
goes through `sheet_text` (a formula start is defused with an apostrophe).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from reports.exports.tables import ExportData, sheet_text

CHUNK_ROWS = 500


def csv_chunks(data: ExportData) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    if not data.csv_plain:
        writer.writerow([sheet_text(data.title)])
        writer.writerows([sheet_text(note)] for note in data.notes)
    for table in data.tables:
        if not data.csv_plain:
            writer.writerow([])
            writer.writerow([sheet_text(table.title)])
        writer.writerow([sheet_text(name) for name in table.header()])
        for count, row in enumerate(table.rows, start=1):
            writer.writerow([sheet_text(cell) for cell in row])
            if count % CHUNK_ROWS == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()

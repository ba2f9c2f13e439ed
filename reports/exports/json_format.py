"""An export as JSON text chunks, streamed like the CSV: one object with the export's kind,
period, title and notes, and its tables, each with its columns (stable key and label) and its
rows as objects keyed by column. Values are as stored (numbers, texts, lists of texts): JSON is
not opened by a spreadsheet, so nothing is defused here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from reports.exports.tables import ExportData

CHUNK_ROWS = 500


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _open(value: dict[str, Any], key: str) -> str:
    """`value` as JSON, left open at a last key `key` holding a list: `{"a":1,"key":[`."""
    return _dumps(value)[:-1] + f',"{key}":['


def json_chunks(data: ExportData) -> Iterator[str]:
    yield _open(
        {"export": data.kind, "period": data.period, "title": data.title, "notes": data.notes}, "tables"
    )
    for index, table in enumerate(data.tables):
        keys = [column.key for column in table.columns]
        columns = [{"key": column.key, "label": column.label} for column in table.columns]
        yield ("," if index else "") + _open(
            {"name": table.name, "title": table.title, "columns": columns}, "rows"
        )
        parts: list[str] = []
        for count, row in enumerate(table.rows):
            parts.append(("," if count else "") + _dumps(dict(zip(keys, row, strict=True))))
            if len(parts) == CHUNK_ROWS:
                yield "".join(parts)
                parts = []
        yield "".join(parts) + "]}"
    yield "]}"

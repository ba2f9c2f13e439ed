"""Cells of the CSV files the system lets users download (the audit trail, the access review,
and the statistics' exports): a spreadsheet must never run what a cell holds."""

from __future__ import annotations

from typing import Any

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (and a
# tab or a carriage return can hide one): prefixed with an apostrophe, as OWASP advises.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """`value` as a CSV cell's text (None: empty), with a leading apostrophe if a spreadsheet
    would take it for a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text

"""Disclosure control for every table that leaves the mission (issue 13, item 3; DESIGN §6).

In-mission dashboards show exact counts to the roles that may see them; exports and views for
partners go through this package:

- **Fixed periods, coarse places** (`periods`): a month, a quarter or a year, never a range of
  dates, and admin level 2 at the finest, so that two published tables cannot be subtracted.
- **Primary suppression**: every cell or total from 1 to threshold - 1 is shown as "<5"
  (`STATISTICS_SUPPRESSION_THRESHOLD`, 5 by default). Zeros are published as 0, as in GBVIMS
  practice: a zero names nobody, and for a reader it is one more known value like any published
  cell, which the complementary step below already counts on ("a zero next to a total" is the
  same subtraction as "a 12 next to a total"). Zeros are never used to protect another cell.
- **Complementary suppression** (`network`): a reader knows every published value, that "<5"
  is 1..4 and that "x" is at least 5, and that rows and columns add up to their totals. A
  suppressed cell is safe when the values it may take under those facts form an interval of
  more than one number. The table and its totals are a circulation on a small graph; a cell's
  value can move exactly when it lies on a cycle of suppressed cells that can all move that
  way. For each small cell in turn the cheapest such cycle (in the published values it hides)
  is suppressed; totals are withheld only when no cycle of cells exists (a lone small row
  total needs a second one, or the grand total, else it is the grand total minus the others).
  This is stronger than "two suppressed cells in every line", which a bridge between two
  blocks of suppressed cells defeats.
- **Tables published together** (`suppress_tables`) share one pass: their common totals are
  the same cells, withheld in all or in none, and a cycle through them in one table must be
  matched in every other, so no pair of them gives a suppressed cell back.
"""

from __future__ import annotations

from reports.disclosure.periods import (
    MAX_PUBLISHED_ADMIN_LEVEL,
    Period,
    PeriodError,
    PeriodKind,
    coarsen_location_level,
)
from reports.disclosure.tables import (
    WITHHELD,
    DisclosureError,
    Published,
    SuppressedCounts,
    SuppressedTable,
    suppress_counts,
    suppress_table,
    suppress_tables,
    suppression_legend,
    suppression_threshold,
)

__all__ = [
    "MAX_PUBLISHED_ADMIN_LEVEL",
    "WITHHELD",
    "DisclosureError",
    "Period",
    "PeriodError",
    "PeriodKind",
    "Published",
    "SuppressedCounts",
    "SuppressedTable",
    "coarsen_location_level",
    "suppress_counts",
    "suppress_table",
    "suppress_tables",
    "suppression_legend",
    "suppression_threshold",
]

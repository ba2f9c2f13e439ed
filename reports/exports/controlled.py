"""Disclosure control as the de-identified exports apply it (`reports.disclosure`): every count
that leaves the mission goes through one of its suppression passes, small counts shown as "<5"
(the threshold setting), with the complementary cells withheld.

A table too sparse to protect (the disclosure module cannot hide its small cells, e.g. one small
cell and its total) is published with every count withheld: the export is still made, and says
nothing the rule forbids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reports.disclosure import (
    WITHHELD,
    DisclosureError,
    Published,
    suppress_counts,
    suppress_tables,
)


def is_shown(value: Published) -> bool:
    """Whether a published value is the count itself (not "<5" nor withheld)."""
    return isinstance(value, int)


def counts_controlled(counts: Mapping[str, int]) -> tuple[dict[str, Published], Published]:
    """A breakdown and its total, suppressed together (the total is the sum of the items)."""
    try:
        result = suppress_counts(counts)
    except DisclosureError:
        return dict.fromkeys(counts, WITHHELD), WITHHELD
    return result.items, result.total


def breakdowns_controlled(
    breakdowns: Sequence[tuple[Sequence[str], Mapping[str, int]]],
) -> tuple[list[dict[str, Published]], Published]:
    """Breakdowns of the same things (e.g. the incidents by month and by admin 1), each as
    (its keys in order, its counts), published together: one suppression pass over all, as one
    row ("all") of several tables that share its total. Returns each breakdown's published
    counts and the shared total."""
    tables = [{("all", key): counts.get(key, 0) for key in keys} for keys, counts in breakdowns]
    columns: list[Sequence[str] | None] = [list(keys) for keys, _counts in breakdowns]
    try:
        results = suppress_tables(tables, rows=["all"], columns=columns)
    except DisclosureError:
        return [dict.fromkeys(keys, WITHHELD) for keys, _counts in breakdowns], WITHHELD
    published = [{key: result.cell("all", key) for key in result.columns} for result in results]
    return published, results[0].total

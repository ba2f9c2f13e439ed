"""Tables as they leave the mission: the small cells and what would reveal them, suppressed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from reports.disclosure.network import HUB, TOTALS, Cell, Network, Protector, Status, Unprotectable

Published = int | str
WITHHELD = "x"  # a complementary cell: at least the threshold, withheld so a small one stays hidden
MINIMUM_THRESHOLD = 3  # "<2" would publish every small cell's value: 1


class DisclosureError(ValueError):
    """The table cannot be published safely (too sparse to hide its small cells)."""


@dataclass(frozen=True)
class SuppressedTable:
    """A 2-D table ready to publish: ints, "<5" for a small count, "x" for a withheld one."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: dict[tuple[str, str], Published]
    row_totals: dict[str, Published]
    column_totals: dict[str, Published]
    total: Published
    threshold: int

    def cell(self, row: str, column: str) -> Published:
        return self.cells[row, column]


@dataclass(frozen=True)
class SuppressedCounts:
    """A 1-D table (one breakdown and its total) ready to publish."""

    items: dict[str, Published]
    total: Published
    threshold: int


def suppression_threshold(threshold: int | None = None) -> int:
    """`threshold`, else the `STATISTICS_SUPPRESSION_THRESHOLD` setting; at least 3."""
    value = settings.STATISTICS_SUPPRESSION_THRESHOLD if threshold is None else threshold
    if isinstance(value, bool) or not isinstance(value, int) or value < MINIMUM_THRESHOLD:
        raise ValueError(f"The suppression threshold must be an integer of at least {MINIMUM_THRESHOLD}.")
    return value


def suppression_legend(threshold: int | None = None) -> list[str]:
    """The lines an export prints under a suppressed table."""
    limit = suppression_threshold(threshold)
    return [
        _("“<%(threshold)d”: fewer than %(threshold)d (at least 1).") % {"threshold": limit},
        _("“%(marker)s”: withheld so that a small count cannot be worked out from the totals.")
        % {"marker": WITHHELD},
    ]


def _count(value: object, where: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"Counts are non-negative integers; {where!r} is {value!r}.")
    return value


def _cell(value: int, threshold: int, *, margin: bool = False) -> Cell:
    small = 0 < value < threshold
    return Cell(value, margin=margin, status=Status.SMALL if small else Status.PUBLISHED)


def _shown(cell: Cell, threshold: int) -> Published:
    if cell.status is Status.SMALL:
        return f"<{threshold}"
    return WITHHELD if cell.status is Status.WITHHELD else cell.value


def _protect(networks: Sequence[Network], threshold: int) -> None:
    try:
        Protector(networks, threshold).protect_all()
    except Unprotectable as exc:
        raise DisclosureError(
            _("This table is too sparse to publish without revealing a small count.")
        ) from exc


def _keys(found: Sequence[str], given: Sequence[str] | None, name: str) -> tuple[str, ...]:
    if given is None:
        return tuple(dict.fromkeys(found))
    missing = set(found) - set(given)
    if missing:
        raise ValueError(f"Cells name {name} not in the given {name}: {sorted(missing)!r}.")
    return tuple(dict.fromkeys(given))


def suppress_table(
    cells: Mapping[tuple[str, str], int],
    *,
    threshold: int | None = None,
    rows: Sequence[str] | None = None,
    columns: Sequence[str] | None = None,
) -> SuppressedTable:
    """A 2-D table (absent cells are 0) with its row and column totals, suppressed.

    `rows` and `columns` give the order and keep rows or columns that are all zero."""
    return suppress_tables([cells], threshold=threshold, rows=rows, columns=[columns])[0]


def suppress_tables(
    tables: Sequence[Mapping[tuple[str, str], int]],
    *,
    threshold: int | None = None,
    rows: Sequence[str] | None = None,
    columns: Sequence[Sequence[str] | None] | None = None,
) -> list[SuppressedTable]:
    """Tables published together, suppressed in one pass: the same rows (and so the same row
    totals and grand total) broken down by different columns, e.g. office x month and office x
    violation form. A total withheld in one is withheld in all, and no suppressed cell of one
    can be recovered with the help of another. Tables that count different things (different
    row totals) are refused: suppress them one by one, as they share no sum but the grand total
    (which is safe unless it is small itself: then publish it in one of them only)."""
    limit = suppression_threshold(threshold)
    if not tables:
        return []
    layouts = []
    for index, table in enumerate(tables):
        counts = {key: _count(value, key) for key, value in table.items()}
        table_rows = _keys([row for row, _ in counts], rows, "rows")
        given = columns[index] if columns is not None else None
        layouts.append((counts, table_rows, _keys([column for _, column in counts], given, "columns")))
    all_rows = tuple(dict.fromkeys(row for _, table_rows, _ in layouts for row in table_rows))
    row_sums = [
        {row: sum(counts.get((row, column), 0) for column in table_columns) for row in all_rows}
        for counts, _rows, table_columns in layouts
    ]
    if any(sums != row_sums[0] for sums in row_sums):
        raise ValueError("Tables published together must have the same row totals (the same things counted).")
    row_cells = {row: _cell(row_sums[0][row], limit, margin=True) for row in all_rows}
    total = _cell(sum(row_sums[0].values()), limit, margin=True)
    networks, built = [], []
    for counts, _rows, table_columns in layouts:
        network = Network()
        network.add(TOTALS, HUB, total)
        cells = {}
        for row in all_rows:
            network.add(HUB, ("row", row), row_cells[row])
            for column in table_columns:
                cells[row, column] = network.add(
                    ("row", row), ("column", column), _cell(counts.get((row, column), 0), limit)
                )
        column_cells = {
            column: network.add(
                ("column", column),
                TOTALS,
                _cell(sum(counts.get((row, column), 0) for row in all_rows), limit, margin=True),
            )
            for column in table_columns
        }
        networks.append(network)
        built.append((table_columns, cells, column_cells))
    _protect(networks, limit)
    return [
        SuppressedTable(
            rows=all_rows,
            columns=table_columns,
            cells={key: _shown(cell, limit) for key, cell in cells.items()},
            row_totals={row: _shown(cell, limit) for row, cell in row_cells.items()},
            column_totals={column: _shown(cell, limit) for column, cell in column_cells.items()},
            total=_shown(total, limit),
            threshold=limit,
        )
        for table_columns, cells, column_cells in built
    ]


def suppress_counts(counts: Mapping[str, int], *, threshold: int | None = None) -> SuppressedCounts:
    """A 1-D table and its total, suppressed (a breakdown published alone, e.g. by office). A
    1-D table of the rows of tables published together is their `row_totals`: use those."""
    limit = suppression_threshold(threshold)
    network = Network()
    cells = {
        key: network.add(("items",), ("total",), _cell(_count(value, key), limit))
        for key, value in counts.items()
    }
    total = network.add(("total",), ("items",), _cell(sum(counts.values()), limit, margin=True))
    _protect([network], limit)
    return SuppressedCounts(
        items={key: _shown(cell, limit) for key, cell in cells.items()},
        total=_shown(total, limit),
        threshold=limit,
    )

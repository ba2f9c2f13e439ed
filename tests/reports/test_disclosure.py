"""Disclosure control (reports/disclosure): small cells, complementary suppression, tables
published together, fixed periods, coarse places. No database.

Every suppressed table is attacked by an exhaustive reader (disclosure_oracle.py) who knows the
published values, that "<t" is 1..t-1 and "x" at least t, and that lines add up to their totals:
no suppressed value may be the only one that fits."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings
from hypothesis import assume, given
from hypothesis import strategies as st

from reports.disclosure import (
    WITHHELD,
    DisclosureError,
    Period,
    PeriodError,
    PeriodKind,
    SuppressedTable,
    coarsen_location_level,
    suppress_counts,
    suppress_table,
    suppress_tables,
    suppression_legend,
    suppression_threshold,
)
from tests.reports.disclosure_oracle import Reader
from tests.reports.hypothesis_settings import SEARCH

Cells = dict[tuple[str, str], int]


def grid(*rows: list[int]) -> Cells:
    return {(f"r{i}", f"c{j}"): value for i, row in enumerate(rows) for j, value in enumerate(row)}


def disclosed(threshold: int, *published: tuple[SuppressedTable, Cells]) -> list[object]:
    reader = Reader(threshold)
    for index, (table, truth) in enumerate(published):
        reader.add_table(index, table, truth)
    assert reader.consistent()
    return reader.disclosed()


def published_values(table: SuppressedTable) -> list[int | str]:
    return [
        *table.cells.values(),
        *table.row_totals.values(),
        *table.column_totals.values(),
        table.total,
    ]


def everything_withheld(cells: Cells, threshold: int, rows: list[str]) -> SuppressedTable:
    """The most a publication can hide: every count but the zeros suppressed."""

    def shown(value: int) -> int | str:
        return 0 if value == 0 else f"<{threshold}" if value < threshold else WITHHELD

    columns = list(dict.fromkeys(column for _, column in cells))
    return SuppressedTable(
        rows=tuple(rows),
        columns=tuple(columns),
        cells={key: shown(value) for key, value in cells.items()},
        row_totals={row: shown(sum(cells.get((row, c), 0) for c in columns)) for row in rows},
        column_totals={c: shown(sum(cells.get((row, c), 0) for row in rows)) for c in columns},
        total=shown(sum(cells.values())),
        threshold=threshold,
    )


# -- the reader itself ---------------------------------------------------------------------------
def test_the_reader_recovers_a_small_cell_from_primary_suppression_alone() -> None:
    cells = grid([3, 10], [8, 20])
    naive = SuppressedTable(
        rows=("r0", "r1"),
        columns=("c0", "c1"),
        cells={("r0", "c0"): "<5", ("r0", "c1"): 10, ("r1", "c0"): 8, ("r1", "c1"): 20},
        row_totals={"r0": 13, "r1": 28},
        column_totals={"c0": 11, "c1": 30},
        total=41,
        threshold=5,
    )
    assert disclosed(5, (naive, cells)) == [(0, "r0", "c0")]


def test_two_suppressed_cells_in_every_line_is_not_enough() -> None:
    """Two blocks of suppressed cells joined by one small cell: every row and column holds two
    or more, yet the joining cell is a difference of published totals."""
    cells = grid([2, 9, 3, 0], [9, 8, 0, 6], [0, 0, 8, 9], [6, 0, 9, 12])
    hidden = {(0, 0), (0, 1), (1, 0), (1, 1), (0, 2), (2, 2), (2, 3), (3, 2), (3, 3)}
    rows, columns = [f"r{i}" for i in range(4)], [f"c{j}" for j in range(4)]
    naive = SuppressedTable(
        rows=tuple(rows),
        columns=tuple(columns),
        cells={
            (f"r{i}", f"c{j}"): ("<5" if cells[f"r{i}", f"c{j}"] < 5 else WITHHELD)
            if (i, j) in hidden
            else cells[f"r{i}", f"c{j}"]
            for i in range(4)
            for j in range(4)
        },
        row_totals={row: sum(cells[row, c] for c in columns) for row in rows},
        column_totals={c: sum(cells[row, c] for row in rows) for c in columns},
        total=sum(cells.values()),
        threshold=5,
    )
    assert (0, "r0", "c2") in disclosed(5, (naive, cells))
    assert disclosed(5, (suppress_table(cells, threshold=5), cells)) == []


# -- one table -----------------------------------------------------------------------------------
def test_a_small_cell_is_hidden_behind_the_cheapest_cycle_and_totals_stay_exact() -> None:
    cells = {
        ("Bunia", "Jan"): 3, ("Bunia", "Feb"): 10, ("Bunia", "Mar"): 12,
        ("Goma", "Jan"): 8, ("Goma", "Feb"): 20, ("Goma", "Mar"): 7,
        ("Uvira", "Jan"): 9, ("Uvira", "Feb"): 0, ("Uvira", "Mar"): 6,
    }  # fmt: skip
    table = suppress_table(cells, threshold=5)
    assert table.cell("Bunia", "Jan") == "<5"
    withheld = [cells[key] for key, value in table.cells.items() if value == WITHHELD]
    assert len(withheld) == 3 and sum(withheld) == 27  # 12 + 8 + 7 or 12 + 9 + 6: the least a cycle hides
    assert table.row_totals == {"Bunia": 25, "Goma": 35, "Uvira": 15}
    assert table.column_totals == {"Jan": 20, "Feb": 30, "Mar": 25} and table.total == 75
    assert table.cell("Uvira", "Feb") == 0
    assert disclosed(5, (table, cells)) == []


def test_zeros_are_published_and_never_withheld() -> None:
    cells = grid([0, 3, 9], [0, 8, 0], [0, 6, 7])
    table = suppress_table(cells, threshold=5)
    assert [table.cell(f"r{i}", "c0") for i in range(3)] == [0, 0, 0]
    assert table.column_totals["c0"] == 0
    assert all(table.cells[key] == 0 for key, value in cells.items() if value == 0)
    assert disclosed(5, (table, cells)) == []


def test_a_small_total_is_shown_as_small_and_a_lone_one_gets_a_companion() -> None:
    """A small row total alone among published ones is the grand total minus the others."""
    cells = grid([3, 0], [10, 12], [9, 20])
    table = suppress_table(cells, threshold=5)
    assert table.row_totals["r0"] == "<5"
    hidden_totals = [v for v in [*table.row_totals.values(), table.total] if not isinstance(v, int)]
    assert len(hidden_totals) >= 2
    assert disclosed(5, (table, cells)) == []


def test_a_table_of_one_small_cell_hides_everything() -> None:
    table = suppress_table({("Bunia", "rape"): 2}, threshold=5)
    assert published_values(table) == ["<5", "<5", "<5", "<5"]


def test_rows_and_columns_given_keep_order_and_all_zero_lines() -> None:
    table = suppress_table({("b", "y"): 7}, rows=["a", "b"], columns=["x", "y"], threshold=5)
    assert table.rows == ("a", "b") and table.columns == ("x", "y")
    assert table.cells == {("a", "x"): 0, ("a", "y"): 0, ("b", "x"): 0, ("b", "y"): 7}
    with pytest.raises(ValueError, match="not in the given rows"):
        suppress_table({("c", "y"): 7}, rows=["a", "b"], threshold=5)


def test_a_table_too_sparse_to_hide_its_small_cells_is_refused() -> None:
    """All small: "x" would say at least 5, and the sums then pin every cell; even hiding
    every count, the reader recovers them."""
    cells = grid([1, 1], [2, 3], [1, 0])
    with pytest.raises(DisclosureError, match="too sparse"):
        suppress_table(cells, threshold=5)
    assert disclosed(5, (everything_withheld(cells, 5, ["r0", "r1", "r2"]), cells))


@pytest.mark.parametrize("bad", [-1, True, "3"])
def test_counts_are_non_negative_integers(bad: object) -> None:
    with pytest.raises(ValueError, match="non-negative integers"):
        suppress_table({("a", "b"): bad})  # type: ignore[dict-item]


# -- the threshold ------------------------------------------------------------------------------
def test_the_threshold_is_the_setting() -> None:
    assert suppression_threshold() == 5
    with override_settings(STATISTICS_SUPPRESSION_THRESHOLD=10):
        table = suppress_table(grid([9, 30], [12, 40]))
        assert table.threshold == 10 and table.cell("r0", "c0") == "<10"
        assert suppression_legend()[0].startswith("“<10”")


@pytest.mark.parametrize("threshold", [0, 1, 2])
def test_a_threshold_below_three_is_refused(threshold: int) -> None:
    """ "<2" would publish every small cell: it can only be 1."""
    with pytest.raises(ValueError, match="at least 3"):
        suppress_table(grid([1]), threshold=threshold)


# -- one breakdown and its total -----------------------------------------------------------------
def test_counts_one_small_is_hidden_with_the_smallest_other() -> None:
    result = suppress_counts({"Bunia": 3, "Goma": 12, "Uvira": 8}, threshold=5)
    assert result.items == {"Bunia": "<5", "Goma": 12, "Uvira": WITHHELD} and result.total == 23


def test_counts_two_smalls_hide_each_other_unless_a_bound_pins_them() -> None:
    assert suppress_counts({"a": 2, "b": 3, "c": 9}, threshold=5).items == {"a": "<5", "b": "<5", "c": 9}
    # 4 and 4 at the top of "<5": their sum 8 would pin both, so a third is withheld.
    result = suppress_counts({"a": 4, "b": 4, "c": 9, "d": 30}, threshold=5)
    assert result.items == {"a": "<5", "b": "<5", "c": WITHHELD, "d": 30}


def test_counts_a_small_total_is_shown_as_small() -> None:
    result = suppress_counts({"a": 1, "b": 0, "c": 2}, threshold=5)
    assert result.items == {"a": "<5", "b": 0, "c": "<5"} and result.total == "<5"


# -- tables published together --------------------------------------------------------------------
def test_tables_published_together_share_their_totals() -> None:
    by_month = {("Bunia", "Jan"): 3, ("Bunia", "Feb"): 10, ("Goma", "Jan"): 8, ("Goma", "Feb"): 20}
    by_form = {("Bunia", "rape"): 13, ("Bunia", "slavery"): 0, ("Goma", "rape"): 2, ("Goma", "slavery"): 26}
    months, forms = suppress_tables([by_month, by_form], threshold=5)
    assert months.row_totals == forms.row_totals and months.total == forms.total == 41
    assert months.cell("Bunia", "Jan") == "<5" and forms.cell("Goma", "rape") == "<5"
    assert disclosed(5, (months, by_month), (forms, by_form)) == []


def test_separately_safe_tables_can_give_each_other_away() -> None:
    """Suppressed one by one, each table is safe alone, but the second publishes the grand
    total the first withholds: together they give the small cells back. Suppressed in one
    pass, they do not."""
    by_month = {("Bunia", "Jan"): 4, ("Bunia", "Feb"): 0, ("Goma", "Jan"): 4, ("Goma", "Feb"): 5}
    by_form = {("Bunia", "rape"): 1, ("Bunia", "slavery"): 3, ("Goma", "rape"): 7, ("Goma", "slavery"): 2}
    months, forms = suppress_table(by_month, threshold=5), suppress_table(by_form, threshold=5)
    assert disclosed(5, (months, by_month)) == [] and disclosed(5, (forms, by_form)) == []
    assert months.total == WITHHELD and forms.total == 13
    assert (0, "Bunia", "Jan") in disclosed(5, (months, by_month), (forms, by_form))
    months, forms = suppress_tables([by_month, by_form], threshold=5)
    assert months.total == forms.total and months.row_totals == forms.row_totals
    assert disclosed(5, (months, by_month), (forms, by_form)) == []


def test_tables_counting_different_things_are_refused_together() -> None:
    with pytest.raises(ValueError, match="same row totals"):
        suppress_tables([grid([3, 4]), grid([3, 5])], threshold=5)


# -- properties on random tables -------------------------------------------------------------------
COUNTS = st.sampled_from([0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 20])


@st.composite
def tables(draw: st.DrawFn, max_rows: int = 3, max_columns: int = 3) -> Cells:
    rows = draw(st.integers(1, max_rows))
    columns = draw(st.integers(1, max_columns))
    return {(f"r{i}", f"c{j}"): draw(COUNTS) for i in range(rows) for j in range(columns)}


@st.composite
def split(draw: st.DrawFn, cells: Cells) -> Cells:
    """The same rows broken down another way: each row total cut into 1-3 parts."""
    rows = list(dict.fromkeys(row for row, _ in cells))
    parts = draw(st.integers(1, 3))
    other: Cells = {}
    for row in rows:
        total = sum(value for (r, _), value in cells.items() if r == row)
        cuts = sorted(draw(st.lists(st.integers(0, total), min_size=parts - 1, max_size=parts - 1)))
        for index, (low, high) in enumerate(zip([0, *cuts], [*cuts, total], strict=True)):
            other[row, f"k{index}"] = high - low
    return other


def check_published(threshold: int, *pairs: tuple[SuppressedTable, Cells]) -> None:
    for table, _ in pairs:
        for value in published_values(table):
            # (a) nothing published between 1 and the threshold; markers are "<t" or "x"
            assert value in (f"<{threshold}", WITHHELD) or (
                isinstance(value, int) and not 0 < value < threshold
            )
    # (b) and (c): no suppressed value, of one table or of the tables together, is the only fit
    assert disclosed(threshold, *pairs) == []


def rows_of(cells: Cells) -> list[str]:
    return list(dict.fromkeys(row for row, _ in cells))


@given(cells=tables(), threshold=st.sampled_from([3, 4, 5, 6]))
@SEARCH
def test_random_tables_leave_no_small_cell_recoverable(cells: Cells, threshold: int) -> None:
    try:
        table = suppress_table(cells, threshold=threshold)
    except DisclosureError:
        # Refused only when hiding every count would not do either.
        assert disclosed(threshold, (everything_withheld(cells, threshold, rows_of(cells)), cells))
        return
    check_published(threshold, (table, cells))


@given(data=st.data(), threshold=st.sampled_from([3, 5]))
@SEARCH
def test_random_pairs_of_tables_published_together_leave_nothing_recoverable(
    data: st.DataObject, threshold: int
) -> None:
    first = data.draw(tables())
    second = data.draw(split(first))
    try:
        published = suppress_tables([first, second], threshold=threshold, rows=rows_of(first))
    except DisclosureError:
        everything = [everything_withheld(cells, threshold, rows_of(first)) for cells in (first, second)]
        assert disclosed(threshold, (everything[0], first), (everything[1], second))
        return
    assert published[0].row_totals == published[1].row_totals
    assert published[0].total == published[1].total
    check_published(threshold, (published[0], first), (published[1], second))


@given(counts=st.lists(COUNTS, min_size=1, max_size=6), threshold=st.sampled_from([3, 5]))
@SEARCH
def test_random_breakdowns_leave_no_small_count_recoverable(counts: list[int], threshold: int) -> None:
    cells = {("all", f"k{index}"): value for index, value in enumerate(counts)}
    assume(sum(counts) > 0)
    try:
        result = suppress_counts({column: value for (_, column), value in cells.items()}, threshold=threshold)
    except DisclosureError:
        return
    # A breakdown and its total is a one-row table whose column totals are its cells.
    as_table = SuppressedTable(
        rows=("all",),
        columns=tuple(column for _, column in cells),
        cells={("all", column): shown for column, shown in result.items.items()},
        row_totals={"all": result.total},
        column_totals=dict(result.items),
        total=result.total,
        threshold=threshold,
    )
    check_published(threshold, (as_table, cells))


# -- fixed periods and coarse places ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "kind", "first", "last"),
    [
        ("2026-03", PeriodKind.MONTH, date(2026, 3, 1), date(2026, 3, 1)),
        ("2026-Q1", PeriodKind.QUARTER, date(2026, 1, 1), date(2026, 3, 1)),
        ("2026-q4", PeriodKind.QUARTER, date(2026, 10, 1), date(2026, 12, 1)),
        ("2026", PeriodKind.YEAR, date(2026, 1, 1), date(2026, 12, 1)),
        ("2024-02", PeriodKind.MONTH, date(2024, 2, 1), date(2024, 2, 1)),
    ],
)
def test_fixed_periods_are_parsed(text: str, kind: PeriodKind, first: date, last: date) -> None:
    period = Period.parse(text)
    assert (period.kind, period.first_month, period.last_month) == (kind, first, last)
    assert Period.parse(str(period)) == period and str(period) == text.upper()


@pytest.mark.parametrize(
    "text",
    [
        "2026-01-01..2026-02-15", "2026-01-01", "2026-13", "2026-00", "2026-Q5", "2026-Q0", "26-03",
        "2026-3", "2026/03", "0000", "2026-H1", "", "2026-03-", "٢٠٢٦", "2026-W10", "2026-01..2026-03",
    ],
)  # fmt: skip
def test_anything_else_is_refused_with_a_reason(text: str) -> None:
    with pytest.raises(PeriodError, match="fixed periods only"):
        Period.parse(text)


def test_a_range_of_dates_is_accepted_only_when_it_is_a_fixed_period() -> None:
    assert Period.covering(date(2026, 1, 1), date(2026, 3, 31)) == Period.parse("2026-Q1")
    assert Period.covering(date(2024, 2, 1), date(2024, 2, 29)) == Period.parse("2024-02")
    assert Period.covering(date(2026, 1, 1), date(2026, 12, 31)) == Period.parse("2026")
    for start, end in [
        (date(2026, 1, 1), date(2026, 6, 30)),  # a half-year
        (date(2026, 2, 1), date(2026, 4, 30)),  # three months, not a quarter
        (date(2026, 1, 2), date(2026, 1, 31)),
        (date(2026, 1, 1), date(2026, 1, 30)),
    ]:
        with pytest.raises(PeriodError):
            Period.covering(start, end)


def test_a_period_holds_its_days() -> None:
    quarter = Period.parse("2026-Q2")
    assert date(2026, 4, 1) in quarter and date(2026, 6, 30) in quarter
    assert date(2026, 3, 31) not in quarter and date(2026, 7, 1) not in quarter
    assert quarter.last_day == date(2026, 6, 30) and Period.parse("2026-12").last_day == date(2026, 12, 31)


@pytest.mark.parametrize(("level", "published"), [(0, 0), (1, 1), (2, 2), (3, 2), (5, 2)])
def test_places_are_published_at_admin_level_two_at_the_finest(level: int, published: int) -> None:
    assert coarsen_location_level(level) == published


def test_a_negative_admin_level_is_refused() -> None:
    with pytest.raises(ValueError, match="admin level"):
        coarsen_location_level(-1)

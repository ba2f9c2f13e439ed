"""A reader's attack on published tables, by exhaustive search (independent of reports.disclosure).

The reader knows every published int, that "<t" is 1..t-1 and "x" at least t, and that each
table's rows and columns add up to their totals (tables published together: the same row totals
and grand total). A suppressed value is disclosed when no other integer value fits all of that.
The search keeps "x" cells below their true value + 3: a smaller world than the reader's, so an
alternative found here is a real one (the check can only err towards "disclosed").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reports.disclosure import WITHHELD, SuppressedTable

Equation = tuple[list[tuple[int, int]], int]  # sum(coefficient * variable) == constant


class Reader:
    """The unknowns and equations of a set of tables published together."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.names: dict[object, int] = {}
        self.truth: list[int] = []
        self.low: list[int] = []
        self.high: list[int] = []
        self.equations: list[Equation] = []

    def term(self, name: object, shown: int | str, true: int) -> tuple[int | None, int]:
        """(variable, 0) for a suppressed value, (None, value) for a published one."""
        if isinstance(shown, int):
            assert shown == true, f"{name}: published {shown}, true {true}"
            return None, shown
        if name not in self.names:
            self.names[name] = len(self.truth)
            self.truth.append(true)
            if shown == f"<{self.threshold}":
                self.low.append(1)
                self.high.append(self.threshold - 1)
            else:
                assert shown == WITHHELD, shown
                self.low.append(self.threshold)
                self.high.append(true + 3)
        return self.names[name], 0

    def add_sum(self, parts: Sequence[tuple[int | None, int]], total: tuple[int | None, int]) -> None:
        terms = [(variable, 1) for variable, _ in parts if variable is not None]
        constant = -sum(value for variable, value in parts if variable is None)
        if total[0] is None:
            constant += total[1]
        else:
            terms.append((total[0], -1))
        if terms:
            self.equations.append((terms, constant))
        else:
            assert constant == 0

    def add_table(
        self, tag: object, published: SuppressedTable, truth: Mapping[tuple[str, str], int]
    ) -> None:
        def cell(row: str, column: str) -> tuple[int | None, int]:
            return self.term((tag, row, column), published.cells[row, column], truth.get((row, column), 0))

        row_true = {row: sum(truth.get((row, c), 0) for c in published.columns) for row in published.rows}
        column_true = {c: sum(truth.get((row, c), 0) for row in published.rows) for c in published.columns}
        rows = {
            row: self.term(("row", row), published.row_totals[row], row_true[row]) for row in published.rows
        }
        columns = {
            c: self.term((tag, "column", c), published.column_totals[c], column_true[c])
            for c in published.columns
        }
        total = self.term("total", published.total, sum(row_true.values()))
        for row in published.rows:
            self.add_sum([cell(row, c) for c in published.columns], rows[row])
        for c in published.columns:
            self.add_sum([cell(row, c) for row in published.rows], columns[c])
        self.add_sum(list(columns.values()), total)
        self.add_sum(list(rows.values()), total)

    def disclosed(self) -> list[object]:
        """The suppressed values no other value fits."""
        found = []
        for name, variable in self.names.items():
            if not any(self._solvable_with(variable, low, high) for low, high in self._others(variable)):
                found.append(name)
        return found

    def _others(self, variable: int) -> list[tuple[int, int]]:
        """The ranges of the variable's values other than the true one."""
        true = self.truth[variable]
        return [(true + 1, self.high[variable]), (self.low[variable], true - 1)]

    def _solvable_with(self, variable: int, low: int, high: int) -> bool:
        lows, highs = list(self.low), list(self.high)  # copies: the search narrows them
        lows[variable], highs[variable] = low, high
        return _solvable(lows, highs, self.equations)

    def consistent(self) -> bool:
        return _solvable(list(self.truth), list(self.truth), self.equations)


def _narrowed(low: list[int], high: list[int], equations: Sequence[Equation]) -> bool:
    """Tightens the bounds from every equation until nothing moves; False if one cannot hold."""
    moved = True
    while moved:
        moved = False
        for terms, constant in equations:
            least = sum(low[v] if c > 0 else -high[v] for v, c in terms)
            most = sum(high[v] if c > 0 else -low[v] for v, c in terms)
            if least > constant or most < constant:
                return False
            for v, c in terms:
                # c * value lies in [constant - (most - own most), constant - (least - own least)]
                own_least, own_most = (low[v], high[v]) if c > 0 else (-high[v], -low[v])
                bottom, top = constant - (most - own_most), constant - (least - own_least)
                new_low, new_high = (bottom, top) if c > 0 else (-top, -bottom)
                if new_low > low[v]:
                    low[v], moved = new_low, True
                if new_high < high[v]:
                    high[v], moved = new_high, True
                if low[v] > high[v]:
                    return False
    return True


def _solvable(low: list[int], high: list[int], equations: Sequence[Equation]) -> bool:
    if any(a > b for a, b in zip(low, high, strict=True)) or not _narrowed(low, high, equations):
        return False
    free = [v for v in range(len(low)) if low[v] < high[v]]
    if not free:
        return True
    chosen = min(free, key=lambda v: high[v] - low[v])
    for value in range(low[chosen], high[chosen] + 1):
        trial_low, trial_high = list(low), list(high)
        trial_low[chosen] = trial_high[chosen] = value
        if _solvable(trial_low, trial_high, equations):
            return True
    return False

"""The complementary suppression's engine: a published table as a circulation on a small graph.

A 2-D table with its margins is a flow that is conserved at every node:

    hub -> row r      the row total R_r
    row r -> col c    the cell x_rc
    col c -> totals   the column total C_c
    totals -> hub     the grand total G

(a 1-D table: items -> total for each cell, total -> items for the total). The published values
fix some arcs; a reader's unknowns are the suppressed arcs, each within what its marker says:
"<5" is 1..4, "x" (complementary) is at least the threshold. A suppressed value can be moved,
keeping every published value and every sum, exactly when it lies on a cycle of suppressed arcs
each of which can move that way (up where its arc is run forwards, down where backwards): the
arc's residual arcs are `tail -> head` when it can rise and `head -> tail` when it can fall. So a
cell is protected when its residual arc closes a cycle; if not, the cheapest cycle through it
over published cells (the cost of an arc is its value; totals cost far more) is suppressed too.
Suppressing more never undoes a protection (it only adds residual arcs), so one pass over the
small cells is enough.

Tables published together share their row totals and grand total, the arcs that meet at `hub`.
A change of a shared arc must be matched in every table, so a cycle through `hub` in one table
must pair the same two shared arcs, moving the same ways, as a cycle in every other table: those
cycles are searched together ("footprints"), and cycles that do not pass `hub` stay local.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from enum import Enum

Node = Hashable
HUB: Node = ("hub",)
TOTALS: Node = ("totals",)
MARGIN_COST = 10**9  # a total is suppressed only when no cycle of cells protects a small cell


class Status(Enum):
    PUBLISHED = "published"
    SMALL = "small"  # primary: 1 <= value < threshold
    WITHHELD = "withheld"  # complementary


@dataclass(eq=False)
class Cell:
    value: int
    margin: bool = False
    status: Status = Status.PUBLISHED

    @property
    def suppressed(self) -> bool:
        return self.status is not Status.PUBLISHED


@dataclass(eq=False)
class Network:
    """One table's arcs: (tail, head, cell); a shared cell has an arc in every table's network."""

    arcs: list[tuple[Node, Node, Cell]] = field(default_factory=list)

    def add(self, tail: Node, head: Node, cell: Cell) -> Cell:
        self.arcs.append((tail, head, cell))
        return cell


class Unprotectable(Exception):
    """No set of cells, even all of them, hides this small cell (the table is too sparse)."""


@dataclass
class _Path:
    cost: int
    cells: list[Cell]


_Adjacency = dict[Node, list[tuple[Node, int, Cell]]]


class Protector:
    """Suppresses the fewest-valued extra cells so that every suppressed cell of the networks can
    move (see the module docstring)."""

    def __init__(self, networks: Sequence[Network], threshold: int) -> None:
        self.networks = list(networks)
        self.threshold = threshold
        # The shared arcs (row totals, grand total) and their ends, the same in every network.
        self.shared: dict[Cell, tuple[Node, Node]] = {}
        if len(self.networks) > 1:
            for tail, head, cell in self.networks[0].arcs:
                if HUB in (tail, head):
                    self.shared[cell] = (tail, head)
        # Each other cell's network and ends; the residual graphs, rebuilt when a cell is withheld.
        self.places = {
            cell: (network, tail, head)
            for network in reversed(self.networks)
            for tail, head, cell in network.arcs
            if cell not in self.shared
        }
        self.graphs: dict[int, _Adjacency] = {}

    # -- what a cell may do, as it is or were it withheld ------------------------------------
    def _usable(self, cell: Cell) -> bool:
        return cell.suppressed or cell.value >= self.threshold

    def rises(self, cell: Cell) -> bool:
        return cell.status is not Status.SMALL or cell.value < self.threshold - 1

    def falls(self, cell: Cell) -> bool:
        return cell.value > (1 if cell.status is Status.SMALL else self.threshold)

    def _cost(self, cell: Cell) -> int:
        if cell.suppressed:
            return 0
        return cell.value + (MARGIN_COST if cell.margin else 0)

    def _residual(self, network: Network) -> _Adjacency:
        """The network's residual arcs (without the shared ones when tables go together)."""
        adjacency = self.graphs.get(id(network))
        if adjacency is None:
            adjacency = self.graphs[id(network)] = {}
            for tail, head, cell in network.arcs:
                if not self._usable(cell) or cell in self.shared:
                    continue
                cost = self._cost(cell)
                if self.rises(cell):
                    adjacency.setdefault(tail, []).append((head, cost, cell))
                if self.falls(cell):
                    adjacency.setdefault(head, []).append((tail, cost, cell))
        return adjacency

    # -- the search ------------------------------------------------------------------------
    def protect_all(self) -> None:
        small = [
            cell for network in self.networks for _, _, cell in network.arcs if cell.status is Status.SMALL
        ]
        for cell in dict.fromkeys(small):  # a shared cell once, in the tables' order
            self.protect(cell)

    def protect(self, cell: Cell) -> None:
        path = self._shared_cycle(cell) if cell in self.shared else self._cycle_in(cell)
        if path is None:
            raise Unprotectable
        for other in path.cells:
            if not other.suppressed:
                other.status = Status.WITHHELD
                self.graphs.clear()

    def _cycle_in(self, cell: Cell) -> _Path | None:
        """The cheapest cycle through one of `cell`'s residual arcs in its network; with tables
        published together, first without `hub`, then with the other tables' footprints."""
        network, tail, head = self.places[cell]
        ways = ([(head, tail)] if self.rises(cell) else []) + ([(tail, head)] if self.falls(cell) else [])
        adjacency = self._residual(network)
        best = _cheapest(adjacency, ways, cell)
        if self.shared and (best is None or best.cost > 0):
            best = _cheapest(adjacency, ways, cell, self._footprints(network))
        return best

    def _pairs(self) -> list[tuple[Cell, Node, Cell, Node]]:
        """(entering shared arc, its outer node, leaving shared arc, its outer node) at `hub`."""
        entering, leaving = [], []
        for cell, (tail, head) in self.shared.items():
            if not self._usable(cell):
                continue
            outer, forwards_in = (tail, True) if head == HUB else (head, False)
            if self.rises(cell) if forwards_in else self.falls(cell):
                entering.append((cell, outer))
            if self.falls(cell) if forwards_in else self.rises(cell):
                leaving.append((cell, outer))
        return [(a, outer_a, b, outer_b) for a, outer_a in entering for b, outer_b in leaving if a is not b]

    def _distances(
        self, network: Network, pairs: list[tuple[Cell, Node, Cell, Node]]
    ) -> dict[Node, dict[Node, _Path]]:
        """The cheapest local paths outer(b) -> outer(a) in one network, for every pair."""
        adjacency = self._residual(network)
        targets = list({outer_a for _, outer_a, _, _ in pairs})
        return {source: _shortest(adjacency, source, targets) for source in {outer for *_, outer in pairs}}

    def _footprints(self, network: Network) -> _Adjacency:
        """Arcs outer(a) -> outer(b) standing for `a` into `hub` and `b` out of it, each paid with
        the matching cycle outer(b) -> outer(a) in every other table (a virtual arc's cells)."""
        pairs = self._pairs()
        others = [self._distances(other, pairs) for other in self.networks if other is not network]
        arcs: _Adjacency = {}
        for a, outer_a, b, outer_b in pairs:
            path = _joined(
                a, b, self._cost(a) + self._cost(b), [d.get(outer_b, {}).get(outer_a) for d in others]
            )
            if path is not None:
                arcs.setdefault(outer_a, []).append((outer_b, path.cost, _Footprint(path.cells)))
        return arcs

    def _shared_cycle(self, cell: Cell) -> _Path | None:
        """A cycle through a shared total in every table at once: the cell and another shared
        arc at `hub`, closed by a path in each table."""
        pairs = [pair for pair in self._pairs() if cell is pair[0] or cell is pair[2]]
        distances = [self._distances(network, pairs) for network in self.networks]
        best: _Path | None = None
        for a, outer_a, b, outer_b in pairs:
            path = _joined(
                a, b, self._cost(a) + self._cost(b), [d.get(outer_b, {}).get(outer_a) for d in distances]
            )
            if path is not None and (best is None or path.cost < best.cost):
                best = path
        return best


def _joined(a: Cell, b: Cell, cost: int, paths: list[_Path | None]) -> _Path | None:
    cells = [a, b]
    for path in paths:
        if path is None:
            return None
        cost += path.cost
        cells += path.cells
    return _Path(cost, cells)


def _cheapest(
    adjacency: _Adjacency, ways: list[tuple[Node, Node]], without: Cell, extra: _Adjacency | None = None
) -> _Path | None:
    found = [_shortest(adjacency, source, [target], without, extra).get(target) for source, target in ways]
    return min((path for path in found if path is not None), key=lambda path: path.cost, default=None)


class _Footprint(Cell):
    """A virtual arc's stand-in: the cells it would suppress (in its own and the other tables)."""

    def __init__(self, cells: list[Cell]) -> None:
        super().__init__(0)
        self.cells = cells


def _shortest(
    adjacency: _Adjacency,
    source: Node,
    targets: Sequence[Node],
    without: Cell | None = None,
    extra: _Adjacency | None = None,
) -> dict[Node, _Path]:
    """Dijkstra from `source` over `adjacency` and `extra` arcs, never through `without`: the
    cheapest path to each reachable target, with its cells."""
    best: dict[Node, int] = {source: 0}
    previous: dict[Node, tuple[Node, Cell]] = {}
    order = itertools.count()
    queue: list[tuple[int, int, Node]] = [(0, next(order), source)]
    done: set[Node] = set()
    wanted = set(targets)
    left = len(wanted)
    while queue and left:
        cost, _, node = heapq.heappop(queue)
        if node in done:
            continue
        done.add(node)
        left -= node in wanted
        arcs = adjacency.get(node, [])
        if extra:
            arcs = arcs + extra.get(node, [])
        for following, step, cell in arcs:
            if cell is without:
                continue
            total = cost + step
            if following not in best or total < best[following]:
                best[following] = total
                previous[following] = (node, cell)
                heapq.heappush(queue, (total, next(order), following))
    paths: dict[Node, _Path] = {}
    for target in wanted & done:
        cells: list[Cell] = []
        node = target
        while node != source:
            node, cell = previous[node]
            cells.extend(cell.cells if isinstance(cell, _Footprint) else [cell])
        paths[target] = _Path(best[target], cells)
    return paths

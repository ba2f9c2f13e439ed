"""Where the bench mission's offices work: each office covers two neighbouring territories.

The incidents loader deals its villages to the offices by row number (office = row mod 30,
village = row mod 10,000), so every office had incidents in all 24 territories of the three
provinces: no mission works like that (Bunia covers Ituri's territories, Goma those around it),
and for the statistics it multiplied the rollup's keys (office x month x place) by twelve. The
dashboard data moves each incident to a village of its office's area; these temporary tables say
which (dropped at the end of the transaction that builds them).

- `bench_area (office_id, slot, territory_id)`: office n (in code order) covers territories n and
  n + 1 (in p-code order, wrapping around); an incident takes one of them at random.
- `bench_territory (territory_id, villages, groupements)`: how many of each it holds.
- `bench_village (territory_id, rank, village_id)`, `bench_groupement (territory_id, rank,
  groupement_id)`: numbered from 1 within their territory (p-code order).
"""

from __future__ import annotations

from typing import Any


def areas_build(cursor: Any, *, mission_id: int) -> None:
    cursor.execute(
        """
        DROP TABLE IF EXISTS pg_temp.bench_office, pg_temp.bench_territory_rank, pg_temp.bench_area,
            pg_temp.bench_groupement, pg_temp.bench_village, pg_temp.bench_territory;
        CREATE TEMP TABLE bench_office ON COMMIT DROP AS
        SELECT id AS office_id, row_number() OVER (ORDER BY code) - 1 AS n
          FROM accounts_fieldoffice WHERE mission_id = %(mission)s;
        CREATE TEMP TABLE bench_territory_rank ON COMMIT DROP AS
        SELECT id AS territory_id, row_number() OVER (ORDER BY pcode) - 1 AS n
          FROM incidents_location WHERE admin_level = 2;
        CREATE TEMP TABLE bench_area ON COMMIT DROP AS
        SELECT o.office_id, s.slot, t.territory_id
          FROM bench_office o CROSS JOIN (VALUES (0), (1)) AS s(slot)
          JOIN bench_territory_rank t
            ON t.n = mod(o.n + s.slot, (SELECT count(*) FROM bench_territory_rank));
        CREATE TEMP TABLE bench_groupement ON COMMIT DROP AS
        SELECT g.parent_id AS territory_id,
               row_number() OVER (PARTITION BY g.parent_id ORDER BY g.pcode) AS rank, g.id AS groupement_id
          FROM incidents_location g WHERE g.admin_level = 3;
        CREATE TEMP TABLE bench_village ON COMMIT DROP AS
        SELECT g.parent_id AS territory_id,
               row_number() OVER (PARTITION BY g.parent_id ORDER BY v.pcode) AS rank, v.id AS village_id
          FROM incidents_location v JOIN incidents_location g ON g.id = v.parent_id
         WHERE v.admin_level = 4 AND g.admin_level = 3;
        CREATE TEMP TABLE bench_territory ON COMMIT DROP AS
        SELECT t.territory_id,
               (SELECT count(*) FROM bench_village v WHERE v.territory_id = t.territory_id) AS villages,
               (SELECT count(*) FROM bench_groupement g WHERE g.territory_id = t.territory_id) AS groupements
          FROM bench_territory_rank t;
        CREATE UNIQUE INDEX ON bench_village (territory_id, rank);
        CREATE UNIQUE INDEX ON bench_groupement (territory_id, rank);
        ANALYZE bench_office, bench_area, bench_territory, bench_village, bench_groupement;
        """,
        {"mission": mission_id},
    )
    cursor.execute(
        "SELECT count(*) FROM bench_area a JOIN bench_territory t USING (territory_id) WHERE villages = 0"
    )
    if cursor.fetchone()[0]:
        raise RuntimeError(
            "benchmarks: a territory of an office's area has no village (BENCH_VILLAGES too small?)"
        )

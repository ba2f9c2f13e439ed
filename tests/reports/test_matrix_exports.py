"""The de-identified exports' permission matrix (tests/matrix.py): the page, its download and the
API. A page-level capability (`RUN_EXPORTS`: senior WPAs and analysts), so 403 for every other
role, the other mission's WPA included; no object is addressed (the kind is a name, the period a
fixed period), so there is no out-of-scope position. `deactivated` is the Goma WPA deactivated
after signing in; `deac_ana` the analyst, who may run exports, deactivated the same way."""

from __future__ import annotations

from typing import Any

from tests.matrix import DEACTIVATED, Row, Scene, Table, grid, matrix_test

CODES = {"deac_ana": f"{DEACTIVATED}:analyst"}
QUERY = {"kind": "mara", "period": "2026-Q1", "format": "csv"}


def _kind(scene: Scene) -> dict[str, Any]:
    return {"kind": "mara"}


ROWS: list[Row] = [
    *grid(
        "/reports/exports/",
        """
                 anon deac deac_ana rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET   -   302  302      302 403  403  403  200  200  403  403  403  403  403
        """,
        codes=CODES,
    ),
    *grid(
        "/reports/exports/download/",
        """
                 anon deac deac_ana rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET   -   302  302      302 403  403  403  200  200  403  403  403  403  403
        """,
        query=QUERY,
        codes=CODES,
    ),
    *grid(
        "/api/v1/reports/exports/{kind}/",
        """
                    anon deac deac_ana rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET   kind   401  401      401 403  403  403  200  200  403  403  403  403  403
        """,
        query={"period": "2026-Q1", "format": "json"},
        codes=CODES,
    ),
]

TABLE = Table(rows=ROWS, positions={"kind": _kind})
test_matrix = matrix_test(TABLE)

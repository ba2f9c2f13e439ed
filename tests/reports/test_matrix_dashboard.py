"""The dashboard's permission matrix (tests/matrix.py): the page and its API. A page-level
capability (`SEE_DASHBOARD`: WPAs for their offices, senior WPAs and analysts for their mission),
so 403 for every other role; the other mission's WPA (`out`) gets her own mission's dashboard.
No object is addressed, so there is no out-of-scope position. `deactivated` is the Goma WPA
deactivated after signing in; `deac_ana` the analyst deactivated the same way."""

from __future__ import annotations

from tests.matrix import DEACTIVATED, Row, Table, grid, matrix_test

CODES = {"deac_ana": f"{DEACTIVATED}:analyst"}
QUERY = {"from": "2026-01", "to": "2026-06"}

ROWS: list[Row] = [
    *grid(
        "/reports/",
        """
                 anon deac deac_ana rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET   -   302  302      302 403  200  200  200  200  403  403  403  403  200
        """,
        query=QUERY,
        codes=CODES,
    ),
    *grid(
        "/api/v1/reports/dashboard/",
        """
                 anon deac deac_ana rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET   -   401  401      401 403  200  200  200  200  403  403  403  403  200
        """,
        query=QUERY,
        codes=CODES,
    ),
]

TABLE = Table(rows=ROWS, positions={})
test_matrix = matrix_test(TABLE)

"""The access review and its CSV export: administrators and auditors (the `REVIEW_ACCESS`
capability, a page-level one: 403 for the other roles). Not scoped by object: no positions."""

from __future__ import annotations

from tests.matrix import DEACTIVATED, Row, Table, grid, matrix_test

# The deactivated persona is the auditor, who may review (an administrator cannot deactivate
# herself, and the matrix deactivates through the admin): her open session ends with her account.
CODES = {"deac": f"{DEACTIVATED}:auditor"}

ROWS: list[Row] = [
    *grid(
        "/access/review/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -              302   302  403  403  403  403  403  403  200  200  403  403
        """,
        codes=CODES,
    ),
    *grid(
        "/access/review/export.csv",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -              302   302  403  403  403  403  403  403  200  200  403  403
        """,
        codes=CODES,
    ),
]

TABLE = Table(rows=ROWS, positions={})
test_matrix = matrix_test(TABLE)

"""The auditor's trail page and its CSV export: the auditor only (a page-level capability, so
403 for the others). The trail is not scoped by object, so no object positions."""

from __future__ import annotations

from tests.matrix import Row, Table, grid, matrix_test

ROWS: list[Row] = [
    *grid(
        "/audit/",
        """
                             anon  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -              302  403  403  403  403  403  403  200  403  403  403
        """,
    ),
    # The CSV export of the same trail: the same gate.
    *grid(
        "/audit/export.csv",
        """
                             anon  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -              302  403  403  403  403  403  403  200  403  403  403
        """,
    ),
]

TABLE = Table(rows=ROWS, positions={})
test_matrix = matrix_test(TABLE)

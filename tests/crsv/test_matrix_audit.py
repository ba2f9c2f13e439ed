"""The auditor's trail page and its CSV export: the auditor only (a page-level capability, so
403 for the others). The trail is not scoped by object, so no object positions. The deactivated
persona here is the auditor herself: her open session ends with her account."""

from __future__ import annotations

from tests.matrix import DEACTIVATED, Row, Table, grid, matrix_test

CODES = {"deac": f"{DEACTIVATED}:auditor"}

ROWS: list[Row] = [
    *grid(
        "/audit/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -              302   302  403  403  403  403  403  403  200  403  403  403
        """,
        codes=CODES,
    ),
    # The CSV export of the same trail: the same gate.
    *grid(
        "/audit/export.csv",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -              302   302  403  403  403  403  403  403  200  403  403  403
        """,
        codes=CODES,
    ),
]

TABLE = Table(rows=ROWS, positions={})
test_matrix = matrix_test(TABLE)

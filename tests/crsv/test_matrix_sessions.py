"""The keep-alive ping (crsv.accounts.keep_alive): any signed-in, verified user keeps her own
session alive, whatever her roles and offices (an account with no role, or of another mission,
too); anonymous, and a deactivated user whose session was open, are sent to sign in. It
touches no object, so no object positions."""

from __future__ import annotations

from tests.matrix import Row, Table, grid, matrix_test

ROWS: list[Row] = [
    *grid(
        "/accounts/keep-alive/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   -              302   302  204  204  204  204  204  204  204  204  204  204
        """,
    ),
]

TABLE = Table(rows=ROWS, positions={})
test_matrix = matrix_test(TABLE)

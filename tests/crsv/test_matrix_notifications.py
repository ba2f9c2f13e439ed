"""The notifications' permission matrix: every signed-in user has her own list (and marks it
read); only senior WPAs open the failed deliveries. No object positions: a user's list holds
only her own rows (tests/crsv/notifications/test_views.py checks that others' never show)."""

from __future__ import annotations

from tests.matrix import Row, Table, grid, matrix_test

ROWS: list[Row] = [
    *grid(
        "/notifications/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -              302   302  200  200  200  200  200  200  200  200  200  200
        """,
    ),
    *grid(
        "/notifications/read/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   -              302   302  302  302  302  302  302  302  302  302  302  302
        """,
        body={},
    ),
    *grid(
        "/notifications/failed/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -              302   302  403  403  403  200  403  403  403  403  403  403
        """,
    ),
    *grid(
        "/api/v1/notifications/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -              401   401  200  200  200  200  200  200  200  200  200  200
        """,
    ),
    *grid(
        "/api/v1/notifications/read/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   -              401   401  200  200  200  200  200  200  200  200  200  200
        """,
        body={},
    ),
]

TABLE = Table(rows=ROWS, positions={})
test_matrix = matrix_test(TABLE)

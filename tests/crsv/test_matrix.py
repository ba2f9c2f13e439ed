"""The platform's permission matrix: home, the two-factor pages, the token API's sign-out and
the admin site's entry, per persona (tests/matrix.py runs it; no object positions).

The two-factor pages send a session whose second factor is already verified (every persona
here) on to the home page: a 302 for everyone. The admin site is for staff (the admin and the
auditor); everyone else is sent to its sign-in page. `deac` is the Goma WPA deactivated after
signing in (the auditor on the admin site's entry). Signing in, the token's POST, /healthz,
the schema and the language switch are public (crsv.urls.PUBLIC_PATHS, tested in
test_public_endpoints.py).
"""

from __future__ import annotations

from tests.matrix import DEACTIVATED, Row, Table, grid, matrix_test

CODE = {"code": "000000"}

ROWS: list[Row] = [
    *grid(
        "/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -              302   302  200  200  200  200  200  200  200  200  200  200
        """,
    ),
    *grid(
        "/accounts/two-factor/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -              302   302  302  302  302  302  302  302  302  302  302  302
        POST   -              302   302  302  302  302  302  302  302  302  302  302  302
        """,
        body=CODE,
    ),
    *grid(
        "/accounts/two-factor/setup/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -              302   302  302  302  302  302  302  302  302  302  302  302
        POST   -              302   302  302  302  302  302  302  302  302  302  302  302
        """,
        body=CODE,
    ),
    *grid(
        "/api/v1/auth/token/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        DELETE -              401   401  204  204  204  204  204  204  204  204  204  204
        """,
    ),
    *grid(
        "/admin/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -              302   302  302  302  302  302  302  302  200  200  302  302
        """,
        codes={"deac": f"{DEACTIVATED}:auditor"},  # staff until deactivated
    ),
]

TABLE = Table(rows=ROWS, positions={})
test_matrix = matrix_test(TABLE)

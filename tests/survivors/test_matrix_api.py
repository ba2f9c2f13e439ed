"""The survivor cases permission matrix, API: every operation of /api/v1/survivors/, per persona
and case position (the positions and personas of test_matrix.py)."""

from __future__ import annotations

from tests.matrix import Row, Table, grid, matrix_test
from tests.survivors.test_matrix import (
    API_CONSENT,
    POSITIONS,
    REASON,
    SEARCH,
    _api_assign,
    _api_grant,
    _api_intake,
)

ROWS: list[Row] = [
    *grid(
        "/api/v1/survivors/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -              401   401  200  200  200  200  403  403  403  403  403  200
        POST   -              401   401  201  201  201  201  403  403  403  403  403  201
        """,
        body=_api_intake,
    ),
    *grid(
        "/api/v1/survivors/search/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   -              401   401  200  200  200  200  403  403  403  403  403  200
        """,
        body=SEARCH,
    ),
    *grid(
        "/api/v1/survivors/{public_id}/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    assigned       401   401  404  200  404  200  404  404  404  404  404  404
        PATCH  assigned       401   401  404  200  404  403  404  404  404  404  404  404
        GET    granted          .     .  200  200  200  200    .    .    .    .    .    .
        PATCH  granted          .     .  200  200  200  403    .    .    .    .    .    .
        GET    office           .     .  200  404  404  200    .    .    .    .    .    .
        PATCH  office           .     .  200  404  404  403    .    .    .    .    .    .
        GET    other_office     .     .  404  404  200  200    .    .    .    .    .    .
        PATCH  other_office     .     .  404  404  200  403    .    .    .    .    .    .
        GET    erased           .     .  404  200  404  200    .    .    .    .    .    .
        PATCH  erased           .     .  404  403  404  403    .    .    .    .    .    .
        GET    other_mission    .     .  404  404  404  404    .  404    .    .    .  200
        GET    referred         .     .    .  200    .  200    .  404    .    .    .    .
        PATCH  other_mission    .     .  404  404  404  404    .  404    .    .    .  200
        PATCH  referred         .     .    .  200    .  403    .  404    .    .    .    .
        """,
        body={"notes": "Seen at the health centre."},
    ),
    *grid(
        "/api/v1/survivors/{public_id}/assign/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   assigned       401   401  404  403  404  200  404  404  404  404  404  404
        POST   granted          .     .  403  403  403  200    .    .    .    .    .    .
        POST   office           .     .  403  404  404  200    .    .    .    .    .    .
        POST   other_office     .     .  404  404  403  200    .    .    .    .    .    .
        POST   erased           .     .  404  403  404  403    .    .    .    .    .    .
        POST   other_mission    .     .  404  404  404  404    .  404    .    .    .  403
        POST   referred         .     .    .  403    .  200    .  404    .    .    .    .
        """,
        body=_api_assign,
    ),
    *grid(
        "/api/v1/survivors/{public_id}/access/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    assigned       401   401  404  403  404  200  404  404  404  404  404  404
        GET    granted          .     .  403  403  403  200    .    .    .    .    .    .
        GET    office           .     .  403  404  404  200    .    .    .    .    .    .
        GET    other_office     .     .  404  404  403  200    .    .    .    .    .    .
        GET    erased           .     .  404  403  404  200    .    .    .    .    .    .
        GET    other_mission    .     .  404  404  404  404    .  404    .    .    .  403
        GET    referred         .     .    .  403    .  200    .  404    .    .    .    .
        """,
    ),
    *grid(
        "/api/v1/survivors/{public_id}/grants/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   assigned       401   401  404  403  404  201  404  404  404  404  404  404
        POST   granted          .     .  403  403  403  201    .    .    .    .    .    .
        POST   office           .     .  403  404  404  201    .    .    .    .    .    .
        POST   other_office     .     .  404  404  403  201    .    .    .    .    .    .
        POST   erased           .     .  404  403  404  403    .    .    .    .    .    .
        POST   other_mission    .     .  404  404  404  404    .  404    .    .    .  403
        POST   referred         .     .    .  403    .  201    .  404    .    .    .    .
        """,
        body=_api_grant,
    ),
    *grid(
        "/api/v1/survivors/{public_id}/grants/{username}/revoke/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   assigned       401   401  404  403  404  204  404  404  404  404  404  404
        POST   granted          .     .  403  403  403  204    .    .    .    .    .    .
        POST   office           .     .  403  404  404  204    .    .    .    .    .    .
        POST   other_office     .     .  404  404  403  204    .    .    .    .    .    .
        POST   erased           .     .  404  403  404  403    .    .    .    .    .    .
        POST   other_mission    .     .  404  404  404  404    .  404    .    .    .  403
        POST   referred         .     .    .  403    .  204    .  404    .    .    .    .
        """,
    ),
    *grid(
        "/api/v1/survivors/{public_id}/break-glass/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   assigned       401   401  404  403  404  201  404  404  404  404  404  404
        POST   granted          .     .  403  403  403  201    .    .    .    .    .    .
        POST   office           .     .  403  404  404  201    .    .    .    .    .    .
        POST   other_office     .     .  404  404  403  201    .    .    .    .    .    .
        POST   erased           .     .  404  403  404  403    .    .    .    .    .    .
        POST   other_mission    .     .  404  404  404  404    .  404    .    .    .  403
        POST   referred         .     .    .  403    .  201    .  404    .    .    .    .
        """,
        body={"reason": REASON},
    ),
    *grid(
        "/api/v1/survivors/{public_id}/erase/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   assigned       401   401  404  403  404  200  404  404  404  404  404  404
        POST   granted          .     .  403  403  403  200    .    .    .    .    .    .
        POST   office           .     .  403  404  404  200    .    .    .    .    .    .
        POST   other_office     .     .  404  404  403  200    .    .    .    .    .    .
        POST   erased           .     .  404  403  404  403    .    .    .    .    .    .
        POST   other_mission    .     .  404  404  404  404    .  404    .    .    .  403
        POST   referred         .     .    .  403    .  200    .  404    .    .    .    .
        """,
        body={"reason": "survivor_request"},
    ),
    *grid(
        "/api/v1/survivors/{public_id}/consents/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    assigned       401   401  404  200  404  200  404  404  404  404  404  404
        POST   assigned       401   401  404  201  404  403  404  404  404  404  404  404
        GET    granted          .     .  200  200  200  200    .    .    .    .    .    .
        POST   granted          .     .  403  201  201  403    .    .    .    .    .    .
        GET    office           .     .  200  404  404  200    .    .    .    .    .    .
        POST   office           .     .  403  404  404  403    .    .    .    .    .    .
        GET    other_office     .     .  404  404  200  200    .    .    .    .    .    .
        POST   other_office     .     .  404  404  201  403    .    .    .    .    .    .
        GET    erased           .     .  404  200  404  200    .    .    .    .    .    .
        POST   erased           .     .  404  403  404  403    .    .    .    .    .    .
        GET    other_mission    .     .  404  404  404  404    .  404    .    .    .  200
        GET    referred         .     .    .  200    .  200    .  404    .    .    .    .
        POST   other_mission    .     .  404  404  404  404    .  404    .    .    .  201
        POST   referred         .     .    .  201    .  403    .  404    .    .    .    .
        """,
        body=API_CONSENT,
    ),
    *grid(
        "/api/v1/survivors/{public_id}/consents/{consent_id}/withdraw/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   assigned       401   401  404  201  404  403  404  404  404  404  404  404
        POST   granted          .     .  403  201  201  403    .    .    .    .    .    .
        POST   other_office     .     .  404  404  201  403    .    .    .    .    .    .
        POST   erased           .     .  404  403  404  403    .    .    .    .    .    .
        POST   other_mission    .     .  404  404  404  404    .  404    .    .    .  201
        POST   referred         .     .    .  201    .  403    .  404    .    .    .    .
        """,
    ),
]

TABLE = Table(rows=ROWS, positions=POSITIONS)
test_matrix = matrix_test(TABLE)

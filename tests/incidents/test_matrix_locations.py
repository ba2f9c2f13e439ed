"""The location type-ahead's permission matrix (tests/matrix.py runs it): POST
/incidents/locations/search/, login required, for the roles that see incidents (each within the
places it may choose: tests/incidents/test_views_location_picker.py), never by GET (the text
typed stays out of URLs and access logs).

Personas: those of tests/conftest.py, `colleague` (another Goma reporter, tests/incidents/
conftest.py), `anonymous` and `deactivated` (tests/matrix.py). No position: the places are
reference data, the same for everyone who may search them.
"""

from __future__ import annotations

from tests.matrix import Row, Table, grid, matrix_test

ROWS: list[Row] = [
    *grid(
        "/incidents/locations/search/",
        """
                             anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   -              302   302  200  200  200  200  200  200  403  403  403  403  200
        GET    -              302   302  405    .  405    .    .    .  405    .    .    .    .
        """,
        body={"q": "sake"},
        query={"q": "sake"},
    ),
]

TABLE = Table(rows=ROWS, positions={})
test_matrix = matrix_test(TABLE)

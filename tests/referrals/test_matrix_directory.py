"""The permission matrix of the admins' service-directory pages (issue 12 item 1): add and change
an organisation, say who works for it. Positions and personas: tests/referrals/test_matrix_pages.py
(`directory` is HEAL Africa, serving Goma and Bunia; `adm` an admin of Goma; `deac` the Goma WPA,
signed in, then deactivated: tests/matrix.py)."""

from __future__ import annotations

from typing import Any

from tests.matrix import Position, Row, Scene, Table, grid, matrix_test

CODES = {"cli": "clinic_user"}

POSITIONS: dict[str, Position] = {
    "directory": lambda scene: {"public_id": scene.fixture("hospital").public_id},
}


def _provider_post(scene: Scene) -> dict[str, Any]:
    return {
        "name": "Hôpital Tumaini",
        "service_types": ["medical"],
        "field_offices": [str(scene.fixture("office").pk)],
        "active": "on",
    }


def _member_post(scene: Scene) -> dict[str, str]:
    return {"user": str(scene.fixture("clinic_user").public_id)}


ROWS: list[Row] = [
    *grid(
        "/referrals/providers/new/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  col  cli  aud  adm none  out
        GET    -              302   302  403  403  403  403  403  403  403  403  403  200  403  403
        POST   -              302   302  403  403  403  403  403  403  403  403  403  302  403  403
        """,
        body=_provider_post,
        codes=CODES,
    ),
    *grid(
        "/referrals/providers/{public_id}/edit/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  col  cli  aud  adm none  out
        GET    directory      302   302  403  403  403  403  403  403  403  403  403  200  403  403
        POST   directory      302   302  403  403  403  403  403  403  403  403  403  302  403  403
        """,
        body=_provider_post,
        codes=CODES,
    ),
    *grid(
        "/referrals/providers/{public_id}/members/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  col  cli  aud  adm none  out
        POST   directory      302   302  403  403  403  403  403  403  403  403  403  302  403  403
        """,
        body=_member_post,
        codes=CODES,
    ),
]

TABLE = Table(rows=ROWS, positions=POSITIONS)
test_matrix = matrix_test(TABLE)

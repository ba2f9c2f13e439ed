"""The identifiable exports' permission matrix: every page of /reports/identifiable/ and every
operation of /api/v1/reports/identifiable-exports/, per persona and position (tests/matrix.py).

Positions, built through the real services (tests/reports/identifiable_world.py):

- `case`          : the Goma WPA's case, with a consent to share identifiable data with HEAL
                    Africa (the request's body names it)
- `requested`     : the Goma WPA's request of that case for HEAL Africa, awaiting approval
- `senior_own`    : the same, requested by the senior WPA for a case of her own
- `approved`      : `requested`, approved by the senior WPA; the WPA prepared the download (the
                    password shown to her is the download's body)
- `downloaded`    : `approved`, downloaded
- `other_mission` : a MINUSCA Bangui request of the `outsider` (a WPA there), awaiting approval

Personas: those of tests/conftest.py, `sen2` a second senior WPA of Goma, `anonymous`;
`deactivated` is the Goma WPA deactivated after signing in. A 302 on a POST proves the step
(the page of the export), a 200 on `new` a form shown again with its error (a case she may not
identify), a 403/404/409 a refusal.
"""

from __future__ import annotations

from typing import Any

from crsv.accounts.models import FieldOffice, User
from reports.identifiable.services import (
    identifiable_export_approve,
    identifiable_export_download,
    identifiable_export_prepare,
)
from tests.matrix import Position, Row, Scene, Table, grid, matrix_test
from tests.reports import identifiable_world as world
from tests.reports.identifiable_world import ask, case_of, provider_make, share

hospital, second_senior = world.hospital, world.second_senior
CODES = {"sen2": "second_senior"}


def _case(scene: Scene, owner: str = "wpa") -> Any:
    author: User = scene.fixture(owner)
    survivor = case_of(author)
    share(author, survivor, scene.fixture("hospital"))
    return survivor


def _requested(owner: str = "wpa") -> Position:
    def build(scene: Scene) -> dict[str, Any]:
        export = ask(scene.fixture(owner), [_case(scene, owner)], scene.fixture("hospital"))
        return {"public_id": export.public_id}

    return build


def _approved(*, downloaded: bool = False) -> Position:
    def build(scene: Scene) -> dict[str, Any]:
        wpa: User = scene.fixture("wpa")
        export = ask(wpa, [_case(scene)], scene.fixture("hospital"))
        identifiable_export_approve(actor=scene.fixture("senior_wpa"), export=export)
        password = identifiable_export_prepare(actor=wpa, export=export)
        if downloaded:
            identifiable_export_download(actor=wpa, export=export, password=password)
        return {"public_id": export.public_id, "password": password}

    return build


def _other_mission(scene: Scene) -> dict[str, Any]:
    outsider: User = scene.fixture("outsider")
    bangui: FieldOffice = scene.fixture("foreign_office")
    survivor = case_of(outsider)
    provider = provider_make("Hôpital de Bangui", [bangui])
    share(outsider, survivor, provider)
    return {"public_id": ask(outsider, [survivor], provider).public_id}


POSITIONS: dict[str, Position] = {
    "case": lambda scene: {"code": _case(scene).code, "hospital": scene.fixture("hospital").public_id},
    "requested": _requested(),
    "senior_own": _requested("senior_wpa"),
    "approved": _approved(),
    "downloaded": _approved(downloaded=True),
    "other_mission": _other_mission,
}


def _page_request(scene: Scene) -> dict[str, str]:
    return {
        "recipient": "provider",
        "provider": str(scene.values["hospital"]),
        "survivor_codes": scene.values["code"],
        "reason": world.REASON,
    }


def _api_request(scene: Scene) -> dict[str, Any]:
    return {**_page_request(scene), "survivor_codes": [scene.values["code"]]}


def _password(scene: Scene) -> dict[str, str]:
    return {"password": str(scene.values.get("password", "x" * 24))}


REFUSAL = {"reason": "Ask the prosecutor first."}

ROWS: list[Row] = [
    *grid(
        "/reports/identifiable/",
        """
                         anon  deac  rep  wpa wpaB  sen sen2  ana  pro  aud  adm none  out
        GET    -          302   302  403  200  200  200  200  403  403  403  403  403  200
        """,
        codes=CODES,
    ),
    *grid(
        "/reports/identifiable/new/",
        """
                         anon  deac  rep  wpa wpaB  sen sen2  ana  pro  aud  adm none  out
        GET    -          302   302  403  200  200  200  200  403  403  403  403  403  200
        POST   case       302   302  403  302  200  200  200  403  403  403  403  403  200
        """,
        body=_page_request,
        codes=CODES,
    ),
    *grid(
        "/reports/identifiable/{public_id}/",
        """
                         anon  deac  rep  wpa wpaB  sen sen2  ana  pro  aud  adm none  out
        GET    requested  302   302  404  200  404  200  200  404  404  404  404  404  404
        GET    approved     .     .    .  200  404  200  200  404    .    .    .    .  404
        GET    other_mission .    .  404  404  404  404  404  404  404  404  404  404  200
        """,
        codes=CODES,
    ),
    *grid(
        "/reports/identifiable/{public_id}/approve/",
        """
                         anon  deac  rep  wpa wpaB  sen sen2  ana  pro  aud  adm none  out
        POST   requested  302   302  404  403  404  302  302  404  404  404  404  404  404
        POST   senior_own   .     .    .  404  404  403  302  404    .    .    .    .  404
        POST   approved     .     .    .  403  404  409  409  404    .    .    .    .  404
        POST   other_mission .    .  404  404  404  404  404  404  404  404  404  404  403
        """,
        codes=CODES,
    ),
    *grid(
        "/reports/identifiable/{public_id}/refuse/",
        """
                         anon  deac  rep  wpa wpaB  sen sen2  ana  pro  aud  adm none  out
        POST   requested  302   302  404  403  404  302  302  404  404  404  404  404  404
        POST   senior_own   .     .    .  404  404  403  302  404    .    .    .    .  404
        POST   approved     .     .    .  403  404  409  409  404    .    .    .    .  404
        POST   other_mission .    .  404  404  404  404  404  404  404  404  404  404  403
        """,
        body=REFUSAL,
        codes=CODES,
    ),
    *grid(
        "/reports/identifiable/{public_id}/prepare/",
        """
                         anon  deac  rep  wpa wpaB  sen sen2  ana  pro  aud  adm none  out
        POST   approved   302   302  404  200  404  403  403  404  404  404  404  404  404
        POST   requested    .     .    .  409  404  403  403  404    .    .    .    .  404
        POST   downloaded   .     .    .  409  404  403    .    .    .    .    .    .    .
        POST   other_mission .    .  404  404  404  404  404  404  404  404  404  404  409
        """,
        codes=CODES,
    ),
    *grid(
        "/reports/identifiable/{public_id}/download/",
        """
                         anon  deac  rep  wpa wpaB  sen sen2  ana  pro  aud  adm none  out
        POST   approved   302   302  404  200  404  403  403  404  404  404  404  404  404
        POST   downloaded   .     .    .  409  404  403    .    .    .    .    .    .    .
        POST   other_mission .    .  404  404  404  404  404  404  404  404  404  404  409
        """,
        body=_password,
        codes=CODES,
    ),
    # The API: no download there (reports.identifiable.api says why).
    *grid(
        "/api/v1/reports/identifiable-exports/",
        """
                         anon  deac  rep  wpa wpaB  sen sen2  ana  pro  aud  adm none  out
        GET    -          401   401  403  200  200  200  200  403  403  403  403  403  200
        POST   case       401   401  403  201  400  400  400  403  403  403  403  403  400
        """,
        body=_api_request,
        codes=CODES,
    ),
    *grid(
        "/api/v1/reports/identifiable-exports/{public_id}/",
        """
                         anon  deac  rep  wpa wpaB  sen sen2  ana  pro  aud  adm none  out
        GET    requested  401   401  404  200  404  200  200  404  404  404  404  404  404
        GET    other_mission .    .  404  404  404  404  404  404  404  404  404  404  200
        """,
        codes=CODES,
    ),
    *grid(
        "/api/v1/reports/identifiable-exports/{public_id}/approve/",
        """
                         anon  deac  rep  wpa wpaB  sen sen2  ana  pro  aud  adm none  out
        POST   requested  401   401  404  403  404  200  200  404  404  404  404  404  404
        POST   senior_own   .     .    .  404  404  403  200  404    .    .    .    .  404
        POST   approved     .     .    .  403  404  409  409  404    .    .    .    .  404
        POST   other_mission .    .  404  404  404  404  404  404  404  404  404  404  403
        """,
        codes=CODES,
    ),
    *grid(
        "/api/v1/reports/identifiable-exports/{public_id}/refuse/",
        """
                         anon  deac  rep  wpa wpaB  sen sen2  ana  pro  aud  adm none  out
        POST   requested  401   401  404  403  404  200  200  404  404  404  404  404  404
        POST   senior_own   .     .    .  404  404  403  200  404    .    .    .    .  404
        POST   approved     .     .    .  403  404  409  409  404    .    .    .    .  404
        POST   other_mission .    .  404  404  404  404  404  404  404  404  404  404  403
        """,
        body=REFUSAL,
        codes=CODES,
    ),
]

TABLE = Table(rows=ROWS, positions=POSITIONS)
test_matrix = matrix_test(TABLE)

"""The referral pages' permission matrix: every page of /referrals/, per persona and position
(tests/matrix.py runs it). The API's table is tests/referrals/test_matrix_api.py.

Positions, all in mission MONUSCO, built through the real services (tests/referrals/conftest.py):

- `case`      : the Goma WPA's case (a medical referral consent recorded), for the "Refer" page
- `draft`     : a draft referral of that case to HEAL Africa (the `provider`'s and `colleague`'s
                organisation)
- `sent`      : the same, sent
- `accepted`  : the same, accepted by `provider`
- `other_org` : a referral of the case sent to Clinique Ngangi (`clinic_user`'s organisation)
- `directory` : HEAL Africa, a provider of the service directory
- `other_office`  : a Bunia case of the Bunia WPA, sent to HEAL Africa (which serves Bunia too:
                    "referred to me" for `provider` and `colleague` from another office)
- `other_mission` : a MINUSCA Bangui case of the `outsider`, sent to a Bangui organisation
- `erased`        : `sent`, then the case erased through `survivor_erase` (the referral stays
                    in the provider's list, its texts unreadable; steps without a text, such as
                    accepting, are still hers: referrals.services.steps.not_erased)

`sent` is "referred to me" for `provider` and `colleague`; `deactivated` is the Goma WPA
deactivated after signing in (tests/matrix.py).

Personas: those of tests/conftest.py; `provider` and `colleague` are users of HEAL Africa,
`clinic_user` of Clinique Ngangi (tests/referrals/conftest.py); `anonymous`. Each transition
body is the move its position allows someone, so a 302 proves the move and a 403/404/409 a
refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from referrals.models import Referral
from referrals.services import referral_accept
from survivors.models import Survivor
from tests.matrix import Position, Row, Scene, Table, grid, matrix_test
from tests.matrix_positions import case_erase, referral_other_mission, referral_other_office

CODES = {"cli": "clinic_user"}


def _case(scene: Scene) -> Survivor:
    survivor: Survivor = scene.fixture("case")
    if not survivor.consents.exists():
        scene.fixture("consent")(survivor)
    return survivor


def _referral(state: str, provider: str = "hospital") -> Position:
    def build(scene: Scene) -> dict[str, Any]:
        refer: Callable[..., Referral] = scene.fixture("refer")
        referral = refer(_case(scene), provider=scene.fixture(provider), send=state != "draft")
        if state == "accepted":
            referral = referral_accept(actor=scene.fixture("provider"), referral=referral)
        if state == "erased":  # sent, then the case erased
            case_erase(scene, referral.survivor)
        return {"public_id": referral.public_id}

    return build


POSITIONS: dict[str, Position] = {
    "case": lambda scene: {
        "survivor": _case(scene).public_id,
        "hospital": scene.fixture("hospital").public_id,
    },
    "draft": _referral("draft"),
    "sent": _referral("sent"),
    "accepted": _referral("accepted"),
    "other_org": _referral("sent", provider="clinic"),
    "other_office": referral_other_office,
    "other_mission": referral_other_mission,
    "erased": _referral("erased"),
    "directory": lambda scene: {"public_id": scene.fixture("hospital").public_id},
}


def _refer_query(scene: Scene) -> dict[str, str]:
    return {"survivor": str(scene.values["survivor"]), "service_type": "medical"}


def _refer_post(scene: Scene) -> dict[str, str]:
    return {**_refer_query(scene), "provider": str(scene.values["hospital"]), "urgency": "high", "draft": ""}


TRANSITION_BODIES: dict[str, dict[str, str]] = {
    "draft": {"action": "send"},
    "sent": {"action": "accept"},
    "accepted": {"action": "start"},
    "other_office": {"action": "accept"},
    "other_mission": {"action": "accept"},
    "erased": {"action": "accept"},
    "other_org": {"action": "decline", "reason": "No capacity this week."},
}

ROWS: list[Row] = [
    *grid(
        "/referrals/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  col  cli  aud  adm none  out
        GET    -              302   302  403  200  200  200  403  200  200  200  403  403  403  200
        """,
        codes=CODES,
    ),
    *grid(
        "/referrals/new/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  col  cli  aud  adm none  out
        GET    case           302   302  404  200  404  200  404  404  404  404  404  404  404  404
        POST   case           302   302  404  302  404  302  404  404  404  404  404  404  404  404
        """,
        query=_refer_query,
        body=_refer_post,
        codes=CODES,
    ),
    *grid(
        "/referrals/{public_id}/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  col  cli  aud  adm none  out
        GET    draft          302   302  404  200  404  200  404  404  404  404  404  404  404  404
        GET    sent             .     .  404  200  404  200  404  200  200  404  404  404  404  404
        GET    accepted         .     .  404  200  404  200  404  200  200  404    .    .    .  404
        GET    other_org        .     .  404  200  404  200  404  404  404  200    .    .    .  404
        GET    other_office     .     .  404  404  200  200  404  200  200  404    .    .    .  404
        GET    other_mission    .     .  404  404  404  404  404  404  404  404    .    .    .  200
        GET    erased           .     .  404  200  404  200    .  200  200  404    .    .    .  404
        """,
        codes=CODES,
    ),
    *grid(
        "/referrals/{public_id}/transition/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  col  cli  aud  adm none  out
        POST   draft          302   302  404  302  404  302  404  404  404  404  404  404  404  404
        POST   sent             .     .  404  403  404  403  404  302  302  404  404  404  404  404
        POST   accepted         .     .  404  403  404  403  404  302  302  404    .    .    .  404
        POST   other_org        .     .  404  403  404  403  404  404  404  302    .    .    .  404
        POST   other_office     .     .  404  404  403  403  404  302  302  404    .    .    .  404
        POST   other_mission    .     .  404  404  404  404  404  404  404  404    .    .    .  403
        POST   erased           .     .  404  403  404  403    .  302  302  404    .    .    .  404
        """,
        bodies=TRANSITION_BODIES,
        codes=CODES,
    ),
    *grid(
        "/referrals/providers/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  col  cli  aud  adm none  out
        GET    -              302   302  403  200  200  200  403  403  403  403  403  200  403  200
        """,
        codes=CODES,
    ),
    *grid(
        "/referrals/providers/{public_id}/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  col  cli  aud  adm none  out
        GET    directory      302   302  403  200  200  200  403  403  403  403  403  200  403  200
        """,
        codes=CODES,
    ),
]

TABLE = Table(rows=ROWS, positions=POSITIONS)
test_matrix = matrix_test(TABLE)

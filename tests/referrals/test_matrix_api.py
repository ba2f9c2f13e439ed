"""The referrals API's permission matrix: every operation of /api/v1/referrals/ and
/api/v1/providers/, per persona and referral position (tests/matrix.py runs it). The pages'
table is tests/referrals/test_matrix_pages.py.

Positions, all in mission MONUSCO, built through the real services (tests/referrals/conftest.py):

- `draft`     : a draft referral of the Goma WPA's case to HEAL Africa (the `provider`'s and
                `colleague`'s organisation)
- `sent`      : the same, sent (a medical referral consent recorded)
- `accepted`  : the same, accepted by `provider`
- `other_org` : a referral of the same case sent to Clinique Ngangi (another organisation)
- `directory` : HEAL Africa, a provider of the service directory
- `other_office`  : a Bunia case of the Bunia WPA, sent to HEAL Africa (which serves Bunia too:
                    "referred to me" for `provider` and `colleague` from another office)
- `other_mission` : a MINUSCA Bangui case of the `outsider`, sent to a Bangui organisation
- `erased`        : `sent`, then the case erased through `survivor_erase` (the referral stays
                    in the provider's list, its texts unreadable; steps without a text, such as
                    accepting, are still hers: referrals.services.steps.not_erased)

`sent` is "referred to me" for `provider` and `colleague`; `deactivated` is the Goma WPA
deactivated after signing in (tests/matrix.py).

Personas: those of tests/conftest.py; `provider` and `colleague` are users of HEAL Africa
(tests/referrals/conftest.py); `anonymous`. Transition bodies are the move each position allows
someone, so a 200 proves access and a 403/404/409 a refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from referrals.models import Referral
from referrals.services import referral_accept
from survivors.models import Survivor
from tests.matrix import Position, Row, Scene, Table, grid, matrix_test
from tests.matrix_positions import case_erase, referral_other_mission, referral_other_office


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


def _directory(scene: Scene) -> dict[str, Any]:
    return {"public_id": scene.fixture("hospital").public_id}


POSITIONS: dict[str, Position] = {
    "draft": _referral("draft"),
    "sent": _referral("sent"),
    "accepted": _referral("accepted"),
    "other_org": _referral("sent", provider="clinic"),
    "other_office": referral_other_office,
    "other_mission": referral_other_mission,
    "erased": _referral("erased"),
    "directory": _directory,
}


def _create(scene: Scene) -> dict[str, Any]:
    return {
        "survivor": str(_case(scene).public_id),
        "provider": str(scene.fixture("hospital").public_id),
        "service_type": "medical",
        "urgency": "emergency",
    }


TRANSITION_BODIES: dict[str, dict[str, str]] = {
    "draft": {"action": "send"},
    "sent": {"action": "accept"},
    "accepted": {"action": "start"},
    "other_office": {"action": "accept"},
    "other_mission": {"action": "accept"},
    "erased": {"action": "accept"},
    "other_org": {"action": "accept"},
}

ROWS: list[Row] = [
    *grid(
        "/api/v1/referrals/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  col  aud  adm none  out
        GET    -              401   401  403  200  200  200  403  200  200  403  403  403  200
        POST   -              401   401  403  201  400  201  403  403  403  403  403  403  400
        """,
        body=_create,
    ),
    *grid(
        "/api/v1/referrals/{public_id}/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  col  aud  adm none  out
        GET    draft          401   401  404  200  404  200  404  404  404  404  404  404  404
        GET    sent           401   401  404  200  404  200  404  200  200  404  404  404  404
        GET    accepted         .     .    .  200  404  200    .  200  200    .    .    .  404
        GET    other_org        .     .    .  200  404  200    .  404  404    .    .    .  404
        GET    other_office     .     .  404  404  200  200  404  200  200    .    .    .  404
        GET    other_mission    .     .  404  404  404  404  404  404  404    .    .    .  200
        GET    erased           .     .  404  200  404  200    .  200  200    .    .    .  404
        """,
    ),
    *grid(
        "/api/v1/referrals/{public_id}/transitions/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  col  aud  adm none  out
        POST   draft          401   401  404  200  404  200  404  404  404  404  404  404  404
        POST   sent           401   401  404  403  404  403  404  200  200  404  404  404  404
        POST   accepted         .     .    .  403  404  403    .  200  200    .    .    .  404
        POST   other_org        .     .    .  403  404  403    .  404  404    .    .    .  404
        POST   other_office     .     .  404  404  403  403  404  200  200    .    .    .  404
        POST   other_mission    .     .  404  404  404  404  404  404  404    .    .    .  403
        POST   erased           .     .  404  403  404  403    .  200  200    .    .    .  404
        """,
        bodies=TRANSITION_BODIES,
    ),
    *grid(
        "/api/v1/providers/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  col  aud  adm none  out
        GET    -              401   401  403  200  200  200  403  403  403  403  200  403  200
        """,
    ),
    *grid(
        "/api/v1/providers/{public_id}/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  col  aud  adm none  out
        GET    directory      401   401  403  200  200  200  403  403  403  403  200  403  200
        """,
    ),
]

TABLE = Table(rows=ROWS, positions=POSITIONS)
test_matrix = matrix_test(TABLE)

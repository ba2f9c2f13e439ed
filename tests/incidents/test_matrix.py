"""The incidents permission matrix: every page and API operation of the app, per persona and
incident position (tests/matrix.py runs it).

Positions, all in mission MONUSCO, built through the services:

- `draft`        : the Goma reporter's draft (her own draft; nobody else's business)
- `submitted`    : the Goma reporter's incident, submitted in her office (Goma)
- `closed`       : the Goma reporter's incident, verified by the Goma WPA
- `other_office` : an incident submitted in Bunia by a Bunia reporter
- `sea`          : the Goma reporter's submitted incident with a UN perpetrator (sexual
                   exploitation and abuse: reviewed by senior WPAs only)
- `other_mission`: an incident submitted in MINUSCA Bangui by a Bangui reporter (the
                   `outsider`, a WPA there, reviews it; MONUSCO's mission-wide roles do not see it)
- `referred`     : the Goma reporter's submitted incident, linked to the Goma WPA's case that was
                   referred to the `provider`'s organisation (the incident stays out of her reach)
- `erased`       : the Goma reporter's submitted incident, linked to a case erased through
                   `survivor_erase` (the incident track remains)

Personas: those of tests/conftest.py, `colleague` (another Goma reporter, tests/incidents/
conftest.py), `anonymous` and `deactivated` (tests/matrix.py).
"""

from __future__ import annotations

from typing import Any

from incidents.models import Incident
from tests.incidents.factories import UN_PERPETRATOR, incident_in_state, office_today
from tests.incidents.pages import intake_data
from tests.matrix import Position, Row, Scene, Table, grid, matrix_test
from tests.matrix_positions import case_erase, case_referred, case_register


def _incident(state: str, *, reporter: str = "reporter", reviewer: str = "wpa", **kwargs: Any) -> Position:
    def build(scene: Scene) -> dict[str, Any]:
        incident: Incident = incident_in_state(
            state,
            reporter=scene.fixture(reporter),
            reviewer=scene.fixture(reviewer),
            location=scene.fixture("sake"),
            **kwargs,
        )
        return {"public_id": incident.public_id}

    return build


def _linked(*, referred: bool) -> Position:
    """A Goma submitted incident with a case linked: referred to the provider, or erased."""
    submitted = _incident("submitted")

    def build(scene: Scene) -> dict[str, Any]:
        values = dict(submitted(scene))
        incident = Incident.objects.get(public_id=values["public_id"])
        if referred:
            case_referred(scene, incident=incident)
        else:
            case_erase(scene, case_register(scene.fixture("wpa"), incident=incident))
        return values

    return build


POSITIONS: dict[str, Position] = {
    "draft": _incident("draft"),
    "submitted": _incident("submitted"),
    "closed": _incident("closed"),
    "other_office": _incident("submitted", reporter="reporter_other", reviewer="wpa_other"),
    "sea": _incident("submitted", perpetrators=UN_PERPETRATOR),
    "other_mission": _incident("submitted", reporter="foreign_reporter", reviewer="outsider"),
    "referred": _linked(referred=True),
    "erased": _linked(referred=False),
}


def _intake(scene: Scene) -> dict[str, str]:
    """A complete intake in the persona's own office (the reporter's for anonymous)."""
    user = scene.user or scene.fixture("reporter")
    return intake_data(location=scene.fixture("sake"), today=office_today(user), office=user.primary_office())


def _edit(scene: Scene) -> dict[str, str]:
    reporter = scene.fixture("reporter")
    return intake_data(location=scene.fixture("sake"), today=office_today(reporter), office=None)


def _api_create(scene: Scene) -> dict[str, Any]:
    return {"tally_women": 1, "location": str(scene.fixture("sake").public_id)}


SUBMIT = {"action": "submit"}
RETURN = {"action": "return", "reason": "Check the dates."}
REOPEN = {"action": "reopen", "reason": "New information."}
# One body per position for a transition: the action that position allows someone.
TRANSITION_BODIES: dict[str, dict[str, str]] = {
    "draft": SUBMIT,
    "submitted": RETURN,
    "closed": REOPEN,
    "other_office": RETURN,
    "sea": RETURN,
    "other_mission": RETURN,
    "referred": RETURN,
    "erased": RETURN,
}


ROWS: list[Row] = [
    *grid(
        "/incidents/",
        """
                             anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -              302   302  200  200  200  200  200  200  403  403  403  403  200
        """,
    ),
    *grid(
        "/incidents/new/",
        """
                             anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -              302   302  200  200  200  200  200  403  403  403  403  403  200
        POST   -              302   302  302  302  302  302  302  403  403  403  403  403  302
        """,
        body=_intake,
    ),
    *grid(
        "/api/v1/incidents/",
        """
                             anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -              401   401  200  200  200  200  200  200  403  403  403  403  200
        POST   -              401   401  201  201  201  201  201  403  403  403  403  403  201
        """,
        body=_api_create,
    ),
    *grid(
        "/api/v1/locations/",
        """
                             anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -              401   401  200  200  200  200  200  200  403  403  403  403  200
        """,
    ),
    *grid(
        "/api/v1/parties/",
        """
                             anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -              401   401  200  200  200  200  200  200  403  403  403  403  200
        """,
    ),
    *grid(
        "/incidents/{public_id}/",
        """
                             anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    draft            .     .  200  404  404  404  404  404    .    .    .    .  404
        GET    submitted      302   302  200  200  200  404  200  200  404  404  404  404  404
        GET    closed           .     .  200  200  200  404  200  200    .    .    .    .  404
        GET    other_office     .     .  404  404  404  200  200  200    .    .    .    .  404
        GET    sea              .     .  404  404  404  404  200  404    .    .    .    .  404
        GET    other_mission    .     .  404  404  404  404  404  404  404    .    .    .  200
        GET    referred         .     .  200    .  200    .  200  200  404    .    .    .    .
        GET    erased           .     .  200    .  200    .  200  200    .    .    .    .    .
        """,
    ),
    *grid(
        "/incidents/{public_id}/edit/",
        """
                             anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    draft            .     .  200  404  404  404  404  404    .    .    .    .  404
        POST   draft            .     .  302  404  404  404  404  404    .    .    .    .  404
        GET    submitted      302   302  409  403  403  404  403  403  404  404  404  404  404
        POST   submitted      302   302  409  403  403  404  403  403  404  404  404  404  404
        GET    closed           .     .  409  403  403  404  403  403    .    .    .    .  404
        POST   closed           .     .  409  403  403  404  403  403    .    .    .    .  404
        GET    other_office     .     .  404  404  404  403  403  403    .    .    .    .  404
        POST   other_office     .     .  404  404  404  403  403  403    .    .    .    .  404
        GET    sea              .     .  404  404  404  404  403  404    .    .    .    .  404
        POST   sea              .     .  404  404  404  404  403  404    .    .    .    .  404
        GET    other_mission    .     .  404  404  404  404  404  404  404    .    .    .  403
        POST   other_mission    .     .  404  404  404  404  404  404  404    .    .    .  403
        GET    referred         .     .  409    .  403    .  403  403  404    .    .    .    .
        POST   referred         .     .  409    .  403    .  403  403  404    .    .    .    .
        GET    erased           .     .  409    .  403    .  403  403    .    .    .    .    .
        POST   erased           .     .  409    .  403    .  403  403    .    .    .    .    .
        """,
        body=_edit,
    ),
    *grid(
        "/incidents/{public_id}/transition/",
        """
                             anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   draft            .     .  302  404  404  404  404  404    .    .    .    .  404
        POST   submitted      302   302  403  403  302  404  302  403  404  404  404  404  404
        POST   closed           .     .  403  403  403  404  302  403    .    .    .    .  404
        POST   other_office     .     .  404  404  404  302  302  403    .    .    .    .  404
        POST   sea              .     .  404  404  404  404  302  404    .    .    .    .  404
        POST   other_mission    .     .  404  404  404  404  404  404  404    .    .    .  302
        POST   referred         .     .  403    .  302    .  302  403  404    .    .    .    .
        POST   erased           .     .  403    .  302    .  302  403    .    .    .    .    .
        """,
        bodies=TRANSITION_BODIES,
    ),
    *grid(
        "/api/v1/incidents/{public_id}/",
        """
                             anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    draft            .     .  200  404  404  404  404  404    .    .    .    .  404
        PATCH  draft            .     .  200  404  404  404  404  404    .    .    .    .  404
        GET    submitted      401   401  200  200  200  404  200  200  404  404  404  404  404
        PATCH  submitted      401   401  409  403  403  404  403  403  404  404  404  404  404
        GET    closed           .     .  200  200  200  404  200  200    .    .    .    .  404
        PATCH  closed           .     .  409  403  403  404  403  403    .    .    .    .  404
        GET    other_office     .     .  404  404  404  200  200  200    .    .    .    .  404
        PATCH  other_office     .     .  404  404  404  403  403  403    .    .    .    .  404
        GET    sea              .     .  404  404  404  404  200  404    .    .    .    .  404
        PATCH  sea              .     .  404  404  404  404  403  404    .    .    .    .  404
        GET    other_mission    .     .  404  404  404  404  404  404  404    .    .    .  200
        PATCH  other_mission    .     .  404  404  404  404  404  404  404    .    .    .  403
        GET    referred         .     .  200    .  200    .  200  200  404    .    .    .    .
        PATCH  referred         .     .  409    .  403    .  403  403  404    .    .    .    .
        GET    erased           .     .  200    .  200    .  200  200    .    .    .    .    .
        PATCH  erased           .     .  409    .  403    .  403  403    .    .    .    .    .
        """,
        body={"tally_girls": 2},
    ),
    *grid(
        "/api/v1/incidents/{public_id}/transitions/",
        """
                             anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   draft            .     .  200  404  404  404  404  404    .    .    .    .  404
        POST   submitted      401   401  403  403  200  404  200  403  404  404  404  404  404
        POST   closed           .     .  403  403  403  404  200  403    .    .    .    .  404
        POST   other_office     .     .  404  404  404  200  200  403    .    .    .    .  404
        POST   sea              .     .  404  404  404  404  200  404    .    .    .    .  404
        POST   other_mission    .     .  404  404  404  404  404  404  404    .    .    .  200
        POST   referred         .     .  403    .  200    .  200  403  404    .    .    .    .
        POST   erased           .     .  403    .  200    .  200  403    .    .    .    .    .
        """,
        bodies=TRANSITION_BODIES,
    ),
    *grid(
        "/api/v1/incidents/{public_id}/history/",
        """
                             anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    draft            .     .  200  404  404  404  404  404    .    .    .    .  404
        GET    submitted      401   401  200  200  200  404  200  200  404  404  404  404  404
        GET    closed           .     .  200  200  200  404  200  200    .    .    .    .  404
        GET    other_office     .     .  404  404  404  200  200  200    .    .    .    .  404
        GET    sea              .     .  404  404  404  404  200  404    .    .    .    .  404
        GET    other_mission    .     .  404  404  404  404  404  404  404    .    .    .  200
        GET    referred         .     .  200    .  200    .  200  200  404    .    .    .    .
        GET    erased           .     .  200    .  200    .  200  200    .    .    .    .    .
        """,
    ),
]

TABLE = Table(rows=ROWS, positions=POSITIONS)
test_matrix = matrix_test(TABLE)

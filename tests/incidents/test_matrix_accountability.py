"""The justice and accountability permission matrix (issue 13 item 6): the detail page's two
forms and the API's three operations, per persona and position (tests/matrix.py runs it).

Positions: the incident positions of tests/incidents/test_matrix.py (`draft`, `submitted`,
`closed`, `other_office`, `sea`, `other_mission`), and the same with one step already recorded
through the service (`step_id`):

- `submitted_step`     : on the Goma submitted incident, recorded by the Goma WPA
- `submitted_by_senior`: on the Goma submitted incident, recorded by the senior WPA (the Goma
                         WPA reviews the incident but did not record it: 403)
- `closed_step`        : on the Goma closed incident, recorded by the Goma WPA
- `other_office_step`  : on the Bunia incident, recorded by the Bunia WPA
- `sea_step`           : on the Goma SEA incident, recorded by the senior WPA
- `other_mission_step` : on the MINUSCA Bangui incident, recorded by the `outsider` (its WPA)

Record: the incident's reviewers (a WPA of its office, never for SEA; a senior WPA of its
mission); remove: who recorded the step, or a senior WPA. Everyone else who sees the incident
gets 403; everyone who does not, 404.
"""

from __future__ import annotations

from typing import Any

from incidents.models import Incident
from incidents.services.accountability import accountability_step_record
from tests.incidents.test_matrix import POSITIONS as INCIDENT_POSITIONS
from tests.matrix import Position, Row, Scene, Table, grid, matrix_test


def _with_step(position: str, recorder: str) -> Position:
    build_incident = INCIDENT_POSITIONS[position]

    def build(scene: Scene) -> dict[str, Any]:
        values = dict(build_incident(scene))
        incident = Incident.objects.get(public_id=values["public_id"])
        step = accountability_step_record(
            actor=scene.fixture(recorder),
            incident=incident,
            stage="complaint_filed",
            occurred_on=incident.incident_date_start,
            note="Complaint at the parquet.",
        )
        return {**values, "step_id": step.public_id}

    return build


POSITIONS: dict[str, Position] = {
    **{
        name: INCIDENT_POSITIONS[name]
        for name in ("draft", "submitted", "closed", "other_office", "sea", "other_mission")
    },
    "submitted_step": _with_step("submitted", "wpa"),
    "submitted_by_senior": _with_step("submitted", "senior_wpa"),
    "closed_step": _with_step("closed", "wpa"),
    "other_office_step": _with_step("other_office", "wpa_other"),
    "sea_step": _with_step("sea", "senior_wpa"),
    "other_mission_step": _with_step("other_mission", "outsider"),
}


def _step(scene: Scene) -> dict[str, str]:
    """A valid step for the position's incident: a prosecution before a military court, on the
    incident's first day (never in the future in any office's time zone)."""
    incident = Incident.objects.get(public_id=scene.values["public_id"])
    assert incident.incident_date_start is not None
    return {
        "stage": "prosecution",
        "court": "military",
        "occurred_on": incident.incident_date_start.isoformat(),
        "note": "Tribunal militaire de garnison.",
    }


ROWS: list[Row] = [
    *grid(
        "/incidents/{public_id}/accountability/",
        """
                             anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   draft            .     .  403  404  404  404  404  404    .    .    .    .  404
        POST   submitted      302   302  403  403  302  404  302  403  404  404  404  404  404
        POST   closed           .     .  403  403  302  404  302  403    .    .    .    .  404
        POST   other_office     .     .  404  404  404  302  302  403    .    .    .    .  404
        POST   sea              .     .  404  404  404  404  302  404    .    .    .    .  404
        POST   other_mission    .     .  404  404  404  404  404  404  404    .    .    .  302
        """,
        body=_step,
    ),
    *grid(
        "/incidents/{public_id}/accountability/{step_id}/remove/",
        """
                                   anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   submitted_step       302   302  403  403  302  404  302  403  404  404  404  404  404
        POST   submitted_by_senior    .     .  403    .  403  404  302  403    .    .    .    .  404
        POST   closed_step            .     .  403  403  302  404  302  403    .    .    .    .  404
        POST   other_office_step      .     .  404  404  404  302  302  403    .    .    .    .  404
        POST   sea_step               .     .  404  404  404  404  302  404    .    .    .    .  404
        POST   other_mission_step     .     .  404  404  404  404  404  404  404    .    .    .  302
        """,
    ),
    *grid(
        "/api/v1/incidents/{public_id}/accountability/",
        """
                             anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    draft            .     .  200  404  404  404  404  404    .    .    .    .  404
        POST   draft            .     .  403  404  404  404  404  404    .    .    .    .  404
        GET    submitted      401   401  200  200  200  404  200  200  404  404  404  404  404
        POST   submitted      401   401  403  403  201  404  201  403  404  404  404  404  404
        GET    closed           .     .  200  200  200  404  200  200    .    .    .    .  404
        POST   closed           .     .  403  403  201  404  201  403    .    .    .    .  404
        GET    other_office     .     .  404  404  404  200  200  200    .    .    .    .  404
        POST   other_office     .     .  404  404  404  201  201  403    .    .    .    .  404
        GET    sea              .     .  404  404  404  404  200  404    .    .    .    .  404
        POST   sea              .     .  404  404  404  404  201  404    .    .    .    .  404
        GET    other_mission    .     .  404  404  404  404  404  404  404    .    .    .  200
        POST   other_mission    .     .  404  404  404  404  404  404  404    .    .    .  201
        """,
        body=_step,
    ),
    *grid(
        "/api/v1/incidents/{public_id}/accountability/{step_id}/",
        """
                                   anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        DELETE submitted_step       401   401  403  403  204  404  204  403  404  404  404  404  404
        DELETE submitted_by_senior    .     .  403    .  403  404  204  403    .    .    .    .  404
        DELETE closed_step            .     .  403  403  204  404  204  403    .    .    .    .  404
        DELETE other_office_step      .     .  404  404  404  204  204  403    .    .    .    .  404
        DELETE sea_step               .     .  404  404  404  404  204  404    .    .    .    .  404
        DELETE other_mission_step     .     .  404  404  404  404  404  404  404    .    .    .  204
        """,
    ),
]

TABLE = Table(rows=ROWS, positions=POSITIONS)
test_matrix = matrix_test(TABLE)

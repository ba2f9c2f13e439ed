"""The early-warning alerts' permission matrix (issue 13 item 4): every page and API operation,
per persona and position (tests/matrix.py runs it).

Positions, built through the services (all alerts in mission MONUSCO unless said):

- `new`          : a Goma alert entered by the Goma reporter, not yet acknowledged
- `acknowledged` : the same, acknowledged by the Goma WPA (a response can be dispatched)
- `closed`       : the same, closed by the Goma WPA (no move left: 409 for its handlers)
- `other_office` : a Bunia alert entered by the Bunia reporter
- `other_mission`: a MINUSCA Bangui alert entered by the Bangui reporter (the `outsider`, a WPA
                   there, handles it)
- `goma`, `bunia`, `bangui`: a field office's on-call roster (and its WPA, who can be on call)
- `goma_shift`, `bunia_shift`: a shift on call running now in that office

Each alert position also makes a submitted incident of the same office (`reference`,
`incident`), which its handlers may link.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from crsv.accounts.models import FieldOffice, User
from incidents import clock
from incidents.models import Alert
from incidents.services import alerts as services
from tests.incidents.factories import incident_in_state
from tests.matrix import Position, Row, Scene, Table, grid, matrix_test


def _alert(state: str, *, reporter: str = "reporter", handler: str = "wpa") -> Position:
    def build(scene: Scene) -> dict[str, Any]:
        author: User = scene.fixture(reporter)
        place = scene.fixture("sake")
        alert = services.alert_create(
            actor=author,
            source=Alert.Source.CLA,
            location=place,
            indicators=[Alert.Indicator.ABDUCTIONS],
            urgency=Alert.Urgency.HIGH,
            description="Matrix alert.",
        ).alert
        moves = {"new": [], "acknowledged": ["acknowledge"], "closed": ["acknowledge", "close"]}[state]
        for action in moves:
            alert = services.alert_transition(
                actor=scene.fixture(handler),
                alert=alert,
                action=action,
                inputs=services.AlertInputs(note="Done."),
            )
        incident = incident_in_state(
            "submitted", reporter=author, reviewer=scene.fixture(handler), location=place
        )
        return {"public_id": alert.public_id, "reference": incident.reference, "incident": incident.public_id}

    return build


def _office(office: str, keeper: str) -> Position:
    def build(scene: Scene) -> dict[str, Any]:
        found: FieldOffice = scene.fixture(office)
        return {"office_id": found.pk, "candidate": scene.fixture(keeper).public_id}

    return build


def _shift(office: str, keeper: str) -> Position:
    def build(scene: Scene) -> dict[str, Any]:
        now = clock.now()
        shift = services.oncall_assign(
            actor=scene.fixture(keeper),
            field_office=scene.fixture(office),
            user=scene.fixture(keeper),
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=8),
        )
        return {"public_id": shift.public_id}

    return build


POSITIONS: dict[str, Position] = {
    "new": _alert("new"),
    "acknowledged": _alert("acknowledged"),
    "closed": _alert("closed"),
    "other_office": _alert("new", reporter="reporter_other", handler="wpa_other"),
    "other_mission": _alert("new", reporter="foreign_reporter", handler="outsider"),
    "goma": _office("office", "wpa"),
    "bunia": _office("other_office", "wpa_other"),
    "bangui": _office("foreign_office", "outsider"),
    "goma_shift": _shift("office", "wpa"),
    "bunia_shift": _shift("other_office", "wpa_other"),
}

ACK = {"action": "acknowledge"}
MOVES: dict[str, dict[str, str]] = {
    "new": ACK,
    "acknowledged": {"action": "dispatch", "note": "Patrol sent."},
    "closed": ACK,
    "other_office": ACK,
    "other_mission": ACK,
}


def _quick(scene: Scene) -> dict[str, Any]:
    scene.fixture("sake")
    return {"source": "cla", "place": "CD610602", "indicators": ["displacement"], "urgency": "low"}


def _api_create(scene: Scene) -> dict[str, Any]:
    place = scene.fixture("sake")
    return {
        "source": "cla",
        "location": str(place.public_id),
        "indicators": ["displacement"],
        "urgency": "low",
    }


def _shift_body(scene: Scene) -> dict[str, str]:
    tomorrow = clock.now() + timedelta(days=1)
    return {
        "user": str(scene.values["candidate"]),
        "starts_at": f"{tomorrow:%Y-%m-%d}T08:00",
        "ends_at": f"{tomorrow:%Y-%m-%d}T20:00",
    }


ROWS: list[Row] = [
    *grid(
        "/incidents/alerts/",
        """
                         anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -          302   302  200  200  200  200  200  200  403  403  403  403  200
        """,
    ),
    *grid(
        "/incidents/alerts/new/",
        """
                         anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -          302   302  200  200  200  200  200  403  403  403  403  403  200
        POST   -          302   302  302  302  302  302  302  403  403  403  403  403  302
        """,
        body=_quick,
    ),
    *grid(
        "/incidents/alerts/{public_id}/",
        """
                         anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    new          302   302  200  404  200  404  200  200  404  404  404  404  404
        GET    other_office   .     .  404  404  404  200  200  200    .    .    .    .  404
        GET    other_mission  .     .  404    .  404  404  404  404    .    .    .    .  200
        """,
    ),
    *grid(
        "/incidents/alerts/{public_id}/transition/",
        """
                         anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   new          302   302  403  404  302  404  302  403  404  404  404  404  404
        POST   acknowledged   .     .  403    .  302    .  302  403    .    .    .    .  404
        POST   closed         .     .  403    .  409    .  409  403    .    .    .    .    .
        POST   other_office   .     .  404  404  404  302  302  403    .    .    .    .  404
        POST   other_mission  .     .  404    .  404  404  404  404    .    .    .    .  302
        """,
        bodies=MOVES,
    ),
    *grid(
        "/incidents/alerts/{public_id}/link/",
        """
                         anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   new          302   302  403  404  302  404  302  403  404  404  404  404  404
        POST   other_office   .     .  404    .  404  302  302  403    .    .    .    .  404
        POST   other_mission  .     .  404    .  404    .  404  404    .    .    .    .  302
        """,
        body=lambda scene: {"reference": scene.values["reference"]},
    ),
    *grid(
        "/incidents/alerts/on-call/{office_id}/",
        """
                         anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    goma         302   302  403  403  200  404  200  403  403  403  403  403  404
        POST   goma         302   302  403  403  302  404  302  403  403  403  403  403  404
        GET    bunia          .     .  404    .  404  200  200  403  404    .    .    .  404
        POST   bunia          .     .  404    .  404  302  302  403  404    .    .    .  404
        GET    bangui         .     .  404    .  404  404  404  404    .    .    .    .  200
        POST   bangui         .     .  404    .  404  404  404  404    .    .    .    .  302
        """,
        body=_shift_body,
    ),
    *grid(
        "/incidents/alerts/on-call/shifts/{public_id}/end/",
        """
                         anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   goma_shift   302   302  403  403  302  404  302  403  403  403  403  403  404
        POST   bunia_shift    .     .  404    .  404  302  302  403  404    .    .    .  404
        """,
    ),
    *grid(
        "/api/v1/incidents/alerts/",
        """
                         anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -          401   401  200  200  200  200  200  200  403  403  403  403  200
        POST   -          401   401  201  201  201  201  201  403  403  403  403  403  201
        """,
        body=_api_create,
    ),
    *grid(
        "/api/v1/incidents/alerts/{public_id}/",
        """
                         anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    new          401   401  200  404  200  404  200  200  404  404  404  404  404
        GET    other_office   .     .  404    .  404  200  200  200    .    .    .    .  404
        GET    other_mission  .     .  404    .  404  404  404  404    .    .    .    .  200
        """,
    ),
    *grid(
        "/api/v1/incidents/alerts/{public_id}/transitions/",
        """
                         anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   new          401   401  403  404  200  404  200  403  404  404  404  404  404
        POST   acknowledged   .     .  403    .  200    .  200  403    .    .    .    .  404
        POST   closed         .     .  403    .  409    .  409  403    .    .    .    .    .
        POST   other_office   .     .  404    .  404  200  200  403    .    .    .    .  404
        POST   other_mission  .     .  404    .  404  404  404  404    .    .    .    .  200
        """,
        bodies=MOVES,
    ),
    *grid(
        "/api/v1/incidents/alerts/{public_id}/incidents/",
        """
                         anon  deac  rep  col  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   new          401   401  403  404  201  404  201  403  404  404  404  404  404
        POST   other_office   .     .  404    .  404  201  201  403    .    .    .    .  404
        POST   other_mission  .     .  404    .  404    .  404  404    .    .    .    .  201
        """,
        body=lambda scene: {"incident": str(scene.values["incident"])},
    ),
]

TABLE = Table(rows=ROWS, positions=POSITIONS)
test_matrix = matrix_test(TABLE)

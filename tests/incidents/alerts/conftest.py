"""Fixtures of the early-warning alert tests (issue 13 item 4), beside tests/conftest.py's
personas and tests/incidents/conftest.py's places (Nord-Kivu > Masisi > Sake, admin 1 to 3).

- `raise_alert(user=reporter, **fields)`: an alert entered through `alert_create`, in the user's
  (only) office: Sake, armed presence and threats, high urgency, a description naming someone
  (`CANARY`), so that a test can look for it where it must not be;
- `alert_in_state(state, ...)`: an alert moved to `state` through the services by the Goma WPA;
- `on_call(user, office=None)`: `user` on call for her office from an hour ago for a day;
- `senior_other`: a senior WPA whose office is Bunia (the same mission as Goma).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from incidents import clock
from incidents.models import Alert, Location, OnCallAssignment
from incidents.services import alerts as services
from tests.factories import UserFactory

CANARY = "Canarymwamba Zawadi"


@pytest.fixture
def senior_other(other_office: FieldOffice) -> User:
    return UserFactory(username="senior_bunia", roles=[Role.SENIOR_WPA], offices=[other_office])


def alert_fields(place: Location, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "source": Alert.Source.COMMUNITY_ALERT_NETWORK,
        "location": place,
        "indicators": [Alert.Indicator.THREATS, Alert.Indicator.ARMED_PRESENCE],
        "urgency": Alert.Urgency.HIGH,
        "description": f"Armed men asked for {CANARY} at the market.",
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def raise_alert(reporter: User, sake: Location) -> Callable[..., Alert]:
    def make(user: User | None = None, **overrides: Any) -> Alert:
        received = services.alert_create(actor=user or reporter, **alert_fields(sake, **overrides))
        return received.alert

    return make


# How each state is reached from `new`, by the Goma WPA.
_PATHS: dict[str, list[tuple[str, str]]] = {
    Alert.State.NEW: [],
    Alert.State.ACKNOWLEDGED: [("acknowledge", "")],
    Alert.State.RESPONSE_DISPATCHED: [("acknowledge", ""), ("dispatch", "FARDC patrol sent to Sake.")],
    Alert.State.CLOSED: [
        ("acknowledge", ""),
        ("dispatch", "FARDC patrol sent to Sake."),
        ("close", "Patrol reported calm."),
    ],
}


def alert_move(alert: Alert, state: str, *, handler: User) -> Alert:
    for action, note in _PATHS[state]:
        alert = services.alert_transition(
            actor=handler, alert=alert, action=action, inputs=services.AlertInputs(note=note)
        )
    return alert


@pytest.fixture
def alert_in_state(raise_alert: Callable[..., Alert], wpa: User) -> Callable[..., Alert]:
    def make(state: str, *, user: User | None = None, handler: User | None = None, **overrides: Any) -> Alert:
        return alert_move(raise_alert(user, **overrides), state, handler=handler or wpa)

    return make


@pytest.fixture
def on_call(wpa: User) -> Callable[..., OnCallAssignment]:
    def put(user: User, office: FieldOffice | None = None) -> OnCallAssignment:
        office = office or user.primary_office()
        assert office is not None
        now = clock.now()
        return services.oncall_assign(
            actor=wpa if office in wpa.offices() else user,
            field_office=office,
            user=user,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=1),
        )

    return put

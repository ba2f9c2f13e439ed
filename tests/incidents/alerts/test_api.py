"""The alerts API: list (filters, cursor pages), create, detail (restricted keys left out),
transitions in the order 404, 403, 409, 400, the incident link; and its OpenAPI schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from crsv.accounts.models import User
from crsv.accounts.services import api_token_issue
from incidents.models import Alert, Incident, Location
from tests.incidents.alerts.conftest import CANARY

pytestmark = pytest.mark.django_db
BASE = "/api/v1/incidents/alerts/"


@pytest.fixture
def api_as() -> Callable[[User], APIClient]:
    def client_for(user: User) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=user)[0]}")
        return client

    return client_for


def _create(sake: Location, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "source": "community_alert_network",
        "location": str(sake.public_id),
        "indicators": ["displacement", "armed_presence"],
        "urgency": "medium",
        "description": f"{CANARY} saw them.",
    }
    body.update(overrides)
    return body


def test_create_then_read_as_each_may_see_it(
    api_as: Callable[[User], APIClient], reporter: User, wpa: User, analyst: User, sake: Location
) -> None:
    response = api_as(reporter).post(BASE, _create(sake), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"].endswith("-EW-00001") and body["state"] == "new"
    assert body["indicators"] == ["armed_presence", "displacement"]
    assert body["description"] == f"{CANARY} saw them." and body["entered_by"] == reporter.display_name
    assert body["permissions"]["can_acknowledge"] is False
    assert response["Cache-Control"] == "no-store"
    url = f"{BASE}{body['public_id']}/"
    as_wpa = api_as(wpa).get(url).json()
    assert as_wpa["permissions"]["can_acknowledge"] is True and as_wpa["place"]["pcode"] == "CD610602"
    as_analyst = api_as(analyst).get(url).json()
    assert "description" not in as_analyst and "entered_by" not in as_analyst
    assert as_analyst["place"]["admin_level"] == 2
    assert all(step["actor"] == "" for step in as_analyst["history"])


def test_create_refuses_bad_and_unknown_fields(
    api_as: Callable[[User], APIClient], reporter: User, analyst: User, sake: Location, other_office: Any
) -> None:
    client = api_as(reporter)
    response = client.post(BASE, _create(sake, urgency="extreme", state="closed"), format="json")
    assert response.status_code == 400 and {"urgency", "state"} <= set(response.json())
    response = client.post(BASE, _create(sake, field_office=other_office.pk), format="json")
    assert response.status_code == 400 and "field_office" in response.json()
    response = client.post(
        BASE, _create(sake, location="00000000-0000-0000-0000-000000000000"), format="json"
    )
    assert response.status_code == 400 and "location" in response.json()
    assert api_as(analyst).post(BASE, {"urgency": "x"}, format="json").status_code == 403  # before the body
    assert not Alert.objects.exists()


def test_the_list_filters_and_follows_next(
    api_as: Callable[[User], APIClient],
    raise_alert: Callable[..., Alert],
    alert_in_state: Callable[..., Alert],
    wpa: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = raise_alert(urgency="critical")
    second = alert_in_state("acknowledged")
    client = api_as(wpa)
    body = client.get(BASE).json()
    assert [row["public_id"] for row in body["results"]] == [str(second.public_id), str(first.public_id)]
    assert "description" not in body["results"][0]
    assert [row["reference"] for row in client.get(BASE, {"state": "new"}).json()["results"]] == [
        first.reference
    ]
    assert client.get(BASE, {"colour": "red"}).status_code == 400
    assert client.get(BASE, {"cursor": "forged"}).status_code == 400
    from incidents.selectors import alerts as selectors

    monkeypatch.setattr(selectors, "ALERT_PAGE_SIZE", 1)
    page = client.get(BASE).json()
    assert len(page["results"]) == 1 and page["next"]
    assert client.get(page["next"]).json()["results"][0]["public_id"] == str(first.public_id)


def test_transitions_answer_404_403_409_400_in_order(
    api_as: Callable[[User], APIClient],
    raise_alert: Callable[..., Alert],
    reporter: User,
    wpa: User,
    wpa_other: User,
) -> None:
    alert = raise_alert()
    url = f"{BASE}{alert.public_id}/transitions/"
    assert api_as(wpa_other).post(url, {"action": "dispatch", "bogus": 1}, format="json").status_code == 404
    assert api_as(reporter).post(url, {"action": "dispatch", "bogus": 1}, format="json").status_code == 403
    client = api_as(wpa)
    assert client.post(url, {"action": "dispatch", "bogus": 1}, format="json").status_code == 409
    assert client.post(url, {"action": "acknowledge"}, format="json").json()["state"] == "acknowledged"
    response = client.post(url, {"action": "dispatch", "note": ""}, format="json")
    assert response.status_code == 400 and "note" in response.json()
    done = client.post(url, {"action": "dispatch", "note": "Patrol sent."}, format="json").json()
    assert done["state"] == "response_dispatched" and done["history"][-1]["note"] == "Patrol sent."
    assert "note" not in api_as(reporter).get(f"{BASE}{alert.public_id}/").json()["history"][-1]


def test_linking_an_incident(
    api_as: Callable[[User], APIClient],
    raise_alert: Callable[..., Alert],
    make_incident: Callable[..., Incident],
    reporter: User,
    wpa: User,
) -> None:
    alert = raise_alert()
    incident = make_incident("submitted", reporter=reporter)
    url = f"{BASE}{alert.public_id}/incidents/"
    assert api_as(reporter).post(url, {"incident": str(incident.public_id)}, format="json").status_code == 403
    response = api_as(wpa).post(url, {"incident": str(incident.public_id)}, format="json")
    assert response.status_code == 201
    assert response.json()["linked_incidents"][0]["reference"] == incident.reference
    again = api_as(wpa).post(url, {"incident": str(incident.public_id)}, format="json")
    assert again.status_code == 400 and "incident" in again.json()


def test_the_schema_describes_every_operation(tmp_path: Any) -> None:
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(path), "--validate", "--fail-on-warn")
    schema = yaml.safe_load(path.read_text())
    operations = {
        op["operationId"]
        for route, item in schema["paths"].items()
        if route.startswith(BASE)
        for op in item.values()
    }
    assert operations == {
        "alerts_list",
        "alerts_create",
        "alerts_retrieve",
        "alerts_transition",
        "alerts_link_incident",
    }
    components = schema["components"]["schemas"]
    assert components["AlertIndicator"]["enum"] == list(Alert.Indicator.values)
    assert set(components["AlertOutput"]["required"]) >= {"reference", "state", "place", "history"}
    assert "description" not in components["AlertOutput"]["required"]


def test_numbers_beyond_a_database_integer_are_refused_not_crashed(
    api_as: Callable[[User], APIClient], login: Callable[[User], Any], wpa: User, sake: Location
) -> None:
    huge = 2**40
    assert api_as(wpa).get(BASE, {"field_office": huge}).status_code == 400
    assert api_as(wpa).post(BASE, _create(sake, field_office=huge), format="json").status_code == 400
    assert login(wpa).get(f"/incidents/alerts/on-call/{huge}/").status_code == 404

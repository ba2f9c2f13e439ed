"""GET /api/v1/reports/dashboard/: the page's panels as JSON, through the same assembly (the
same numbers, the same texts), the same filters refused with a 400, documented in the schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from crsv.accounts.models import User
from crsv.accounts.services import api_token_issue
from reports.dashboard import default_period
from tests.reports import dashboard_world
from tests.reports.dashboard_world import World, api_tables, page_tables

pytestmark = pytest.mark.django_db

# The world's fixtures (tests/reports/dashboard_world.py).
djugu = dashboard_world.djugu
fataki = dashboard_world.fataki
ituri = dashboard_world.ituri
world = dashboard_world.world

URL = "/api/v1/reports/dashboard/"


@pytest.fixture
def api_as() -> Callable[[User], APIClient]:
    def make(user: User) -> APIClient:
        client = APIClient()
        raw, _token = api_token_issue(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make


@pytest.mark.parametrize(
    "persona, query",
    [
        ("analyst", {}),
        ("senior_wpa", {"office": "BUN"}),
        ("wpa", {}),
        ("wpa_other", {"from": "2020-01", "to": "2020-06"}),
        ("analyst", {"admin1": "CD61", "admin2": "CD6106"}),
    ],
)
def test_the_json_equals_the_page(
    login: Callable[[User], Client],
    api_as: Callable[[User], APIClient],
    request: pytest.FixtureRequest,
    world: World,
    persona: str,
    query: dict[str, str],
) -> None:
    user = request.getfixturevalue(persona)
    page = page_tables(login(user).get("/reports/", query).content)
    response = api_as(user).get(URL, query)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert api_tables(body).rows == page.rows
    assert api_tables(body).figures == page.figures
    assert body["filters"] == {
        "office": query.get("office"),
        "admin1": query.get("admin1"),
        "admin2": query.get("admin2"),
    }


def test_values_are_numbers_beside_their_texts(
    api_as: Callable[[User], APIClient], analyst: User, world: World
) -> None:
    body = api_as(analyst).get(URL).json()
    start, end = default_period(timezone.localdate())
    assert body["period"] == {"from": f"{start:%Y-%m}", "to": f"{end:%Y-%m}"}
    assert body["mission_level"] is True and body["survivor_panels"] is True
    panels = {panel["key"]: panel for section in body["sections"] for panel in section["panels"]}
    month = panels["incidents_by_month"]
    assert month["unit"] == "Incidents (MARA: one per incident)"
    assert [row["cells"][0]["value"] for row in month["rows"] if row["kind"] == "total"] == [2]
    rate = next(f for f in panels["verification_status"]["figures"] if f["key"] == "verification_rate")
    assert rate["value"] == 0.5 and rate["text"] == "50.0%"
    times = {row["key"]: row["cells"] for row in panels["referral_times"]["rows"]}
    assert times["medical"] == [{"value": None, "text": "—"}, {"value": None, "text": "—"}]


def test_a_wpa_gets_no_survivor_panel(api_as: Callable[[User], APIClient], wpa: User, world: World) -> None:
    body = api_as(wpa).get(URL).json()
    keys = {panel["key"] for section in body["sections"] for panel in section["panels"]}
    assert body["survivor_panels"] is False and body["mission_level"] is False
    assert not keys & {"survivors", "referrals_by_service", "referral_times", "rape_care"}


@pytest.mark.parametrize(
    "query, errors",
    [
        ({"from": "2026-13"}, {"from": ["Enter a month as YYYY-MM, e.g. 2026-03."]}),
        ({"from": "2025-06", "to": "2025-01"}, {"to": ["The end of the period cannot be before its start."]}),
        ({"from": "1990-01", "to": "2025-01"}, {"to": ["A period is at most 120 months."]}),
        ({"office": "GOM"}, {"office": ["Not in your scope."]}),
        ({"office": "ZZZ"}, {"office": ["Not in your scope."]}),
        ({"admin1": "CD6106"}, {"admin1": ["Not in your scope."]}),
        (
            {"admin1": "CD54", "admin2": "CD6106"},
            {"admin2": ["This territory or city is not in the chosen province."]},
        ),
        ({"place": "CD61"}, {"place": ["Not a filter of the dashboard."]}),
    ],
)
def test_a_refused_filter_is_a_400_with_its_field(
    api_as: Callable[[User], APIClient], wpa_other: User, world: World, query: dict[str, str], errors: Any
) -> None:
    response = api_as(wpa_other).get(URL, query)
    assert response.status_code == 400
    assert response.json() == errors


def test_roles_without_a_dashboard_get_403_before_their_filters_are_read(
    api_as: Callable[[User], APIClient], reporter: User
) -> None:
    response = api_as(reporter).get(URL, {"from": "bad"})
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role gives no dashboard."}


def test_the_api_costs_the_same_queries_whatever_the_data(
    api_as: Callable[[User], APIClient], analyst: User, world: World
) -> None:
    client = api_as(analyst)
    client.get(URL)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    assert sum("reports_rollup" in query["sql"] for query in captured.captured_queries) == 1
    assert len(captured) <= 8


def test_the_schema_documents_the_operation() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/reports/dashboard/"]["get"]
    assert operation["operationId"] == "reports_dashboard"
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == {"from", "to", "office", "admin1", "admin2"}
    assert parameters["from"]["schema"]["pattern"] == "^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$"
    assert set(operation["responses"]) == {"200", "400", "401", "403"}

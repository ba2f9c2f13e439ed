"""GET /api/v1/locations/ and /api/v1/parties/: the role gate, analysts' coarse places, filters,
pagination and query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from incidents.api import views
from incidents.models import Location, PartyToConflict
from tests.factories import UserFactory
from tests.incidents.factories import LocationFactory, PartyFactory
from tests.incidents.test_api_common import LOCATIONS, PARTIES, as_user, assert_matches_schema

pytestmark = pytest.mark.django_db


def pcodes(response: Any) -> list[str]:
    return [row["pcode"] for row in response.json()["results"]]


@pytest.fixture
def places(sake: Location) -> list[Location]:
    """Nord-Kivu > Masisi > Sake, and a village below Sake."""
    village = LocationFactory(pcode="CD61060201", name="Village", admin_level=4, parent=sake)
    return [sake.parent.parent, sake.parent, sake, village]  # type: ignore[union-attr]


@pytest.mark.parametrize("path", [LOCATIONS, PARTIES])
@pytest.mark.parametrize("persona", ["provider", "admin_user", "auditor", "no_role"])
def test_roles_without_incident_access_get_403(
    request: pytest.FixtureRequest, api_client: Any, places: list[Location], path: str, persona: str
) -> None:
    response = as_user(api_client, request.getfixturevalue(persona)).get(path)
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["reporter", "wpa", "senior_wpa", "outsider"])
def test_those_who_log_incidents_see_every_level(
    request: pytest.FixtureRequest, api_client: Any, client: Client, places: list[Location], persona: str
) -> None:
    response = as_user(api_client, request.getfixturevalue(persona)).get(LOCATIONS)
    assert response.status_code == 200
    assert pcodes(response) == ["CD61", "CD6106", "CD610602", "CD61060201"]
    body = response.json()
    assert body["next"] is None
    sake = body["results"][2]
    assert sake == {
        "public_id": str(places[2].public_id),
        "pcode": "CD610602",
        "name": "Sake",
        "admin_level": 3,
        "parent": str(places[1].public_id),
        "latitude": "-1.573600",
        "longitude": "29.043600",
    }
    assert_matches_schema(client, "LocationPageOutput", body)


def test_analysts_see_provinces_and_territories_only(
    api_client: Any, places: list[Location], analyst: User, office: FieldOffice
) -> None:
    client = as_user(api_client, analyst)
    assert pcodes(client.get(LOCATIONS)) == ["CD61", "CD6106"]
    assert pcodes(client.get(LOCATIONS, {"admin_level": 3})) == []
    assert pcodes(client.get(LOCATIONS, {"parent": str(places[1].public_id)})) == []
    response = client.get(LOCATIONS, {"parent": str(places[2].public_id)})  # Sake: not hers to name
    assert response.status_code == 400
    assert list(response.json()) == ["parent"]
    assert b"Sake" not in client.get(LOCATIONS).content
    # An analyst who also logs incidents needs the fine places to record them.
    both = UserFactory(username="analyst_reporter", roles=[Role.ANALYST, Role.REPORTER], offices=[office])
    assert len(pcodes(as_user(api_client, both).get(LOCATIONS))) == 4


def test_filters(api_client: Any, places: list[Location], reporter: User) -> None:
    client = as_user(api_client, reporter)
    assert pcodes(client.get(LOCATIONS, {"parent": str(places[1].public_id)})) == ["CD610602"]
    assert pcodes(client.get(LOCATIONS, {"admin_level": 2})) == ["CD6106"]
    assert pcodes(client.get(LOCATIONS, {"admin_level": 1, "parent": str(places[0].public_id)})) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"admin_level": 5}, "admin_level"),
        ({"admin_level": "two"}, "admin_level"),
        ({"parent": "not-a-uuid"}, "parent"),
        ({"parent": "6b9e3c7e-1f0a-4d6b-9a43-8d6f1c2b3a4e"}, "parent"),
        ({"name": "Sake"}, "name"),
        ({"cursor": "%%%"}, "cursor"),
    ],
)
def test_bad_parameters_are_400(
    api_client: Any, places: list[Location], reporter: User, params: dict[str, Any], field: str
) -> None:
    response = as_user(api_client, reporter).get(LOCATIONS, params)
    assert response.status_code == 400
    assert field in response.json()


def test_pages_follow_the_pcode(
    api_client: Any, monkeypatch: pytest.MonkeyPatch, places: list[Location], reporter: User
) -> None:
    monkeypatch.setattr(views, "LOCATION_PAGE_SIZE", 3)
    client = as_user(api_client, reporter)
    first = client.get(LOCATIONS).json()
    assert [r["pcode"] for r in first["results"]] == ["CD61", "CD6106", "CD610602"]
    second = client.get(first["next"]).json()
    assert [r["pcode"] for r in second["results"]] == ["CD61060201"]
    assert second["next"] is None


def test_location_queries_do_not_grow_with_rows(
    api_client: Any, places: list[Location], reporter: User
) -> None:
    def count() -> int:
        client = as_user(api_client, reporter)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LOCATIONS).status_code == 200
        return len(queries)

    few = count()
    for n in range(10):
        LocationFactory(pcode=f"CD6107{n:02d}", name=f"Place {n}", admin_level=3, parent=places[1])
    assert count() == few


def test_parties(api_client: Any, client: Client, analyst: User, m23: PartyToConflict) -> None:
    PartyFactory(name="FARDC", listed_in_sg_annex=True)
    PartyFactory(name="Dissolved group", active=False)
    response = as_user(api_client, analyst).get(PARTIES)
    assert response.status_code == 200
    body = response.json()
    assert [p["name"] for p in body["results"]] == ["FARDC", "M23/AFC"]
    assert body["results"][1] == {
        "public_id": str(m23.public_id),
        "name": "M23/AFC",
        "aliases": ["M23"],
        "listed_in_sg_annex": True,
    }
    assert_matches_schema(client, "PartyListOutput", body)


def test_party_queries_do_not_grow_with_rows(api_client: Any, m23: PartyToConflict, reporter: User) -> None:
    client = as_user(api_client, reporter)
    with CaptureQueriesContext(connection) as queries:
        client.get(PARTIES)
    for n in range(5):
        PartyFactory(name=f"Group {n}")
    client = as_user(api_client, reporter)
    with CaptureQueriesContext(connection) as more:
        assert len(client.get(PARTIES).json()["results"]) == 6
    assert len(queries) == len(more)

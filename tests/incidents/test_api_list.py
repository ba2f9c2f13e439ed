"""GET /api/v1/incidents/: the role gate, scoping, the fast path against the documented schema,
redaction, filters, ordering, cursor pagination and query counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from incidents.api.serializers import IncidentListQuery
from incidents.models import Incident, Location, PartyToConflict
from incidents.selectors import ORDERINGS, IncidentFilters
from tests.factories import UserFactory
from tests.incidents.factories import office_today
from tests.incidents.list_world import expected_rows, ids
from tests.incidents.test_api_common import (
    CANARY_PLACE,
    LIST,
    as_user,
    assert_matches_schema,
    assert_no_canary,
)

pytestmark = pytest.mark.django_db


# --- who may list ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["provider", "admin_user", "auditor", "no_role"])
def test_roles_without_incident_access_get_403_even_with_incidents_in_their_office(
    request: pytest.FixtureRequest, api_client: Any, world: dict[str, Incident], persona: str
) -> None:
    response = as_user(api_client, request.getfixturevalue(persona)).get(LIST)
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role gives no access to incidents."}
    assert_no_canary(response.content)


def test_outsider_sees_only_her_mission(api_client: Any, world: dict[str, Incident], outsider: User) -> None:
    response = as_user(api_client, outsider).get(LIST)
    assert response.status_code == 200
    assert ids(response) == {str(world["foreign_submitted"].public_id)}
    assert_no_canary(response.content)


def test_a_reporter_without_an_office_sees_an_empty_list(
    api_client: Any, world: dict[str, Incident], reporter: User
) -> None:
    reporter.memberships.all().delete()  # her scope is empty: Django does not even query
    response = as_user(api_client, reporter).get(LIST)
    assert (response.status_code, response.json()) == (200, {"next": None, "results": []})


@pytest.mark.parametrize(
    "persona", ["reporter", "colleague", "wpa", "wpa_other", "senior_wpa", "analyst", "outsider"]
)
def test_the_fast_path_is_the_documented_serializer_for_every_persona(
    request: pytest.FixtureRequest, api_client: Any, client: Client, world: dict[str, Incident], persona: str
) -> None:
    """Same rows (scope, order) and, key for key, what IncidentListItemOutput says of them, and
    a body the published schema accepts (strictly: no undocumented key)."""
    user = request.getfixturevalue(persona)
    response = as_user(api_client, user).get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    assert body["results"] == expected_rows(user)
    assert {row["public_id"] for row in body["results"]} == {
        str(i.public_id) for i in Incident.objects.visible_to(User.objects.get(pk=user.pk))
    }
    assert_matches_schema(client, "IncidentPageOutput", body)


def test_labels_follow_the_request_language(api_client: Any, world: dict[str, Incident], wpa: User) -> None:
    rows = as_user(api_client, wpa).get(LIST, HTTP_ACCEPT_LANGUAGE="fr").json()["results"]
    with translation.override("fr"):
        expected = {str(label) for _value, label in Incident.Status.choices}
        form = str(Incident._meta.apps.get_model("incidents", "Violation").Form.RAPE.label)
    assert {row["status_label"] for row in rows} <= expected
    assert form in {v["form_label"] for row in rows for v in row["violations"]}


def test_a_list_without_parameters_uses_the_documented_defaults(api_client: Any, analyst: User) -> None:
    """The view skips validating an empty query; what it uses instead must be the defaults."""
    query = IncidentListQuery(data={}, context={"user": analyst})
    assert query.is_valid()
    assert query.filters() == IncidentFilters()
    assert query.validated_data["ordering"] == IncidentListQuery.DEFAULT_ORDERING == "-created_at"


# --- redaction -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["analyst", "colleague"])
def test_deidentified_viewers_get_no_restricted_detail_in_the_list(
    request: pytest.FixtureRequest, api_client: Any, world: dict[str, Incident], persona: str
) -> None:
    """The analyst (and a reporter looking at a colleague's incident) gets the planted incident
    with its location coarsened to Masisi (admin 2), and no canary anywhere in the bytes."""
    user = request.getfixturevalue(persona)
    response = as_user(api_client, user).get(LIST)
    assert_no_canary(response.content)
    row = next(r for r in response.json()["results"] if r["public_id"] == str(world["planted"].public_id))
    assert row["location"]["name"] == "Masisi"
    assert row["location"]["admin_level"] == 2
    assert not {"narrative", "latitude", "longitude", "perpetrators"} & set(row)


@pytest.mark.parametrize("persona", ["reporter", "wpa", "senior_wpa"])
def test_those_who_may_see_the_exact_place_get_it(
    request: pytest.FixtureRequest, api_client: Any, world: dict[str, Incident], persona: str
) -> None:
    response = as_user(api_client, request.getfixturevalue(persona)).get(LIST)
    row = next(r for r in response.json()["results"] if r["public_id"] == str(world["planted"].public_id))
    assert row["location"]["name"] == CANARY_PLACE
    assert row["location"]["admin_level"] == 3
    # Lists never carry the narrative or perpetrators' identification, even for them.
    assert b"Canary narrative" not in response.content
    assert b"Canary Colonel" not in response.content


def test_an_analyst_who_also_reviews_sees_exact_places_only_where_she_reviews(
    api_client: Any, world: dict[str, Incident], office: FieldOffice
) -> None:
    both = UserFactory(username="analyst_wpa", roles=[Role.ANALYST, Role.WPA], offices=[office])
    rows = {r["public_id"]: r for r in as_user(api_client, both).get(LIST).json()["results"]}
    assert rows[str(world["planted"].public_id)]["location"]["name"] == CANARY_PLACE  # her office
    bunia = rows[str(world["bunia_review"].public_id)]
    assert bunia["location"]["admin_level"] == 2  # another office of the mission: coarsened


# --- filters, ordering -----------------------------------------------------------------------


def test_filters(
    api_client: Any,
    world: dict[str, Incident],
    senior_wpa: User,
    other_office: FieldOffice,
    m23: PartyToConflict,
    nord_kivu: Location,
) -> None:
    client = as_user(api_client, senior_wpa)
    planted_id, closed_id = str(world["planted"].public_id), str(world["colleague_closed"].public_id)
    assert ids(client.get(LIST, {"status": ["submitted", "closed"]})) == {
        planted_id,
        closed_id,
        str(world["own_sea_submitted"].public_id),
    }
    assert ids(client.get(LIST, {"verification_status": "verified"})) == {closed_id}
    assert ids(client.get(LIST, {"field_office": "BUN"})) == {str(world["bunia_review"].public_id)}
    assert ids(client.get(LIST, {"party": str(m23.public_id)})) == {planted_id}
    assert ids(client.get(LIST, {"violation_form": "sexual_slavery"})) == {planted_id}
    assert ids(client.get(LIST, {"perpetrator_category": "un_personnel"})) == {
        str(world["own_sea_submitted"].public_id)
    }
    assert ids(client.get(LIST, {"is_sea": "true"})) == {str(world["own_sea_submitted"].public_id)}
    assert planted_id in ids(client.get(LIST, {"location": str(nord_kivu.public_id)}))
    reference = world["planted"].reference
    assert reference is not None
    assert ids(client.get(LIST, {"reference": reference.split("-", 1)[1].lower()})) == {planted_id}
    today = office_today(senior_wpa)
    assert ids(client.get(LIST, {"date_from": str(today + timedelta(days=5))})) == set()
    rows = client.get(LIST, {"date_from": str(today - timedelta(days=30)), "date_to": str(today)})
    assert planted_id in ids(rows)
    assert ids(client.get(LIST, {"status": "draft"})) == set()  # the senior WPA sees no drafts


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "nonsense"}, "status"),
        ({"verification_status": "maybe"}, "verification_status"),
        ({"date_from": "2026-13-40"}, "date_from"),
        ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, "date_to"),
        ({"violation_form": "x"}, "violation_form"),
        ({"perpetrator_category": "x"}, "perpetrator_category"),
        ({"party": "not-a-uuid"}, "party"),
        ({"party": "6b9e3c7e-1f0a-4d6b-9a43-8d6f1c2b3a4e"}, "party"),
        ({"location": "6b9e3c7e-1f0a-4d6b-9a43-8d6f1c2b3a4e"}, "location"),
        ({"field_office": "ZZZ"}, "field_office"),
        ({"is_sea": "perhaps"}, "is_sea"),
        ({"ordering": "narrative"}, "ordering"),
        ({"ordering": "-latitude"}, "ordering"),
        ({"narrative": "river"}, "narrative"),
        ({"latitude": "-1.6"}, "latitude"),
        ({"unit": "34th"}, "unit"),
        ({"names": "Jean"}, "names"),
        ({"page": "2"}, "page"),
        ({"cursor": "!!!"}, "cursor"),
    ],
)
def test_bad_or_unknown_parameters_are_400_with_a_field_error(
    api_client: Any, world: dict[str, Incident], analyst: User, params: dict[str, str], field: str
) -> None:
    response = as_user(api_client, analyst).get(LIST, params)
    assert response.status_code == 400
    assert field in response.json()
    assert_no_canary(response.content)


def test_restricted_filters_say_they_are_restricted(api_client: Any, analyst: User) -> None:
    response = as_user(api_client, analyst).get(LIST, {"narrative": "river", "commander": "x"})
    assert response.json() == {
        "narrative": ["Restricted: it cannot be used to filter or order."],
        "commander": ["Restricted: it cannot be used to filter or order."],
    }


def test_error_messages_do_not_echo_the_value_sent(api_client: Any, analyst: User) -> None:
    response = as_user(api_client, analyst).get(LIST, {"status": "secret-value-Zk4"})
    assert response.status_code == 400
    assert b"secret-value-Zk4" not in response.content


def test_analysts_cannot_filter_by_an_exact_location(
    api_client: Any, world: dict[str, Incident], analyst: User, office: FieldOffice, masisi: Location
) -> None:
    place = Location.objects.get(name=CANARY_PLACE)
    response = as_user(api_client, analyst).get(LIST, {"location": str(place.public_id)})
    assert response.status_code == 400
    assert list(response.json()) == ["location"]
    # An analyst who also logs incidents may pick the place, but not filter the list by it.
    both = UserFactory(username="analyst_reporter", roles=[Role.ANALYST, Role.REPORTER], offices=[office])
    response = as_user(api_client, both).get(LIST, {"location": str(place.public_id)})
    assert response.status_code == 400
    assert response.json() == {"location": ["Choose a province or a territory."]}
    # Admin level 2 is fine.
    response = as_user(api_client, analyst).get(LIST, {"location": str(masisi.public_id)})
    assert response.status_code == 200
    assert str(world["planted"].public_id) in ids(response)


@pytest.mark.parametrize("ordering", sorted(ORDERINGS))
def test_every_ordering_is_the_selectors(
    api_client: Any, world: dict[str, Incident], reporter: User, ordering: str
) -> None:
    rows = as_user(api_client, reporter).get(LIST, {"ordering": ordering}).json()["results"]
    assert [r["public_id"] for r in rows] == [
        r["public_id"] for r in expected_rows(reporter, ordering=ordering)
    ]

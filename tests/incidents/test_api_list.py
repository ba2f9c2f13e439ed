"""GET /api/v1/incidents/: the role gate, scoping, the fast path against the documented schema,
redaction, filters, ordering, cursor pagination and query counts."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.renderers import JSONRenderer

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from incidents import selectors
from incidents.api.serializers import IncidentListItemOutput, IncidentListQuery
from incidents.models import Incident, Location, PartyToConflict
from incidents.selectors import ORDERINGS, IncidentFilters
from incidents.services import PerpetratorData
from tests.factories import UserFactory
from tests.incidents.factories import UN_PERPETRATOR, incident_draft, office_today
from tests.incidents.test_api_common import (
    CANARY_PLACE,
    LIST,
    as_user,
    assert_matches_schema,
    assert_no_canary,
    canary_place,
    planted,
    with_token,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(
    make_incident: Callable[..., Incident],
    reporter: User,
    colleague: User,
    reporter_other: User,
    foreign_reporter: User,
    wpa: User,
    wpa_other: User,
    senior_wpa: User,
    outsider: User,
    masisi: Location,
    m23: PartyToConflict,
) -> dict[str, Incident]:
    """Incidents of Goma (the reporter's, with every canary, and a colleague's), Bunia, SEA, and
    another mission."""
    return {
        "planted": planted(reporter=reporter, reviewer=wpa, place=canary_place(masisi), party=m23),
        "own_draft": make_incident("draft", reporter=reporter),
        "colleague_draft": make_incident("draft", reporter=colleague),
        "colleague_closed": make_incident("closed", reporter=colleague),
        "own_sea_submitted": make_incident("submitted", reporter=reporter, perpetrators=UN_PERPETRATOR),
        "bunia_review": make_incident("under_review", reporter=reporter_other, reviewer=wpa_other),
        "foreign_submitted": make_incident("submitted", reporter=foreign_reporter, reviewer=outsider),
    }


def ids(response: Any) -> set[str]:
    return {row["public_id"] for row in response.json()["results"]}


def expected_rows(user: User, filters: IncidentFilters | None = None, ordering: str = "-created_at") -> Any:
    """What the documented serializer makes of the same rows (as JSON)."""
    user = User.objects.get(pk=user.pk)
    rows = selectors.incident_list(user=user, filters=filters, ordering=ordering).prefetch_related(
        "violations"
    )
    data = IncidentListItemOutput(rows[: selectors.PAGE_SIZE], many=True, context={"user": user}).data
    return json.loads(JSONRenderer().render(data))


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


# --- pagination ------------------------------------------------------------------------------


def _dated_drafts(reporter: User, location: Location, count: int) -> None:
    """Drafts with varied dates, and some without dates or references (NULLs in the orderings)."""
    today = office_today(reporter)
    for n in range(count):
        if n % 3 == 0:
            incident_draft(reporter, location=location, date_precision="", incident_date_start=None)
        else:
            incident_draft(reporter, location=location, incident_date_start=today - timedelta(days=n % 4))


@pytest.mark.parametrize("ordering", sorted(ORDERINGS))
def test_keyset_pages_cover_every_row_once_in_order_nulls_included(
    world: dict[str, Incident], reporter: User, sake: Location, ordering: str
) -> None:
    _dated_drafts(reporter, sake, 9)
    user = User.objects.get(pk=reporter.pk)
    everything = [str(i.public_id) for i in selectors.incident_list(user=user, ordering=ordering)]
    assert len(everything) > 10
    seen: list[Any] = []
    cursor = None
    for _page in range(20):
        page = selectors.incident_page(
            user=user, filters=IncidentFilters(), ordering=ordering, cursor=cursor, size=2
        )
        seen += [row.public_id for row in page.rows]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == everything


def test_next_link_keeps_the_filters_and_ends_with_null(
    api_client: Any, monkeypatch: pytest.MonkeyPatch, reporter: User, sake: Location
) -> None:
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    _dated_drafts(reporter, sake, 5)
    client = as_user(api_client, reporter)
    response = client.get(LIST, {"status": "draft", "ordering": "incident_date"})
    body = response.json()
    assert len(body["results"]) == 2
    assert body["next"].startswith("http://testserver/api/v1/incidents/?")
    assert "status=draft" in body["next"] and "ordering=incident_date" in body["next"]
    collected = [r["public_id"] for r in body["results"]]
    while body["next"]:
        body = client.get(body["next"]).json()
        collected += [r["public_id"] for r in body["results"]]
    assert len(collected) == len(set(collected)) == 5
    assert body["next"] is None


def test_a_cursor_for_another_ordering_or_forged_is_refused(
    api_client: Any, monkeypatch: pytest.MonkeyPatch, reporter: User, sake: Location
) -> None:
    monkeypatch.setattr(selectors, "PAGE_SIZE", 1)
    _dated_drafts(reporter, sake, 3)
    client = as_user(api_client, reporter)
    cursor = client.get(LIST).json()["next"].split("cursor=")[1]
    assert client.get(LIST, {"cursor": cursor}).status_code == 200
    response = client.get(LIST, {"cursor": cursor, "ordering": "reported_on"})
    assert response.status_code == 400
    assert list(response.json()) == ["cursor"]
    newest = '{"o": ["-created_at", "-id"], "v": %s}'
    for payload in (
        '["-created_at", "yesterday", 1]',  # the first version's cursors
        "[1, 2]",
        "{}",
        newest % '["yesterday", 1]',  # a text where a timestamp goes
        newest % "[null, 1]",  # created_at is never NULL
        newest % '[{"dt": "2026-03-01T10:00:00"}, 1]',  # naive
        newest % '[{"d": "2026-03-01"}, 1]',  # a date where a timestamp goes
        newest % '[{"dt": "2026-03-01T10:00:00+00:00"}, true]',  # not an id
        newest % '[{"dt": "2026-03-01T10:00:00+00:00"}, 1, 2]',
        '{"o": ["-reported_on", "-id"], "v": [{"d": "2026-03-01"}, 1]}',  # another ordering
        "[" * 100,  # deeper than any JSON this API reads: refused before parsing
    ):
        forged = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        response = client.get(LIST, {"cursor": forged})
        assert response.status_code == 400, payload
        assert response.json() == {"cursor": ["Invalid cursor: follow the `next` link of the previous page."]}
    valid = newest % '[{"dt": "2026-03-01T10:00:00+00:00"}, 1]'
    forged = base64.urlsafe_b64encode(valid.encode()).decode().rstrip("=")
    assert client.get(LIST, {"cursor": forged}).status_code == 200  # a position, not a grant


# --- query counts, tokens --------------------------------------------------------------------


def _queries(api_client: Any, user: User) -> int:
    client = as_user(api_client, user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(("persona", "expected"), [("wpa", 3), ("analyst", 4), ("reporter", 3)])
def test_list_queries_do_not_grow_with_rows(
    request: pytest.FixtureRequest,
    api_client: Any,
    make_incident: Callable[..., Incident],
    reporter: User,
    m23: PartyToConflict,
    persona: str,
    expected: int,
) -> None:
    user = request.getfixturevalue(persona)
    perpetrators = [PerpetratorData(category="non_state_armed_group", party=m23)]
    for _n in range(3):
        make_incident("under_review", reporter=reporter, perpetrators=perpetrators)
    few = _queries(api_client, user)
    for _n in range(17):
        make_incident("under_review", reporter=reporter, violations=("rape", "forced_marriage"))
    assert len(as_user(api_client, user).get(LIST).json()["results"]) == 20
    assert _queries(api_client, user) == few
    # The user's roles, offices (and for the analyst her missions), then the page.
    assert few == expected


def test_with_a_bearer_token_queries_do_not_grow_with_rows(
    api_client: Any, make_incident: Callable[..., Incident], reporter: User, wpa: User
) -> None:
    def count() -> tuple[int, int]:
        client = with_token(api_client, wpa)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST)
        assert response.status_code == 200
        return len(queries), len(response.json()["results"])

    make_incident("submitted", reporter=reporter)
    few, rows = count()
    assert rows == 1
    for _n in range(9):
        make_incident("submitted", reporter=reporter)
    assert count() == (few, 10)
    assert few <= 4  # the token with its user, roles, offices (one query, or three), the page

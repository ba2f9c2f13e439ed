"""GET and PATCH /api/v1/incidents/{id}/, and GET .../history/: scope (404), role (403), status
(409), input (400), redaction of restricted details (absent keys), and query counts."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from crsv.accounts.models import User
from incidents.api.serializers import DERIVED_FIELDS, WORKFLOW_FIELDS
from incidents.models import Incident, IncidentEvent, Location, PartyToConflict
from incidents.services import PerpetratorData
from tests.incidents.test_api_common import (
    CANARY_COMMANDER,
    CANARY_LATITUDE,
    CANARY_LONGITUDE,
    CANARY_NAMES,
    CANARY_NARRATIVE,
    CANARY_PLACE,
    CANARY_REASON,
    CANARY_UNIT,
    as_user,
    assert_matches_schema,
    assert_no_canary,
    canary_place,
    detail_url,
    history_url,
    planted,
)

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "Not found."}


@pytest.fixture
def incident(reporter: User, wpa: User, masisi: Location, m23: PartyToConflict) -> Incident:
    """The reporter's submitted incident, with every canary planted (see test_api_common)."""
    return planted(reporter=reporter, reviewer=wpa, place=canary_place(masisi), party=m23)


# --- GET -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["outsider", "wpa_other", "reporter_other", "provider", "admin_user", "auditor", "no_role"]
)
def test_out_of_scope_is_404_and_says_nothing(
    request: pytest.FixtureRequest, api_client: Any, incident: Incident, persona: str
) -> None:
    client = as_user(api_client, request.getfixturevalue(persona))
    for url in (detail_url(incident), history_url(incident)):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
        assert response["Cache-Control"] == "no-store"


def test_an_unknown_id_is_the_same_404(api_client: Any, wpa: User) -> None:
    response = as_user(api_client, wpa).get(detail_url(uuid.uuid4()))
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize("persona", ["reporter", "wpa", "senior_wpa"])
def test_those_who_may_see_restricted_details_get_them(
    request: pytest.FixtureRequest, api_client: Any, client: Client, incident: Incident, persona: str
) -> None:
    response = as_user(api_client, request.getfixturevalue(persona)).get(detail_url(incident))
    assert response.status_code == 200
    body = response.json()
    assert body["narrative"] == CANARY_NARRATIVE
    assert (body["latitude"], body["longitude"]) == (CANARY_LATITUDE, CANARY_LONGITUDE)
    assert body["location"]["name"] == CANARY_PLACE
    (perpetrator,) = body["perpetrators"]
    assert (perpetrator["unit"], perpetrator["commander"], perpetrator["names"]) == (
        CANARY_UNIT,
        CANARY_COMMANDER,
        CANARY_NAMES,
    )
    assert perpetrator["party"]["name"] == "M23/AFC"
    assert body["permissions"]["can_view_narrative"] is True
    assert [v["form"] for v in body["violations"]] == ["rape", "sexual_slavery"]
    assert_matches_schema(client, "IncidentDetailOutput", body)


@pytest.mark.parametrize("persona", ["analyst", "colleague"])
def test_deidentified_viewers_get_no_restricted_key_at_all(
    request: pytest.FixtureRequest, api_client: Any, client: Client, incident: Incident, persona: str
) -> None:
    """Absent, not null: the documented choice. The named party stays (MARA needs it)."""
    response = as_user(api_client, request.getfixturevalue(persona)).get(detail_url(incident))
    assert response.status_code == 200
    assert_no_canary(response.content)
    body = response.json()
    assert not {"narrative", "latitude", "longitude"} & set(body)
    assert body["location"] == {
        "public_id": str(Location.objects.get(name="Masisi").public_id),
        "pcode": "CD6106",
        "name": "Masisi",
        "admin_level": 2,
    }
    (perpetrator,) = body["perpetrators"]
    assert not {"unit", "commander", "names"} & set(perpetrator)
    assert perpetrator["party"]["name"] == "M23/AFC"
    assert perpetrator["category"] == "non_state_armed_group"
    assert body["permissions"] == {
        "can_view_narrative": False,
        "can_view_exact_location": False,
        "can_view_identification": False,
        "can_edit": False,
        "can_submit": False,
        "can_assign": False,
        "can_return": False,
        "can_verify": False,
        "can_reopen": False,
    }
    assert_matches_schema(client, "IncidentDetailOutput", body)


def test_a_reviewer_sees_what_she_may_do(api_client: Any, incident: Incident, wpa: User) -> None:
    flags = as_user(api_client, wpa).get(detail_url(incident)).json()["permissions"]
    assert flags["can_assign"] and flags["can_verify"] and flags["can_return"]
    assert not flags["can_edit"] and not flags["can_submit"] and not flags["can_reopen"]


def test_detail_queries_do_not_grow_with_children(
    api_client: Any,
    make_incident: Callable[..., Incident],
    reporter: User,
    wpa: User,
    m23: PartyToConflict,
) -> None:
    def count(incident: Incident) -> int:
        client = as_user(api_client, wpa)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(detail_url(incident)).status_code == 200
        return len(queries)

    small = make_incident("submitted", reporter=reporter, violations=("rape",), perpetrators=[])
    big = make_incident(
        "submitted",
        reporter=reporter,
        violations=("rape", "sexual_slavery", "forced_marriage", "trafficking"),
        perpetrators=[PerpetratorData(category="non_state_armed_group", party=m23) for _ in range(5)],
    )
    assert count(small) == count(big)


# --- history ---------------------------------------------------------------------------------


def test_history_shows_reasons_to_narrative_readers(
    api_client: Any, client: Client, incident: Incident, wpa: User
) -> None:
    response = as_user(api_client, wpa).get(history_url(incident))
    assert response.status_code == 200
    body = response.json()
    assert [e["action"] for e in body["results"]] == ["create", "submit", "return", "submit"]
    returned = body["results"][2]
    assert (returned["reason"], returned["actor"], returned["to_status"]) == (
        CANARY_REASON,
        wpa.display_name,
        "returned",
    )
    assert body["results"][0]["reason"] == ""  # none recorded: empty (the key is there for her)
    assert_matches_schema(client, "HistoryOutput", body)


@pytest.mark.parametrize("persona", ["analyst", "colleague"])
def test_history_hides_reasons_from_deidentified_viewers(
    request: pytest.FixtureRequest, api_client: Any, client: Client, incident: Incident, persona: str
) -> None:
    response = as_user(api_client, request.getfixturevalue(persona)).get(history_url(incident))
    assert response.status_code == 200
    assert_no_canary(response.content)
    body = response.json()
    assert len(body["results"]) == 4
    assert all("reason" not in entry for entry in body["results"])
    assert_matches_schema(client, "HistoryOutput", body)


# --- PATCH -----------------------------------------------------------------------------------


@pytest.fixture
def draft(make_incident: Callable[..., Incident], reporter: User) -> Incident:
    return make_incident("draft", reporter=reporter)


def test_the_reporter_edits_her_draft(
    api_client: Any, client: Client, draft: Incident, reporter: User
) -> None:
    response = as_user(api_client, reporter).patch(
        detail_url(draft),
        {
            "tally_girls": 2,
            "narrative": "Edited narrative.",
            "violations": [{"form": "forced_marriage"}],
            "gbvims_penetration": False,
            "gbvims_forced_marriage": True,
        },
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["tally_women"], body["tally_girls"]) == (1, 2)  # what was not sent is kept
    assert body["narrative"] == "Edited narrative."
    assert [v["form"] for v in body["violations"]] == ["forced_marriage"]
    assert body["gbvims_core_type"] == "forced_marriage"  # derived again by the service
    assert len(body["perpetrators"]) == 1  # not sent: left alone
    assert_matches_schema(client, "IncidentDetailOutput", body)
    assert IncidentEvent.objects.filter(incident=draft, action="update").count() == 1


def test_a_returned_incident_is_editable_and_must_stay_complete(
    api_client: Any, make_incident: Callable[..., Incident], reporter: User
) -> None:
    returned = make_incident("returned", reporter=reporter)
    client = as_user(api_client, reporter)
    response = client.patch(detail_url(returned), {"tally_women": 0}, format="json")
    assert response.status_code == 400
    assert "tallies" in response.json()
    response = client.patch(detail_url(returned), {"perpetrators": [], "tally_men": 1}, format="json")
    assert response.status_code == 200
    assert response.json()["perpetrators"] == []


@pytest.mark.parametrize("state", ["submitted", "under_review", "closed"])
def test_editing_outside_draft_or_returned_is_409(
    api_client: Any, make_incident: Callable[..., Incident], reporter: User, state: str
) -> None:
    incident = make_incident(state, reporter=reporter)
    response = as_user(api_client, reporter).patch(detail_url(incident), {"tally_girls": 1}, format="json")
    assert response.status_code == 409
    assert "not possible on an incident that is" in response.json()["detail"]


@pytest.mark.parametrize("persona", ["wpa", "senior_wpa", "analyst", "colleague"])
def test_someone_elses_visible_incident_is_403(
    request: pytest.FixtureRequest,
    api_client: Any,
    make_incident: Callable[..., Incident],
    reporter: User,
    persona: str,
) -> None:
    returned = make_incident("returned", reporter=reporter)
    user = request.getfixturevalue(persona)
    # Even with a body that would be refused: 403 comes first.
    response = as_user(api_client, user).patch(detail_url(returned), {"status": "closed"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Only the incident's reporter may edit it."}


@pytest.mark.parametrize("persona", ["colleague", "outsider", "provider", "wpa_other"])
def test_a_draft_is_404_to_all_but_its_reporter(
    request: pytest.FixtureRequest, api_client: Any, draft: Incident, persona: str
) -> None:
    client = as_user(api_client, request.getfixturevalue(persona))
    assert client.patch(detail_url(draft), {"tally_girls": 1}, format="json").status_code == 404
    assert client.get(detail_url(draft)).status_code == 404


@pytest.mark.parametrize("field", sorted(DERIVED_FIELDS | WORKFLOW_FIELDS))
def test_derived_and_workflow_fields_are_refused_on_patch(
    api_client: Any, draft: Incident, reporter: User, field: str
) -> None:
    before = Incident.objects.values().get(pk=draft.pk)
    response = as_user(api_client, reporter).patch(
        detail_url(draft), {field: "x", "tally_girls": 3}, format="json"
    )
    assert response.status_code == 400
    message = response.json()[field][0]
    assert ("Derived" if field in DERIVED_FIELDS else "workflow") in message
    assert Incident.objects.values().get(pk=draft.pk) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"field_office": "BUN"}, "field_office"),
        ({"public_id": str(uuid.uuid4())}, "public_id"),
        ({"narative": "typo"}, "narative"),
        ({"tally_women": -1}, "tally_women"),
        ({"source_channel": "pigeon"}, "source_channel"),
        ({"latitude": "-1.5"}, "longitude"),
        ({"incident_date_start": "2999-01-01"}, "incident_date_start"),
        ({"violations": [{"form": "rape"}, {"form": "rape"}]}, "violations"),
        ({"violations": [{"form": "rape", "id": 3}]}, "violations"),
        ({"perpetrators": [{"category": "civilians", "party": "0" * 8}]}, "perpetrators"),
        ({"location": str(uuid.uuid4())}, "location"),
    ],
)
def test_bad_input_is_400_with_field_errors(
    api_client: Any, draft: Incident, reporter: User, body: dict[str, Any], field: str
) -> None:
    response = as_user(api_client, reporter).patch(detail_url(draft), body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()


def test_a_party_is_only_for_armed_actors(
    api_client: Any, draft: Incident, reporter: User, m23: PartyToConflict
) -> None:
    response = as_user(api_client, reporter).patch(
        detail_url(draft),
        {"perpetrators": [{"category": "civilians", "party": str(m23.public_id)}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["perpetrators"] == [
        "Perpetrator 1: a party to the conflict can be named only for armed forces, police, security "
        "forces, militias or armed groups."
    ]


def test_coordinates_are_kept_for_the_reporter(api_client: Any, draft: Incident, reporter: User) -> None:
    response = as_user(api_client, reporter).patch(
        detail_url(draft), {"latitude": "-1.5", "longitude": "29.25"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["latitude"], response.json()["longitude"]) == ("-1.500000", "29.250000")
    draft.refresh_from_db()
    assert (draft.latitude, draft.longitude) == (Decimal("-1.5"), Decimal("29.25"))

"""POST /api/v1/incidents/: who may log an incident, the 201 body, refused fields, field errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from crsv.accounts.models import FieldOffice, Membership, User
from crsv.audit.models import AuditEvent
from incidents.api.serializers import DERIVED_FIELDS, WORKFLOW_FIELDS, IncidentInput
from incidents.models import Incident, IncidentEvent, Location, PartyToConflict
from incidents.services.inputs import INCIDENT_FIELD_NAMES
from tests.incidents.factories import office_today
from tests.incidents.test_api_common import LIST, as_user, assert_matches_schema

pytestmark = pytest.mark.django_db


def complete_body(reporter: User, location: Location, party: PartyToConflict | None = None) -> dict[str, Any]:
    today = office_today(reporter)
    return {
        "source_channel": "survivor",
        "date_precision": "day",
        "incident_date_start": str(today - timedelta(days=9)),
        "time_of_day": "evening_night",
        "location": str(location.public_id),
        "latitude": "-1.573600",
        "longitude": "29.043600",
        "location_type": "field",
        "displacement_stage": "during_refuge",
        "conflict_nexus": "perpetrator_affiliation",
        "context": "attack_on_locality",
        "tally_women": 2,
        "tally_girls": 1,
        "narrative": "Two women and a girl were attacked in the fields.",
        "gbvims_penetration": True,
        "violations": [{"form": "rape"}, {"form": "sexual_slavery"}],
        "perpetrators": [
            {
                "category": "non_state_armed_group",
                "count": 4,
                "sex": "male",
                "age_group": "adult",
                "party": str(party.public_id) if party else None,
                "relationship": "no_relation",
                "unit": "Sector 2",
                "commander": "Unknown",
                "names": "",
            }
        ],
    }


def test_the_input_fields_are_the_services(reporter: User) -> None:
    """The API offers exactly what a reporter may type (IncidentFields), plus the child rows:
    nothing derived, nothing of the workflow."""
    fields = set(IncidentInput().fields)
    assert fields == INCIDENT_FIELD_NAMES | IncidentInput.CHILD_FIELDS
    assert not fields & (DERIVED_FIELDS | WORKFLOW_FIELDS)


def test_a_reporter_logs_a_complete_draft(
    api_client: Any, client: Client, reporter: User, sake: Location, m23: PartyToConflict
) -> None:
    response = as_user(api_client, reporter).post(LIST, complete_body(reporter, sake, m23), format="json")
    assert response.status_code == 201, response.json()
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert_matches_schema(client, "IncidentDetailOutput", body)
    incident = Incident.objects.get(public_id=body["public_id"])
    assert (incident.status, incident.reference, incident.reported_by_id) == ("draft", None, reporter.pk)
    assert body["status"] == "draft" and body["reference"] is None
    assert body["field_office"] == "GOM" and body["mission"] == "MONUSCO"
    assert body["reported_on"] == str(office_today(reporter))  # default: today in the office
    # Derived by the service, never typed:
    assert body["reporting_delay_band"] == "6_14"
    assert body["gbvims_core_type"] == "rape"
    assert body["is_sea"] is False
    # The reporter reads back everything she typed, restricted details included.
    assert body["narrative"] == "Two women and a girl were attacked in the fields."
    assert (body["latitude"], body["longitude"]) == ("-1.573600", "29.043600")
    assert body["location"]["pcode"] == "CD610602"
    assert [v["form"] for v in body["violations"]] == ["rape", "sexual_slavery"]
    (perpetrator,) = body["perpetrators"]
    assert (perpetrator["party"]["name"], perpetrator["unit"], perpetrator["count"]) == (
        "M23/AFC",
        "Sector 2",
        4,
    )
    assert body["permissions"]["can_edit"] and body["permissions"]["can_submit"]
    assert IncidentEvent.objects.filter(incident=incident, action="create").count() == 1
    assert AuditEvent.objects.filter(action="incident.create").count() == 1


def test_an_empty_draft_is_allowed(api_client: Any, wpa: User) -> None:
    """A draft may be incomplete (a slow link, a timeout): submitting is what needs it whole."""
    response = as_user(api_client, wpa).post(LIST, {}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["violations"], body["perpetrators"], body["location"]) == ([], [], None)
    assert body["permissions"]["can_submit"] is True


@pytest.mark.parametrize("persona", ["reporter", "wpa", "senior_wpa", "outsider"])
def test_creator_roles_may_log_in_their_own_office(
    request: pytest.FixtureRequest, api_client: Any, sake: Location, persona: str
) -> None:
    user = request.getfixturevalue(persona)
    response = as_user(api_client, user).post(LIST, {"tally_women": 1}, format="json")
    assert response.status_code == 201
    assert response.json()["field_office"] == user.primary_office().code


@pytest.mark.parametrize("persona", ["analyst", "provider", "admin_user", "auditor", "no_role"])
def test_other_roles_get_403_whatever_the_body(
    request: pytest.FixtureRequest, api_client: Any, sake: Location, persona: str
) -> None:
    user = request.getfixturevalue(persona)
    response = as_user(api_client, user).post(LIST, {"status": "closed"}, format="json")
    assert response.status_code == 403
    assert Incident.objects.count() == 0


def test_the_field_office_is_one_of_hers(
    api_client: Any, reporter: User, other_office: FieldOffice, foreign_office: FieldOffice
) -> None:
    client = as_user(api_client, reporter)
    response = client.post(LIST, {"field_office": "BUN"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"field_office": ["Choose one of your field offices."]}
    Membership.objects.create(user=reporter, field_office=other_office)
    response = as_user(api_client, reporter).post(LIST, {"field_office": "BUN"}, format="json")
    assert response.status_code == 201
    assert response.json()["field_office"] == "BUN"


@pytest.mark.parametrize("field", sorted(DERIVED_FIELDS | WORKFLOW_FIELDS))
def test_derived_and_workflow_fields_are_refused_not_ignored(
    api_client: Any, reporter: User, sake: Location, field: str
) -> None:
    body = complete_body(reporter, sake) | {field: "verified"}
    response = as_user(api_client, reporter).post(LIST, body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [field]
    assert errors[field] == [
        "Derived from the other fields; it cannot be sent."
        if field in DERIVED_FIELDS
        else "Set by the workflow (POST .../transitions/); it cannot be sent."
    ]
    assert Incident.objects.count() == 0


def test_refusals_come_with_the_other_field_errors(api_client: Any, reporter: User) -> None:
    response = as_user(api_client, reporter).post(
        LIST, {"is_sea": False, "tally_women": "many", "violations": [{"form": "x"}]}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"is_sea", "tally_women", "violations"}
    assert errors["violations"] == {"0": {"form": ["Not a valid choice."]}}  # DRF 3.18: by index


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"source_channel": "rumour"}, "source_channel"),
        ({"date_precision": "week"}, "date_precision"),
        ({"incident_date_start": "not a date"}, "incident_date_start"),
        ({"incident_date_start": "2999-01-01"}, "incident_date_start"),
        ({"date_precision": "range"}, "incident_date_end"),
        ({"longitude": None}, "longitude"),
        ({"latitude": "91"}, "latitude"),
        ({"tally_boys": -2}, "tally_boys"),
        ({"location": "8e1f8a57-0d5e-4bde-8b8e-3c2a4b9f0a11"}, "location"),
        ({"violations": [{"form": "rape"}, {"form": "rape"}]}, "violations"),
        ({"violations": [{}]}, "violations"),
        ({"perpetrators": [{"count": 0, "category": "civilians"}]}, "perpetrators"),
        ({"perpetrators": [{"category": "civilians", "unit": "x" * 201}]}, "perpetrators"),
        ({"perpetrators": [{"category": "army"}]}, "perpetrators"),
        ({"reporter": "someone"}, "reporter"),
    ],
)
def test_bad_input_is_400_keyed_by_field(
    api_client: Any, reporter: User, sake: Location, change: dict[str, Any], field: str
) -> None:
    response = as_user(api_client, reporter).post(LIST, complete_body(reporter, sake) | change, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert Incident.objects.count() == 0


def test_errors_do_not_repeat_the_value_sent(api_client: Any, reporter: User) -> None:
    response = as_user(api_client, reporter).post(
        LIST, {"source_channel": "secret-Wq2", "perpetrators": [{"category": "secret-Zp5"}]}, format="json"
    )
    assert response.status_code == 400
    assert b"secret-" not in response.content


def test_not_json_is_400(api_client: Any, reporter: User) -> None:
    client = as_user(api_client, reporter)
    assert client.post(LIST, "[1, 2]", content_type="application/json").status_code == 400
    assert client.post(LIST, "{", content_type="application/json").status_code == 400
    assert client.post(LIST, "a=b", content_type="application/x-www-form-urlencoded").status_code == 415

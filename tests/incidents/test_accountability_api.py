"""/api/v1/incidents/{id}/accountability/ (GET, POST) and .../accountability/{step_id}/ (DELETE):
the same service as the page, answered as 404, 403, 409, then 400 field errors; bodies as the
schema says. Every persona and position: test_matrix_accountability.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from crsv.audit.models import AuditEvent
from incidents import clock
from incidents.models import AccountabilityStep, Incident
from incidents.services.accountability import NOTE_MAX_LENGTH, accountability_step_record
from tests.factories import UserFactory
from tests.incidents.test_api_common import as_user, assert_matches_schema, detail_url, published_schema

pytestmark = pytest.mark.django_db

NOTE = "Canary accountability note Zr8: the judge Mukendi"


@pytest.fixture
def incident(make_incident: Callable[..., Incident], reporter: User) -> Incident:
    return make_incident("submitted", reporter=reporter)


def _url(incident: Incident) -> str:
    return f"{detail_url(incident)}accountability/"


def _step_url(incident: Incident, step_id: Any) -> str:
    return f"{_url(incident)}{step_id}/"


def _body(incident: Incident, **values: Any) -> dict[str, Any]:
    assert incident.incident_date_start is not None
    body: dict[str, Any] = {
        "stage": "prosecution",
        "court": "military",
        "occurred_on": incident.incident_date_start.isoformat(),
        "note": NOTE,
    }
    return {key: value for key, value in (body | values).items() if value is not None}


def _post(api_client: Any, user: User, incident: Incident, body: dict[str, Any]) -> Any:
    return as_user(api_client, user).post(_url(incident), body, format="json")


def test_record_list_and_remove(api_client: Any, client: Client, incident: Incident, wpa: User) -> None:
    created = _post(api_client, wpa, incident, _body(incident))
    assert created.status_code == 201, created.content
    step = created.json()
    assert_matches_schema(client, "AccountabilityStepOutput", step)
    assert {k: step[k] for k in ("stage", "court", "outcome", "note", "recorded_by", "can_remove")} == {
        "stage": "prosecution",
        "court": "military",
        "outcome": "",
        "note": NOTE,
        "recorded_by": wpa.display_name,
        "can_remove": True,
    }
    assert step["court_label"] == "Military court" and step["occurred_on"] == _body(incident)["occurred_on"]
    listed = as_user(api_client, wpa).get(_url(incident))
    assert listed.status_code == 200 and listed["Cache-Control"] == "no-store"
    assert_matches_schema(client, "AccountabilityListOutput", listed.json())
    assert listed.json()["can_record"] is True
    assert [row["public_id"] for row in listed.json()["results"]] == [step["public_id"]]
    removed = as_user(api_client, wpa).delete(_step_url(incident, step["public_id"]))
    assert removed.status_code == 204 and removed["Cache-Control"] == "no-store"
    assert not AccountabilityStep.objects.exists()
    assert as_user(api_client, wpa).delete(_step_url(incident, step["public_id"])).status_code == 404
    actions = list(
        AuditEvent.objects.filter(action__startswith="incident.accountability_")
        .order_by("id")
        .values_list("action")
    )
    assert actions == [("incident.accountability_record",), ("incident.accountability_remove",)]


def test_analysts_get_the_steps_without_note_nor_recorder(
    api_client: Any, client: Client, incident: Incident, wpa: User, analyst: User
) -> None:
    accountability_step_record(
        actor=wpa,
        incident=incident,
        stage="verdict",
        court="civil",
        outcome="convicted",
        occurred_on=incident.incident_date_start,
        note=NOTE,
    )
    response = as_user(api_client, analyst).get(_url(incident))
    assert response.status_code == 200
    body = response.json()
    assert_matches_schema(client, "AccountabilityListOutput", body)
    assert body["can_record"] is False
    (row,) = body["results"]
    assert (row["stage"], row["court"], row["outcome"]) == ("verdict", "civil", "convicted")
    assert "note" not in row and "recorded_by" not in row and row["can_remove"] is False
    assert b"Canary" not in response.content and b"Mukendi" not in response.content


def test_field_errors_are_400_by_field(api_client: Any, incident: Incident, wpa: User) -> None:
    future = (clock.office_today(incident.field_office) + timedelta(days=2)).isoformat()
    cases: list[tuple[dict[str, Any], set[str]]] = [
        (_body(incident, court=None), {"court"}),
        (_body(incident, stage="arrest"), {"court"}),
        (_body(incident, stage="verdict"), {"outcome"}),
        (_body(incident, stage="sentence", outcome="acquitted"), {"outcome"}),
        (_body(incident, occurred_on=future), {"occurred_on"}),
        (_body(incident, occurred_on="1989-12-31"), {"occurred_on"}),
        (_body(incident, stage="appeal"), {"stage"}),
        (_body(incident, court="customary"), {"court"}),
        (_body(incident, note="x" * (NOTE_MAX_LENGTH + 1)), {"note"}),
        (_body(incident, occurred_on=20260101), {"occurred_on"}),  # not a JSON string
        (_body(incident, status="closed"), {"status"}),  # unknown keys are refused by name
        ({}, {"stage", "occurred_on"}),
    ]
    for body, fields in cases:
        response = _post(api_client, wpa, incident, body)
        assert response.status_code == 400, body
        assert set(response.json()) == fields, (body, response.json())
        assert b"Mukendi" not in response.content  # what was sent is not echoed
    assert not AccountabilityStep.objects.exists()
    assert _post(api_client, wpa, incident, _body(incident)).status_code == 201
    again = _post(api_client, wpa, incident, _body(incident))
    assert again.status_code == 400 and set(again.json()) == {"stage"}


def test_403_and_404_come_before_the_body(
    api_client: Any, incident: Incident, analyst: User, wpa_other: User, reporter: User
) -> None:
    for user, status in ((analyst, 403), (reporter, 403), (wpa_other, 404)):
        response = _post(api_client, user, incident, {"stage": "appeal"})
        assert response.status_code == status, user
        assert set(response.json()) == {"detail"}


def test_a_draft_is_409(api_client: Any, make_incident: Callable[..., Incident], office: FieldOffice) -> None:
    both = UserFactory(username="reporter_and_wpa", roles=[Role.REPORTER, Role.WPA], offices=[office])
    draft = make_incident("draft", reporter=both)
    response = _post(api_client, both, draft, {"stage": "appeal"})
    assert response.status_code == 409
    assert "once the incident is submitted" in response.json()["detail"]


def test_removal_rules(
    api_client: Any,
    make_incident: Callable[..., Incident],
    incident: Incident,
    wpa: User,
    senior_wpa: User,
    office: FieldOffice,
    reporter: User,
) -> None:
    def record(actor: User, on: Incident, stage: str) -> AccountabilityStep:
        return accountability_step_record(
            actor=actor, incident=on, stage=stage, occurred_on=on.incident_date_start
        )

    by_senior = record(senior_wpa, incident, "arrest")
    by_wpa = record(wpa, incident, "complaint_filed")
    elsewhere = record(wpa, make_incident("submitted", reporter=reporter), "arrest")
    second_wpa = UserFactory(username="wpa_goma_2", roles=[Role.WPA], offices=[office])
    # Reviewers of the incident who did not record the step: 403.
    assert as_user(api_client, second_wpa).delete(_step_url(incident, by_wpa.public_id)).status_code == 403
    assert as_user(api_client, wpa).delete(_step_url(incident, by_senior.public_id)).status_code == 403
    # A step named under another incident than its own is not found there.
    assert as_user(api_client, wpa).delete(_step_url(incident, elsewhere.public_id)).status_code == 404
    for step in (by_wpa, by_senior):  # a senior WPA removes any
        assert as_user(api_client, senior_wpa).delete(_step_url(incident, step.public_id)).status_code == 204
    assert list(AccountabilityStep.objects.values_list("public_id", flat=True)) == [elsewhere.public_id]


def test_the_list_reads_in_constant_queries(
    api_client: Any, incident: Incident, wpa: User, senior_wpa: User
) -> None:
    client = as_user(api_client, wpa)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_url(incident)).status_code == 200
        return len(captured)

    queries()  # the user's roles and offices, read once per user object
    accountability_step_record(
        actor=wpa, incident=incident, stage="arrest", occurred_on=incident.incident_date_start
    )
    one = queries()
    for stage in ("complaint_filed", "investigation", "reparations"):
        accountability_step_record(
            actor=senior_wpa,
            incident=incident,
            stage=stage,
            occurred_on=incident.incident_date_start,
            note=NOTE,
        )
    assert queries() == one


def test_the_schema_documents_the_operations(client: Client) -> None:
    paths = published_schema(client)["paths"]
    assert set(paths["/api/v1/incidents/{public_id}/accountability/"]) - {"parameters"} == {"get", "post"}
    assert set(paths["/api/v1/incidents/{public_id}/accountability/{step_id}/"]) - {"parameters"} == {
        "delete"
    }
    record = paths["/api/v1/incidents/{public_id}/accountability/"]["post"]
    assert {"201", "400", "401", "403", "404", "409"} <= set(record["responses"])
    schemas = published_schema(client)["components"]["schemas"]
    assert schemas["AccountabilityStepInputRequest"]["additionalProperties"] is False
    assert not {"note", "recorded_by"} & set(schemas["AccountabilityStepOutput"]["required"])

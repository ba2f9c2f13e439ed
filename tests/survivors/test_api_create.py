"""POST /api/v1/survivors/: register a case, optionally from an incident and with consents."""

from __future__ import annotations

from typing import Any

import pytest

from crsv.accounts.models import FieldOffice, User
from crsv.audit.models import AccessEvent, AuditEvent
from crsv.keys.models import DataKey
from incidents.services import incident_create
from survivors.identity import SurvivorIdentity
from survivors.models import Consent, Survivor, SurvivorIncident
from tests.survivors.test_api_common import (
    CANARY_NAME,
    CANARY_PHONE,
    GRANT_BODY,
    LIST,
    as_user,
)

pytestmark = pytest.mark.django_db

IDENTITY = {
    "name": CANARY_NAME,
    "date_of_birth": "2001-05-17",
    "phone": CANARY_PHONE,
    "address": "Quartier Himbi",
    "caregiver": "",
    "safe_contact_method": "Via the health centre",
    "safe_contact_times": "Mornings",
    "notes": "Prefers a woman interviewer.",
}
BODY: dict[str, Any] = {
    "field_office": "GOM",
    **IDENTITY,
    "sex": "female",
    "age": 24,
    "disability": "none",
    "displacement_status": "idp",
    "interview_count": 1,
    "do_not_reinterview": True,
}


def _nothing_saved() -> None:
    assert Survivor.objects.count() == 0
    # No data key left behind by the refused case (an incident and a user hold their own).
    assert not DataKey.objects.filter(incident__isnull=True, user__isnull=True).exists()
    assert Consent.objects.count() == 0
    assert SurvivorIncident.objects.count() == 0
    assert AccessEvent.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="survivor.").exists()


@pytest.mark.parametrize("persona", ["analyst", "provider", "admin_user", "auditor", "no_role"])
def test_roles_without_survivor_access_may_not_register(
    request: pytest.FixtureRequest, api_client: Any, persona: str
) -> None:
    response = as_user(api_client, request.getfixturevalue(persona)).post(LIST, BODY, format="json")
    assert response.status_code == 403
    _nothing_saved()


def test_wpa_registers_a_case_she_then_owns(api_client: Any, wpa: User) -> None:
    response = as_user(api_client, wpa).post(LIST, BODY, format="json")
    assert response.status_code == 201
    body = response.json()
    survivor = Survivor.objects.get()
    assert body["public_id"] == str(survivor.public_id)
    assert body["code"] == survivor.code
    assert body["identifying"] is True
    assert {k: body[k] for k in IDENTITY} == IDENTITY
    assert body["incidents"] == []
    assert (body["assigned_wpa"], body["field_office"], body["age_band"]) == ("wpa", "GOM", "18-25")
    assert (body["interview_count"], body["do_not_reinterview"], body["displacement_status"]) == (
        1,
        True,
        "idp",
    )
    # Stored encrypted: the canary is not in the row's bytes, and it decrypts back.
    assert CANARY_NAME.encode() not in bytes(survivor.name_ct)
    assert SurvivorIdentity.of(survivor).as_dict() == IDENTITY
    # One access event (the response reveals the case) and the audit row of the registration.
    event = AccessEvent.objects.get()
    assert (event.actor_id, event.survivor_public_id, event.kind) == (wpa.pk, survivor.public_id, "api")
    assert AuditEvent.objects.filter(action="survivor.register", object_public_id=survivor.public_id).exists()


def test_only_name_and_field_office_are_required(api_client: Any, reporter: User) -> None:
    response = as_user(api_client, reporter).post(LIST, {"field_office": "GOM", "name": "A"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["assigned_wpa"] is None  # a reporter's case waits for a WPA...
    assert body["identifying"] is True  # ...and she can read it until then
    assert (body["sex"], body["age"], body["age_band"], body["phone"]) == ("unknown", None, "unknown", "")


def test_senior_wpa_may_register_in_any_office_of_her_mission(
    api_client: Any, senior_wpa: User, other_office: FieldOffice
) -> None:
    response = as_user(api_client, senior_wpa).post(LIST, {**BODY, "field_office": "BUN"}, format="json")
    assert response.status_code == 201
    assert Survivor.objects.get().field_office == other_office


@pytest.mark.parametrize("code", ["BUN", "BGF", "NOPE"])
def test_a_wpa_registers_only_in_her_own_offices(
    api_client: Any, wpa: User, other_office: FieldOffice, foreign_office: FieldOffice, code: str
) -> None:
    response = as_user(api_client, wpa).post(LIST, {**BODY, "field_office": code}, format="json")
    assert response.status_code == 400
    assert response.json() == {"field_office": ["Choose one of your field offices."]}
    _nothing_saved()


def test_senior_wpa_may_not_register_outside_her_missions(
    api_client: Any, senior_wpa: User, foreign_office: FieldOffice
) -> None:
    response = as_user(api_client, senior_wpa).post(LIST, {**BODY, "field_office": "BGF"}, format="json")
    assert response.status_code == 400
    assert "field_office" in response.json()


def test_register_from_an_incident_she_can_see(api_client: Any, wpa: User, office: FieldOffice) -> None:
    incident = incident_create(actor=wpa, field_office=office)
    response = as_user(api_client, wpa).post(
        LIST, {**BODY, "incident": str(incident.public_id)}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["incidents"] == [{"public_id": str(incident.public_id), "reference": None}]
    assert SurvivorIncident.objects.get().incident == incident


def test_an_incident_she_cannot_see_is_a_field_error(
    api_client: Any, wpa: User, wpa_other: User, other_office: FieldOffice
) -> None:
    hidden = incident_create(actor=wpa_other, field_office=other_office)  # a draft of another office
    for public_id in (hidden.public_id, "6f1c2c55-2a43-4c55-9a43-7f1f1c2b7e01"):
        response = as_user(api_client, wpa).post(LIST, {**BODY, "incident": str(public_id)}, format="json")
        assert response.status_code == 400
        assert response.json() == {"incident": ["No incident you can see has this id."]}
    _nothing_saved()


def test_the_case_must_belong_to_the_incident_office(
    api_client: Any, senior_wpa: User, office: FieldOffice, other_office: FieldOffice
) -> None:
    incident = incident_create(actor=senior_wpa, field_office=office)
    body = {**BODY, "field_office": "BUN", "incident": str(incident.public_id)}
    response = as_user(api_client, senior_wpa).post(LIST, body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["field_office"]
    _nothing_saved()


def test_consents_given_at_intake_are_recorded_with_the_case(api_client: Any, wpa: User) -> None:
    consents = [GRANT_BODY, {**GRANT_BODY, "purpose": "referral", "service_type": "medical"}]
    response = as_user(api_client, wpa).post(LIST, {**BODY, "consents": consents}, format="json")
    assert response.status_code == 201
    survivor = Survivor.objects.get()
    assert sorted(survivor.consents.values_list("purpose", "service_type")) == [
        ("case_management", ""),
        ("referral", "medical"),
    ]
    assert set(survivor.consents.values_list("recorded_by", flat=True)) == {wpa.pk}


def test_a_consent_the_service_refuses_leaves_nothing_behind(api_client: Any, wpa: User) -> None:
    """An adult's consent given by a caregiver: refused by `consent_record`, after the case and
    the first consent were written. All of it rolls back."""
    consents = [GRANT_BODY, {**GRANT_BODY, "given_by": "caregiver", "child_assent": True}]
    response = as_user(api_client, wpa).post(LIST, {**BODY, "consents": consents}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "consents": {"1": {"given_by": ["An adult survivor gives her or his own consent."]}}
    }
    assert CANARY_NAME.encode() not in response.content
    _nothing_saved()


def test_every_refused_consent_is_reported_under_its_index(api_client: Any, wpa: User) -> None:
    caregiver = {**GRANT_BODY, "given_by": "caregiver", "child_assent": True}
    consents = [caregiver, GRANT_BODY, caregiver]
    response = as_user(api_client, wpa).post(LIST, {**BODY, "consents": consents}, format="json")
    assert response.status_code == 400
    assert sorted(response.json()["consents"]) == ["0", "2"]
    _nothing_saved()


def test_a_child_case_needs_the_caregiver_and_the_child_assent(api_client: Any, wpa: User) -> None:
    child = {**BODY, "age": 14}
    no_assent = {**GRANT_BODY, "given_by": "caregiver"}
    response = as_user(api_client, wpa).post(LIST, {**child, "consents": [no_assent]}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "consents": {"0": {"child_assent": ["The child's assent is required as well."]}}
    }
    _nothing_saved()
    with_assent = {**no_assent, "child_assent": True}
    response = as_user(api_client, wpa).post(LIST, {**child, "consents": [with_assent]}, format="json")
    assert response.status_code == 201


def test_a_consent_invalid_in_itself_is_a_field_error_before_anything_is_saved(
    api_client: Any, wpa: User
) -> None:
    bad = {**GRANT_BODY, "purpose": "referral", "consent_text_version": "9.9"}
    response = as_user(api_client, wpa).post(LIST, {**BODY, "consents": [bad]}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "consents": {
            "0": {
                "service_type": ["Choose the service the referral is for."],
                "consent_text_version": ["No consent text has this version in this language."],
            }
        }
    }
    _nothing_saved()


def test_a_reporter_may_not_record_consent_so_nothing_is_registered(api_client: Any, reporter: User) -> None:
    response = as_user(api_client, reporter).post(LIST, {**BODY, "consents": [GRANT_BODY]}, format="json")
    assert response.status_code == 403
    _nothing_saved()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"age": 121}, "age"),
        ({"age": -1}, "age"),
        ({"date_of_birth": "17/05/2001"}, "date_of_birth"),
        ({"date_of_birth": "2001-02-30"}, "date_of_birth"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"sex": "f"}, "sex"),
        ({"interview_count": -1}, "interview_count"),
        ({"incident": "not-a-uuid"}, "incident"),
        ({"consents": "all"}, "consents"),
    ],
)
def test_invalid_input_is_a_field_error(
    api_client: Any, wpa: User, change: dict[str, Any], field: str
) -> None:
    response = as_user(api_client, wpa).post(LIST, {**BODY, **change}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    _nothing_saved()


def test_name_is_required(api_client: Any, wpa: User) -> None:
    body = {k: v for k, v in BODY.items() if k != "name"}
    response = as_user(api_client, wpa).post(LIST, body, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["This field is required."]}


def test_errors_never_echo_what_was_sent(api_client: Any, wpa: User) -> None:
    """Error bodies end up in logs: a survivor value typed in the wrong field must not."""
    body = {
        **BODY,
        "sex": CANARY_NAME,
        "age_band": CANARY_NAME,
        "date_of_birth": CANARY_PHONE,
        "name": CANARY_NAME * 20,
        "consents": [{**GRANT_BODY, "explained_in": CANARY_NAME, "consent_text_language": CANARY_NAME}],
    }
    response = as_user(api_client, wpa).post(LIST, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"sex", "age_band", "date_of_birth", "name", "consents"}
    assert b"Canary" not in response.content
    assert CANARY_PHONE.encode() not in response.content


def test_a_malformed_body_is_400(api_client: Any, wpa: User) -> None:
    response = as_user(api_client, wpa).post(LIST, '{"name": ', content_type="application/json")
    assert response.status_code == 400
    _nothing_saved()

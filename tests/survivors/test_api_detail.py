"""GET and PATCH /api/v1/survivors/{public_id}/."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from crsv.accounts.models import FieldOffice, User
from crsv.audit.models import AccessEvent, AuditEvent
from incidents.services import incident_create
from survivors.api import serializers as api_serializers
from survivors.identity import SurvivorIdentity
from survivors.models import ENCRYPTED_FIELDS, Survivor
from survivors.services import survivor_assign
from tests.survivors.test_api_common import (
    CANARY_NAME,
    CANARY_PHONE,
    access_events,
    as_user,
    detail_url,
    erase,
    link,
    with_token,
)

pytestmark = pytest.mark.django_db

SUMMARY_KEYS = {
    "public_id",
    "code",
    "field_office",
    "sex",
    "age",
    "age_band",
    "disability",
    "displacement_status",
    "interview_count",
    "do_not_reinterview",
    "assigned_wpa",
    "is_erased",
    "created_at",
    "identifying",
}
FULL_KEYS = SUMMARY_KEYS | set(ENCRYPTED_FIELDS) | {"incidents"}
NOBODY = ["outsider", "wpa_other", "analyst", "provider", "admin_user", "auditor", "no_role"]


@pytest.fixture
def owned(make_survivor: Callable[..., Survivor], wpa: User) -> Survivor:
    return make_survivor(wpa, name=CANARY_NAME, phone=CANARY_PHONE, notes="Speaks Swahili.")


@pytest.fixture
def taken_from_reporter(
    make_survivor: Callable[..., Survivor], reporter: User, senior_wpa: User, wpa: User
) -> Survivor:
    survivor = make_survivor(reporter, name=CANARY_NAME)
    return survivor_assign(actor=senior_wpa, survivor=survivor, assignee=wpa)


# --- GET -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", NOBODY)
def test_get_out_of_scope_is_404(
    request: pytest.FixtureRequest, api_client: Any, owned: Survivor, persona: str
) -> None:
    response = as_user(api_client, request.getfixturevalue(persona)).get(detail_url(owned))
    assert response.status_code == 404
    assert CANARY_NAME.encode() not in response.content
    assert access_events() == 0


def test_get_reporter_after_a_wpa_took_the_case_is_404(
    api_client: Any, taken_from_reporter: Survivor, reporter: User
) -> None:
    response = as_user(api_client, reporter).get(detail_url(taken_from_reporter))
    assert response.status_code == 404
    assert access_events() == 0


def test_get_a_case_that_does_not_exist_is_404(api_client: Any, wpa: User) -> None:
    response = as_user(api_client, wpa).get(detail_url(Survivor().public_id))
    assert response.status_code == 404


def test_get_owner_sees_every_identifying_field_and_one_access_event(
    api_client: Any, owned: Survivor, wpa: User
) -> None:
    response = with_token(api_client, wpa).get(detail_url(owned))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == FULL_KEYS
    assert body["identifying"] is True
    assert {k: body[k] for k in ENCRYPTED_FIELDS} == SurvivorIdentity.of(owned).as_dict()
    assert (body["name"], body["phone"], body["notes"]) == (CANARY_NAME, CANARY_PHONE, "Speaks Swahili.")
    assert body["incidents"] == []
    event = AccessEvent.objects.get()
    assert (event.actor_id, event.survivor_public_id, event.kind) == (wpa.pk, owned.public_id, "api")


def test_get_reporter_reads_her_case_until_it_is_taken(
    api_client: Any, make_survivor: Callable[..., Survivor], reporter: User
) -> None:
    survivor = make_survivor(reporter, name=CANARY_NAME)
    body = as_user(api_client, reporter).get(detail_url(survivor)).json()
    assert body["name"] == CANARY_NAME
    assert access_events(survivor) == 1


def test_get_senior_wpa_not_assigned_sees_code_and_profile_only(
    api_client: Any, owned: Survivor, senior_wpa: User
) -> None:
    response = as_user(api_client, senior_wpa).get(detail_url(owned))
    assert response.status_code == 200
    assert CANARY_NAME.encode() not in response.content
    assert CANARY_PHONE.encode() not in response.content
    body = response.json()
    assert set(body) == SUMMARY_KEYS
    assert (body["code"], body["identifying"], body["age"]) == (owned.code, False, 24)
    assert access_events() == 0


def test_get_senior_wpa_assigned_to_herself_identifies(
    api_client: Any, make_survivor: Callable[..., Survivor], reporter: User, senior_wpa: User
) -> None:
    survivor = make_survivor(reporter, name=CANARY_NAME)
    survivor_assign(actor=senior_wpa, survivor=survivor, assignee=senior_wpa)
    body = as_user(api_client, senior_wpa).get(detail_url(survivor)).json()
    assert body["name"] == CANARY_NAME
    assert access_events(survivor) == 1


def test_get_erased_case_has_no_identifying_fields_and_no_access_event(
    api_client: Any, owned: Survivor, wpa: User
) -> None:
    erase(owned)
    response = as_user(api_client, wpa).get(detail_url(owned))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == SUMMARY_KEYS
    assert (body["is_erased"], body["identifying"]) == (True, False)
    assert access_events() == 0


def test_get_lists_the_linked_incidents_she_can_see(
    api_client: Any, owned: Survivor, wpa: User, senior_wpa: User, office: FieldOffice
) -> None:
    mine = incident_create(actor=wpa, field_office=office)
    link(owned, mine, by=wpa)
    # The senior WPA's draft, linked too: never visible to the WPA.
    hers = incident_create(actor=senior_wpa, field_office=office)
    link(owned, hers, by=senior_wpa)

    body = as_user(api_client, wpa).get(detail_url(owned)).json()
    assert body["incidents"] == [{"public_id": str(mine.public_id), "reference": None}]
    # The senior WPA (no longer assigned) does not see the links at all.
    body = as_user(api_client, senior_wpa).get(detail_url(owned)).json()
    assert "incidents" not in body


def test_get_access_event_rolls_back_if_the_response_cannot_be_built(
    api_client: Any, owned: Survivor, wpa: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Any, instance: Any) -> Any:
        raise RuntimeError("serializer failure")

    monkeypatch.setattr(api_serializers.SurvivorDetailOutput, "to_representation", broken)
    with pytest.raises(RuntimeError):
        as_user(api_client, wpa).get(detail_url(owned))
    assert access_events() == 0


# --- PATCH -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", NOBODY)
def test_patch_out_of_scope_is_404(
    request: pytest.FixtureRequest, api_client: Any, owned: Survivor, persona: str
) -> None:
    client = as_user(api_client, request.getfixturevalue(persona))
    response = client.patch(detail_url(owned), {"name": "Changed"}, format="json")
    assert response.status_code == 404
    assert SurvivorIdentity.of(owned).name == CANARY_NAME


def test_patch_reporter_after_a_wpa_took_the_case_is_404(
    api_client: Any, taken_from_reporter: Survivor, reporter: User
) -> None:
    response = as_user(api_client, reporter).patch(
        detail_url(taken_from_reporter), {"name": "Changed"}, format="json"
    )
    assert response.status_code == 404


def test_patch_senior_wpa_not_assigned_is_403_and_changes_nothing(
    api_client: Any, owned: Survivor, senior_wpa: User
) -> None:
    response = as_user(api_client, senior_wpa).patch(
        detail_url(owned), {"name": "Changed", "age": 30}, format="json"
    )
    assert response.status_code == 403
    assert CANARY_NAME.encode() not in response.content
    owned.refresh_from_db()
    assert (SurvivorIdentity.of(owned).name, owned.age) == (CANARY_NAME, 24)
    assert access_events() == 0
    assert not AuditEvent.objects.filter(action="survivor.update").exists()


def test_patch_erased_case_is_403(api_client: Any, owned: Survivor, wpa: User) -> None:
    erase(owned)
    response = as_user(api_client, wpa).patch(detail_url(owned), {"notes": "x"}, format="json")
    assert response.status_code == 403


def test_patch_merges_fields_not_sent_keep_their_value(api_client: Any, owned: Survivor, wpa: User) -> None:
    response = as_user(api_client, wpa).patch(
        detail_url(owned), {"phone": "+243 810 000 000", "age": 16, "do_not_reinterview": True}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["phone"], body["notes"]) == (
        CANARY_NAME,
        "+243 810 000 000",
        "Speaks Swahili.",
    )
    assert (body["age"], body["age_band"], body["do_not_reinterview"], body["sex"]) == (
        16,
        "12-17",
        True,
        "female",
    )
    owned.refresh_from_db()
    identity = SurvivorIdentity.of(owned)
    assert (identity.name, identity.phone, identity.notes) == (
        CANARY_NAME,
        "+243 810 000 000",
        "Speaks Swahili.",
    )
    assert (owned.age, owned.age_band, owned.sex) == (16, "12-17", "female")
    # The merge decrypts without revealing; only the response reveals, once.
    assert AccessEvent.objects.filter(survivor_public_id=owned.public_id).count() == 1
    assert AuditEvent.objects.filter(action="survivor.update", object_public_id=owned.public_id).count() == 1


def test_patch_can_clear_an_optional_field_and_the_age(api_client: Any, owned: Survivor, wpa: User) -> None:
    body = (
        as_user(api_client, wpa)
        .patch(detail_url(owned), {"phone": "", "age": None, "age_band": "41-60"}, format="json")
        .json()
    )
    assert (body["phone"], body["age"], body["age_band"]) == ("", None, "41-60")


def test_patch_reporter_edits_her_own_case_before_it_is_taken(
    api_client: Any, make_survivor: Callable[..., Survivor], reporter: User
) -> None:
    survivor = make_survivor(reporter, name="Typo Nmae")
    response = as_user(api_client, reporter).patch(detail_url(survivor), {"name": "Typo Name"}, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == "Typo Name"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"age": 200}, "age"),
        ({"sex": CANARY_NAME}, "sex"),
        ({"date_of_birth": "yesterday"}, "date_of_birth"),
    ],
)
def test_patch_invalid_is_400_with_field_errors_and_changes_nothing(
    api_client: Any, owned: Survivor, wpa: User, change: dict[str, Any], field: str
) -> None:
    response = as_user(api_client, wpa).patch(detail_url(owned), change, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert CANARY_NAME.encode() not in response.content
    assert SurvivorIdentity.of(owned).name == CANARY_NAME
    assert access_events() == 0


def test_patch_empty_body_changes_nothing_but_still_answers_with_the_case(
    api_client: Any, owned: Survivor, wpa: User
) -> None:
    response = as_user(api_client, wpa).patch(detail_url(owned), {}, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == CANARY_NAME
    assert SurvivorIdentity.of(owned).as_dict()["notes"] == "Speaks Swahili."


def test_put_and_delete_are_not_offered(api_client: Any, owned: Survivor, wpa: User) -> None:
    client = as_user(api_client, wpa)
    assert client.put(detail_url(owned), {"name": "x"}, format="json").status_code == 405
    assert client.delete(detail_url(owned)).status_code == 405
    assert Survivor.objects.filter(pk=owned.pk).exists()

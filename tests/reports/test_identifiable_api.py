"""The identifiable exports API: the same services as the pages, mapped to 201/200, 400, 403,
404 and 409; bodies hold codes and decisions, never an identifying value."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from crsv.accounts.services import api_token_issue
from referrals.models import ServiceProvider
from reports.identifiable.models import IdentifiableExport
from tests.factories import UserFactory
from tests.reports import identifiable_world as world
from tests.reports.identifiable_world import ask, case_of, legal, share

hospital, second_senior = world.hospital, world.second_senior
pytestmark = pytest.mark.django_db
ROOT = "/api/v1/reports/identifiable-exports/"


def _as(user: User) -> Any:
    from rest_framework.test import APIClient

    client = APIClient()
    raw, _token = api_token_issue(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_request_read_and_approve(
    wpa: User, senior_wpa: User, second_senior: User, hospital: ServiceProvider
) -> None:
    covered, not_covered = case_of(wpa, name="Api Covered"), case_of(wpa, name="Api Not Covered")
    share(wpa, covered, hospital)
    created = _as(wpa).post(
        ROOT,
        {
            "recipient": "provider",
            "provider": str(hospital.public_id),
            "survivor_codes": [covered.code, not_covered.code],
            "reason": world.REASON,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["state"] == "requested" and body["provider"]["name"] == "HEAL Africa"
    assert body["cases_included"] == 1 and body["cases_excluded"] == 1
    assert {(c["survivor_code"], c["included"], c["excluded_because"]) for c in body["cases"]} == {
        (covered.code, True, ""),
        (not_covered.code, False, "no_consent"),
    }
    assert body["reason"] == world.REASON
    assert body["permissions"] == {"approve": False, "refuse": False, "download": False}
    assert "Api" not in created.content.decode()
    assert created["Cache-Control"] == "no-store"
    public_id = body["public_id"]

    seen = _as(senior_wpa).get(f"{ROOT}{public_id}/").json()
    assert seen["permissions"] == {"approve": True, "refuse": True, "download": False}
    approved = _as(senior_wpa).post(f"{ROOT}{public_id}/approve/", format="json")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    late = _as(second_senior).post(f"{ROOT}{public_id}/approve/", format="json")
    assert late.status_code == 409
    assert late.json() == {"detail": "This export was already approved."}
    assert (
        _as(second_senior).post(f"{ROOT}{public_id}/refuse/", {"reason": "No."}, format="json").status_code
        == 409
    )
    mine = _as(wpa).get(f"{ROOT}{public_id}/").json()
    assert mine["permissions"]["download"] is True and mine["expires_at"] is not None


def test_a_legal_use_names_no_provider(wpa: User, hospital: ServiceProvider) -> None:
    case = case_of(wpa)
    legal(wpa, case)
    client = _as(wpa)
    body = {"recipient": "legal", "survivor_codes": [case.code], "reason": world.REASON}
    refused = client.post(ROOT, {**body, "provider": str(hospital.public_id)}, format="json")
    assert refused.status_code == 400 and set(refused.json()) == {"provider"}
    created = client.post(ROOT, body, format="json")
    assert created.status_code == 201 and created.json()["provider"] is None


def test_bad_input_is_named(wpa: User, hospital: ServiceProvider) -> None:
    client = _as(wpa)
    response = client.post(
        ROOT,
        {
            "recipient": "provider",
            "provider": "8a0b2f4e-3c1d-4e5f-9a6b-7c8d9e0f1a2b",
            "survivor_codes": ["not-a-code"],
            "reason": "",
            "name": "x",
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"survivor_codes", "reason", "name"}
    case = case_of(wpa)
    share(wpa, case, hospital)
    unknown = client.post(
        ROOT,
        {
            "recipient": "provider",
            "provider": "8a0b2f4e-3c1d-4e5f-9a6b-7c8d9e0f1a2b",
            "survivor_codes": [case.code],
            "reason": world.REASON,
        },
        format="json",
    )
    assert unknown.status_code == 400 and set(unknown.json()) == {"provider"}


def test_self_approval_and_roles(
    senior_wpa: User,
    second_senior: User,
    analyst: User,
    hospital: ServiceProvider,
    foreign_office: FieldOffice,
) -> None:
    case = case_of(senior_wpa)
    share(senior_wpa, case, hospital)
    export = ask(senior_wpa, [case], hospital)
    url = f"{ROOT}{export.public_id}/"
    own = _as(senior_wpa).post(f"{url}approve/", format="json")
    assert own.status_code == 403
    assert own.json() == {"detail": "Another senior WPA must decide on your own request."}
    assert _as(analyst).get(ROOT).status_code == 403
    assert _as(analyst).get(url).status_code == 404
    bangui = UserFactory(username="senior_bangui", roles=[Role.SENIOR_WPA], offices=[foreign_office])
    assert _as(bangui).get(url).status_code == 404
    assert _as(bangui).post(f"{url}approve/", format="json").status_code == 404
    assert _as(bangui).get(ROOT).json()["results"] == []
    refused = _as(second_senior).post(f"{url}refuse/", {"reason": ""}, format="json")
    assert refused.status_code == 400 and set(refused.json()) == {"reason"}
    done = _as(second_senior).post(
        f"{url}refuse/", {"reason": "Ask again with the court's order."}, format="json"
    )
    assert done.status_code == 200
    assert done.json()["refusal_reason"] == "Ask again with the court's order."
    assert IdentifiableExport.objects.get(pk=export.pk).state == IdentifiableExport.State.REFUSED


def test_the_list_pages_with_a_constant_number_of_queries(
    wpa: User, senior_wpa: User, hospital: ServiceProvider
) -> None:
    client = _as(senior_wpa)
    ask(wpa, [_shared(wpa, hospital)], hospital)
    client.get(ROOT)
    with CaptureQueriesContext(connection) as few:
        first = client.get(ROOT).json()
    for _ in range(4):
        ask(wpa, [_shared(wpa, hospital)], hospital)
    with CaptureQueriesContext(connection) as many:
        listed = client.get(ROOT).json()
    assert len(first["results"]) == 1 and len(listed["results"]) == 5
    assert len(many) == len(few)
    assert listed["results"][0]["cases_included"] == 1
    assert listed["next"] is None


def _shared(owner: User, provider: ServiceProvider) -> Any:
    case = case_of(owner)
    share(owner, case, provider)
    return case

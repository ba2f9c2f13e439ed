"""GET /api/v1/providers/ and /api/v1/providers/{id}/: the service directory, its filters, its
role gate, and the list's query count."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crsv.accounts.models import FieldOffice, User
from incidents.models import Location
from referrals.models import ServiceProvider
from tests.referrals.conftest import provider_make
from tests.referrals.test_api_common import PROVIDERS, as_user, masisi, nord_kivu, provider_url, sake

pytestmark = pytest.mark.django_db
__all__ = ["masisi", "nord_kivu", "sake"]


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["name"] for row in response.json()["results"]]


def test_wpa_browses_and_filters(
    api_client: Any,
    wpa: User,
    hospital: ServiceProvider,
    clinic: ServiceProvider,
    other_office: FieldOffice,
    masisi: Location,
    sake: Location,
) -> None:
    clinic.service_types = ["legal_aid"]
    clinic.child_friendly = True
    clinic.save()
    hospital.locations.set([masisi])
    client = as_user(api_client, wpa)
    assert names(client.get(PROVIDERS)) == ["Clinique Ngangi", "HEAL Africa"]
    assert names(client.get(PROVIDERS, {"service_type": "medical"})) == ["HEAL Africa"]
    assert names(client.get(PROVIDERS, {"office": "BUN"})) == ["HEAL Africa"]
    assert names(client.get(PROVIDERS, {"location": str(sake.public_id)})) == [
        "HEAL Africa"
    ]  # Masisi covers it
    assert names(client.get(PROVIDERS, {"pep_available": "true"})) == ["HEAL Africa"]
    assert names(client.get(PROVIDERS, {"child_friendly": "true", "office": "GOM"})) == ["Clinique Ngangi"]
    row = client.get(PROVIDERS, {"service_type": "medical"}).json()["results"][0]
    assert row["public_id"] == str(hospital.public_id) and row["pep_available"] is True


@pytest.mark.parametrize(
    "query",
    [
        {"colour": "red"},
        {"office": "XXX"},
        {"location": "not-a-uuid"},
        {"service_type": "magic"},
        {"cursor": "x"},
    ],
)
def test_bad_parameters_are_400(
    api_client: Any, wpa: User, hospital: ServiceProvider, query: dict[str, str]
) -> None:
    response = as_user(api_client, wpa).get(PROVIDERS, query)
    assert response.status_code == 400
    assert set(response.json()) == set(query)


def test_inactive_providers_are_for_admins(
    api_client: Any, wpa: User, admin_user: User, hospital: ServiceProvider, clinic: ServiceProvider
) -> None:
    ServiceProvider.objects.filter(pk=clinic.pk).update(active=False)
    assert names(as_user(api_client, wpa).get(PROVIDERS, {"include_inactive": "true"})) == ["HEAL Africa"]
    assert as_user(api_client, wpa).get(provider_url(clinic)).status_code == 404
    admin = as_user(api_client, admin_user)
    assert names(admin.get(PROVIDERS, {"include_inactive": "true"})) == ["Clinique Ngangi", "HEAL Africa"]
    assert admin.get(provider_url(clinic)).json()["active"] is False


def test_detail(api_client: Any, senior_wpa: User, hospital: ServiceProvider, masisi: Location) -> None:
    hospital.locations.set([masisi])
    body = as_user(api_client, senior_wpa).get(provider_url(hospital)).json()
    assert body["name"] == "HEAL Africa" and body["locations"][0]["pcode"] == masisi.pcode
    unknown = as_user(api_client, senior_wpa).get(f"{PROVIDERS}8a0b2f4e-3c1d-4e5f-9a6b-7c8d9e0f1a2b/")
    assert unknown.status_code == 404


@pytest.mark.parametrize("persona", ["provider", "analyst", "auditor", "reporter", "no_role"])
def test_roles_without_the_directory_get_403(
    api_client: Any, request: pytest.FixtureRequest, hospital: ServiceProvider, persona: str
) -> None:
    client = as_user(api_client, request.getfixturevalue(persona))
    assert client.get(PROVIDERS).status_code == 403
    assert client.get(provider_url(hospital)).status_code == 403


def _queries(api_client: Any, user: User) -> int:
    client = as_user(api_client, user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PROVIDERS).status_code == 200
    return len(queries)


def test_list_query_count_is_constant_in_rows(
    api_client: Any, wpa: User, office: FieldOffice, other_office: FieldOffice, hospital: ServiceProvider
) -> None:
    few = _queries(api_client, wpa)
    for n in range(6):
        provider_make(f"Provider {n}", [office, other_office])
    assert _queries(api_client, wpa) == few

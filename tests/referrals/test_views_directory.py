"""The service directory pages (issue 10 items 1 and 6): filters by service type, office
served, location and flags; one provider's page; who may browse."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from crsv.accounts.models import FieldOffice, User
from referrals.models import ServiceProvider
from tests.incidents.factories import LocationFactory
from tests.referrals.conftest import provider_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(office: FieldOffice, other_office: FieldOffice) -> dict[str, ServiceProvider]:
    return {
        "heal": provider_make("Panzi", [office, other_office], pep_available=True),
        "legal": provider_make("Haki Sasa", [office], service_types=["legal_aid"]),
        "kids": provider_make("Furaha", [other_office], service_types=["psychosocial"], child_friendly=True),
        "closed": provider_make("Closed clinic", [office], active=False),
    }


def names(client: Client, query: str = "") -> list[str]:
    return [p.name for p, _services in client.get(f"/referrals/providers/?{query}").context["providers"]]


def test_wpa_browses_and_filters(
    login: Callable[[User], Client],
    wpa: User,
    directory: dict[str, ServiceProvider],
    other_office: FieldOffice,
) -> None:
    client = login(wpa)
    assert names(client) == ["Furaha", "Haki Sasa", "Panzi"]  # never the inactive one
    assert names(client, "service_type=legal_aid") == ["Haki Sasa"]
    assert names(client, f"office={other_office.code}") == ["Furaha", "Panzi"]
    assert names(client, "pep_available=on") == ["Panzi"]
    assert names(client, "child_friendly=on&service_type=psychosocial") == ["Furaha"]
    html = client.get("/referrals/providers/").content.decode()
    assert "PEP" in html and "Child-friendly" in html and "Legal aid" in html


def test_location_filter_by_pcode(
    login: Callable[[User], Client], wpa: User, directory: dict[str, ServiceProvider]
) -> None:
    place = LocationFactory()
    directory["legal"].locations.add(place)
    client = login(wpa)
    assert names(client, f"location={place.pcode}") == ["Haki Sasa"]
    unknown = client.get("/referrals/providers/?location=ZZ9999")
    assert unknown.status_code == 200
    assert unknown.context["form"].errors["location"] == ["No location has this p-code."]


def test_provider_page(
    login: Callable[[User], Client], wpa: User, admin_user: User, directory: dict[str, ServiceProvider]
) -> None:
    heal = directory["heal"]
    response = login(wpa).get(f"/referrals/providers/{heal.public_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Panzi" in html and "Goma" in html and "Bunia" in html and "PEP" in html
    closed = f"/referrals/providers/{directory['closed'].public_id}/"
    assert login(wpa).get(closed).status_code == 404
    assert login(admin_user).get(closed).status_code == 200  # admins manage the inactive too


def test_who_may_browse(
    login: Callable[[User], Client],
    senior_wpa: User,
    admin_user: User,
    provider: User,
    analyst: User,
    reporter: User,
    auditor: User,
    directory: dict[str, ServiceProvider],
) -> None:
    for user in (senior_wpa, admin_user):
        assert login(user).get("/referrals/providers/").status_code == 200
    for user in (provider, analyst, reporter, auditor):
        client = login(user)
        assert client.get("/referrals/providers/").status_code == 403
        assert client.get(f"/referrals/providers/{directory['heal'].public_id}/").status_code == 403

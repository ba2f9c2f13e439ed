"""The admins' pages of the service directory (issue 12 item 1): add and change an organisation
and say who works for it, in the app's own pages, through `referrals.services.directory` (the
Django admin site calls the same services: tests/referrals/test_admin.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.test import Client

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from crsv.audit.models import AuditEvent
from incidents.models import Location
from referrals.models import ProviderMembership, ServiceProvider
from referrals.services.directory import provider_member_add, provider_save
from tests.factories import UserFactory
from tests.referrals.conftest import provider_make

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]
NEW = "/referrals/providers/new/"


def _form(offices: list[FieldOffice], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Hôpital Tumaini",
        "service_types": ["medical", "psychosocial"],
        "field_offices": [str(office.pk) for office in offices],
        "locations": "",
        "contact_email": "urgences@tumaini.example.org",
        "hours": "24/7",
        "languages": ["fr", "sw"],
        "pep_available": "on",
        "active": "on",
    }
    data.update(overrides)
    return data


def test_admin_adds_an_organisation(
    login: Login, admin_user: User, office: FieldOffice, other_office: FieldOffice
) -> None:
    north_kivu = Location.objects.create(pcode="CD61", name="Nord-Kivu", admin_level=1)
    client = login(admin_user)
    assert "Add an organisation" in client.get("/referrals/providers/").content.decode()

    response = client.post(NEW, _form([office, other_office], locations="cd61"))

    provider = ServiceProvider.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/referrals/providers/{provider.public_id}/"
    )
    assert provider.name == "Hôpital Tumaini" and provider.pep_available and provider.active
    assert set(provider.field_offices.values_list("code", flat=True)) == {"GOM", "BUN"}
    assert list(provider.locations.all()) == [north_kivu]
    event = AuditEvent.objects.get(action="serviceprovider.add")
    assert event.actor == admin_user and event.object_public_id == provider.public_id
    assert event.changes["field_offices"] == {"before": None, "after": ["MONUSCO-BUN", "MONUSCO-GOM"]}
    assert event.changes["locations"] == {"before": None, "after": ["CD61"]}


def test_refusals_are_shown_beside_their_fields_with_the_input_kept(
    login: Login, admin_user: User, office: FieldOffice
) -> None:
    provider_make("Panzi", [office])
    client = login(admin_user)

    response = client.post(
        NEW, _form([], name="PANZI", service_types=[], locations="CD61 ZZ99", hours="Lundi-vendredi")
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["locations"] == ["No location has these p-codes: CD61, ZZ99."]
    html = response.content.decode()
    assert 'value="Lundi-vendredi"' in html and "CD61 ZZ99" in html
    # The service's rules come once the form parses: name taken, no service, no office.
    response = client.post(NEW, _form([], name="PANZI", service_types=[]))
    errors = response.context["form"].errors
    assert errors["name"] == ["Another organisation already has this name."]
    assert errors["service_types"] == ["Choose at least one service type."]
    assert errors["field_offices"] == ["Choose at least one field office the organisation serves."]
    assert ServiceProvider.objects.count() == 1
    assert not AuditEvent.objects.filter(action__startswith="serviceprovider").exists()


def test_an_office_of_another_mission_is_refused(
    login: Login, admin_user: User, office: FieldOffice, foreign_office: FieldOffice
) -> None:
    # Not offered by the page, and refused by the service when posted anyway.
    response = login(admin_user).post(NEW, _form([office, foreign_office]))
    assert response.status_code == 200 and "field_offices" in response.context["form"].errors
    with pytest.raises(ValidationError) as refused:
        provider_save(
            actor=admin_user,
            provider=None,
            values={"name": "X", "service_types": ["medical"]},
            offices=[foreign_office],
            locations=[],
        )
    assert refused.value.message_dict == {"field_offices": ["Choose field offices of your own missions."]}
    assert not ServiceProvider.objects.exists()


def test_admin_changes_and_deactivates_an_organisation(
    login: Login, admin_user: User, wpa: User, office: FieldOffice
) -> None:
    provider = provider_make("Panzi", [office], hours="8-16")
    client = login(admin_user)
    edit = f"/referrals/providers/{provider.public_id}/edit/"
    page = client.get(edit).content.decode()
    assert 'value="Panzi"' in page and 'value="8-16"' in page

    data = _form([office], name="Panzi", hours="24/7", service_types=["medical", "psychosocial"])
    del data["active"], data["pep_available"], data["languages"], data["contact_email"]
    assert client.post(edit, data).status_code == 302

    provider.refresh_from_db()
    assert provider.hours == "24/7" and not provider.active
    event = AuditEvent.objects.get(action="serviceprovider.change")
    assert event.changes == {
        "hours": {"before": "8-16", "after": "24/7"},
        "active": {"before": True, "after": False},
    }
    # Still in the admins' directory with the "inactive too" filter; gone from the WPAs'.
    assert "Panzi" not in [p.name for p, _s in client.get("/referrals/providers/").context["providers"]]
    listed = client.get("/referrals/providers/?inactive=on").context["providers"]
    assert [p.name for p, _s in listed] == ["Panzi"]
    client = login(wpa)  # the same test client, now hers
    assert client.get(f"/referrals/providers/{provider.public_id}/").status_code == 404
    assert client.get("/referrals/providers/?inactive=on").context["providers"] == []


def test_who_works_for_an_organisation(login: Login, admin_user: User, office: FieldOffice) -> None:
    provider = provider_make("Panzi", [office])
    other = provider_make("Heal", [office])
    nurse = UserFactory(username="nurse", roles=[Role.PROVIDER], offices=[office])
    wpa_x = UserFactory(username="wpa_x", roles=[Role.WPA], offices=[office])
    ProviderMembership.objects.create(user=nurse, provider=other)
    client = login(admin_user)
    members = f"/referrals/providers/{provider.public_id}/members/"
    page = client.get(f"/referrals/providers/{provider.public_id}/")
    assert [u.username for u in page.context["member_form"].fields["user"].by_key.values()] == ["nurse"]

    assert client.post(members, {"user": str(wpa_x.public_id)}).status_code == 302  # not offered
    assert not ProviderMembership.objects.filter(user=wpa_x).exists()
    client.post(members, {"user": str(nurse.public_id)})
    assert ProviderMembership.objects.get(user=nurse).provider == provider  # moved, one organisation
    moved = AuditEvent.objects.get(action="providermembership.change")
    assert moved.changes == {"organisation": {"before": "Heal", "after": "Panzi"}}

    client.post(members, {"remove": str(nurse.public_id)})
    assert not ProviderMembership.objects.filter(user=nurse).exists()
    removed = AuditEvent.objects.get(action="providermembership.delete")
    assert removed.object_public_id == nurse.public_id
    shown = client.post(members, {"remove": "not-a-uuid"}, follow=True).content.decode()
    assert "This user does not work for this organisation." in shown
    with pytest.raises(ValidationError):
        provider_member_add(actor=admin_user, provider=provider, user=wpa_x)


@pytest.mark.parametrize("persona", ["wpa", "senior_wpa", "provider", "analyst", "reporter", "auditor"])
def test_only_admins_manage_the_directory(
    login: Login, request: Any, persona: str, office: FieldOffice
) -> None:
    provider = provider_make("Panzi", [office])
    client = login(request.getfixturevalue(persona))
    for url in (NEW, f"/referrals/providers/{provider.public_id}/edit/"):
        assert client.get(url).status_code in (403, 404), url
        assert client.post(url, _form([office], name="Hijack")).status_code in (403, 404), url
    nurse = UserFactory(username="nurse", roles=[Role.PROVIDER], offices=[office])
    members = f"/referrals/providers/{provider.public_id}/members/"
    assert client.post(members, {"user": str(nurse.public_id)}).status_code in (403, 404)
    assert ServiceProvider.objects.get(pk=provider.pk).name == "Panzi"
    assert not ProviderMembership.objects.filter(user=nurse).exists()
    with pytest.raises(PermissionDenied):
        provider_save(
            actor=request.getfixturevalue(persona),
            provider=provider,
            values={},
            offices=[office],
            locations=[],
        )


def test_another_missions_admin_cannot_manage_it(
    login: Login, office: FieldOffice, foreign_office: FieldOffice
) -> None:
    provider = provider_make("Panzi", [office])
    stranger = UserFactory(username="admin_b", roles=[Role.ADMIN], offices=[foreign_office])
    client = login(stranger)
    assert client.get(f"/referrals/providers/{provider.public_id}/edit/").status_code == 404
    assert (
        client.post(f"/referrals/providers/{provider.public_id}/members/", {"remove": "x"}).status_code == 404
    )
    assert "member_form" not in client.get(f"/referrals/providers/{provider.public_id}/").context


@pytest.mark.django_db(transaction=True)
def test_the_same_name_created_twice_at_once_saves_one(admin_user: User, office: FieldOffice) -> None:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def create() -> None:
        try:
            barrier.wait()
            provider_save(
                actor=admin_user,
                provider=None,
                values={"name": "Twin clinic", "service_types": ["medical"]},
                offices=[office],
                locations=[],
            )
            outcomes.append("saved")
        except ValidationError as error:
            outcomes.append(error.message_dict["name"][0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["Another organisation already has this name.", "saved"]
    assert ServiceProvider.objects.filter(name="Twin clinic").count() == 1

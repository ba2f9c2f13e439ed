"""The service directory in the admin site (issue 10 item 1): managed by the admin role only,
audited, and showing nothing of the referrals (admins never see survivor data)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from crsv.audit.models import AuditEvent
from incidents.models import Location
from referrals.models import ProviderMembership, Referral, ServiceProvider
from referrals.services import referral_create
from survivors.models import Consent, Survivor
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]
ADD_URL = "admin:referrals_serviceprovider_add"
CHANGELIST = "admin:referrals_serviceprovider_changelist"
MEMBERSHIPS = "admin:referrals_providermembership_changelist"


def _provider_form(offices: list[FieldOffice], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Hôpital Tumaini",
        "service_types": ["medical", "psychosocial"],
        "field_offices": [office.pk for office in offices],
        "contact_email": "urgences@tumaini.example.org",
        "hours": "24/7",
        "languages": ["fr", "sw"],
        "pep_available": "on",
        "child_friendly": "on",
        "active": "on",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def test_admin_adds_a_provider_with_its_offices(
    login: Login, admin_user: User, office: FieldOffice, other_office: FieldOffice
) -> None:
    north_kivu = Location.objects.create(pcode="CD61", name="Nord-Kivu", admin_level=1)
    goma = Location.objects.create(pcode="CD6103", name="Goma", admin_level=2, parent=north_kivu)
    client = login(admin_user)
    assert client.get(reverse(ADD_URL)).status_code == 200

    response = client.post(reverse(ADD_URL), _provider_form([office, other_office], locations=[goma.pk]))

    assert response.status_code == 302, response.context["adminform"].form.errors
    provider = ServiceProvider.objects.get(name="Hôpital Tumaini")
    assert set(provider.field_offices.values_list("code", flat=True)) == {"GOM", "BUN"}
    assert list(provider.locations.all()) == [goma]
    assert provider.service_types == ["medical", "psychosocial"]
    assert provider.languages == ["fr", "sw"]
    assert provider.pep_available and provider.child_friendly and provider.active
    assert not provider.serves_male_survivors
    event = AuditEvent.objects.get(action="serviceprovider.add")
    assert event.actor == admin_user and event.object_public_id == provider.public_id


def test_a_provider_needs_a_service_type_and_an_office(login: Login, admin_user: User) -> None:
    response = login(admin_user).post(reverse(ADD_URL), _provider_form([], service_types=[]))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"service_types", "field_offices"} <= set(errors)
    assert not ServiceProvider.objects.exists()


def test_the_list_filters_and_searches(login: Login, admin_user: User, office: FieldOffice) -> None:
    for name, types in (("Clinique Alpha", ["medical"]), ("Aide juridique Beta", ["legal_aid"])):
        ServiceProvider.objects.create(name=name, service_types=types).field_offices.set([office])
    client = login(admin_user)

    by_type = client.get(reverse(CHANGELIST), {"service_type": "legal_aid"})
    by_search = client.get(reverse(CHANGELIST), {"q": "alpha"})

    assert [p.name for p in by_type.context["cl"].result_list] == ["Aide juridique Beta"]
    assert [p.name for p in by_search.context["cl"].result_list] == ["Clinique Alpha"]


def test_admin_assigns_a_provider_user_to_an_organisation(
    login: Login, admin_user: User, office: FieldOffice
) -> None:
    clinic = ServiceProvider.objects.create(name="Clinique Alpha", service_types=["medical"])
    client = login(admin_user)
    add = reverse("admin:referrals_providermembership_add")
    wpa = UserFactory(username="wpa_x", roles=[Role.WPA], offices=[office])
    provider = UserFactory(username="nurse", roles=[Role.PROVIDER], offices=[office])

    refused = client.post(add, {"user": wpa.pk, "provider": clinic.pk, "_save": "Save"})
    accepted = client.post(add, {"user": provider.pk, "provider": clinic.pk, "_save": "Save"})

    assert refused.status_code == 200 and "user" in refused.context["adminform"].form.errors
    assert accepted.status_code == 302
    assert ProviderMembership.objects.get().user == provider
    event = AuditEvent.objects.get(action="providermembership.add")
    assert event.object_public_id == provider.public_id
    assert event.changes == {"organisation": {"before": None, "after": "Clinique Alpha"}}


@pytest.mark.parametrize("persona", ["wpa", "senior_wpa", "provider", "analyst", "reporter"])
def test_other_roles_are_sent_to_the_sign_in(login: Login, request: Any, persona: str) -> None:
    client = login(request.getfixturevalue(persona))
    for url in (reverse(CHANGELIST), reverse(ADD_URL), reverse(MEMBERSHIPS)):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_the_auditor_and_a_staff_flag_get_403(login: Login, auditor: User, wpa: User) -> None:
    wpa.is_staff = True  # a staff flag set by hand does not open the directory
    wpa.save()
    for user in (auditor, wpa):
        client = login(user)
        for url in (reverse(CHANGELIST), reverse(ADD_URL), reverse(MEMBERSHIPS)):
            assert client.get(url).status_code == 403, (user.username, url)
        index = client.get(reverse("admin:index")).content.decode()
        assert "/admin/referrals/" not in index


def test_the_admin_pages_show_no_referral(
    login: Login,
    admin_user: User,
    wpa: User,
    office: FieldOffice,
    make_survivor: Callable[..., Survivor],
    consent: Callable[..., Consent],
) -> None:
    hospital = ServiceProvider.objects.create(name="Hôpital Tumaini", service_types=["medical"])
    hospital.field_offices.set([office])
    survivor = make_survivor(wpa, name="Esperance Kavira")
    consent(survivor, service_type="medical")
    referral = referral_create(
        actor=wpa,
        survivor=survivor,
        provider=hospital,
        service_type="medical",
        urgency=Referral.Urgency.EMERGENCY,
        note="Seen at intake.",
        send=True,
    )
    client = login(admin_user)

    for name in ("referral", "referralevent"):
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:referrals_{name}_changelist")
    pages = [
        client.get(reverse("admin:index")),
        client.get(reverse("admin:app_list", args=["referrals"])),
        client.get(reverse(CHANGELIST)),
        client.get(reverse("admin:referrals_serviceprovider_change", args=[hospital.pk])),
    ]
    assert [page.status_code for page in pages] == [200, 200, 200, 200]
    text = "".join(page.content.decode() for page in pages)
    assert "Service providers" in text and "Hôpital Tumaini" in text
    for secret in (
        referral.reference,
        survivor.code,
        "Esperance",
        "Seen at intake",
        "/admin/referrals/referral",
    ):
        assert secret not in text
    assert client.get(f"/admin/referrals/referral/{referral.pk}/change/").status_code == 404

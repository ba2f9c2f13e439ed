"""Survivor case pages: the permission matrix, access events, and forms that keep input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from crsv.accounts.models import User
from crsv.audit.models import AccessEvent
from survivors.models import Consent, ConsentText, Survivor
from survivors.services import consent_record

pytestmark = pytest.mark.django_db
NAME = "Canary-Name-Esperance"


@pytest.fixture
def owned(make_survivor: Callable[..., Survivor], wpa: User) -> Survivor:
    return make_survivor(wpa, name=NAME)


def _urls(survivor: Survivor, consent: Consent | None = None) -> dict[str, tuple[str, str]]:
    pid = survivor.public_id
    urls = {
        "detail": ("get", reverse("survivors:detail", args=[pid])),
        "edit": ("get", reverse("survivors:edit", args=[pid])),
        "assign": ("post", reverse("survivors:assign", args=[pid])),
        "consent_create": ("get", reverse("survivors:consent_create", args=[pid])),
    }
    if consent is not None:
        urls["consent_withdraw"] = (
            "post",
            reverse("survivors:consent_withdraw", args=[pid, consent.public_id]),
        )
    return urls


@pytest.fixture
def grant(owned: Survivor, wpa: User, consent_text: ConsentText) -> Consent:
    return consent_record(
        actor=wpa,
        survivor=owned,
        purpose="case_management",
        given_by="survivor",
        method="written",
        explained_in="sw",
        consent_text=consent_text,
    )


def test_anonymous_is_sent_to_login(client: Client, owned: Survivor, grant: Consent) -> None:
    for method, url in [
        *_urls(owned, grant).values(),
        ("get", reverse("survivors:list")),
        ("get", reverse("survivors:create")),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "persona", ["outsider", "wpa_other", "reporter", "analyst", "provider", "admin_user", "auditor"]
)
def test_out_of_scope_is_404(
    login: Callable[[User], Client],
    request: pytest.FixtureRequest,
    owned: Survivor,
    grant: Consent,
    persona: str,
) -> None:
    client = login(request.getfixturevalue(persona))
    for name, (method, url) in _urls(owned, grant).items():
        assert getattr(client, method)(url).status_code == 404, name
    assert NAME not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("persona", ["analyst", "provider", "admin_user", "auditor", "no_role"])
def test_list_and_create_are_403_without_a_case_role(
    login: Callable[[User], Client], request: pytest.FixtureRequest, persona: str
) -> None:
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("survivors:list")).status_code == 403
    assert client.get(reverse("survivors:create")).status_code == 403


def test_senior_wpa_sees_profile_but_may_not_edit(
    login: Callable[[User], Client], senior_wpa: User, owned: Survivor, grant: Consent
) -> None:
    client = login(senior_wpa)
    detail = client.get(reverse("survivors:detail", args=[owned.public_id]))
    assert detail.status_code == 200
    body = detail.content.decode()
    assert owned.code in body
    assert NAME not in body
    assert "Restricted" in body
    assert client.get(reverse("survivors:edit", args=[owned.public_id])).status_code == 403
    assert client.get(reverse("survivors:consent_create", args=[owned.public_id])).status_code == 403
    withdraw = reverse("survivors:consent_withdraw", args=[owned.public_id, grant.public_id])
    assert client.post(withdraw).status_code == 403
    assert not AccessEvent.objects.filter(actor=senior_wpa).exists()
    list_body = client.get(reverse("survivors:list")).content.decode()
    assert owned.code in list_body and NAME not in list_body


def test_wpa_may_not_assign(login: Callable[[User], Client], wpa: User, owned: Survivor) -> None:
    assert (
        login(wpa).post(reverse("survivors:assign", args=[owned.public_id]), {"assignee": wpa.pk}).status_code
        == 403
    )


def test_senior_wpa_assigns(
    login: Callable[[User], Client],
    senior_wpa: User,
    wpa: User,
    make_survivor: Callable[..., Survivor],
    reporter: User,
) -> None:
    case = make_survivor(reporter)
    response = login(senior_wpa).post(
        reverse("survivors:assign", args=[case.public_id]), {"assignee": wpa.pk}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assigned_wpa == wpa


def test_owner_sees_everything_once_logged(
    login: Callable[[User], Client], wpa: User, owned: Survivor
) -> None:
    client = login(wpa)
    response = client.get(reverse("survivors:detail", args=[owned.public_id]))
    assert response.status_code == 200
    assert NAME in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert AccessEvent.objects.filter(actor=wpa, survivor_public_id=owned.public_id, kind="view").count() == 1
    listing = client.get(reverse("survivors:list"))
    assert NAME in listing.content.decode()
    assert "no-store" in listing["Cache-Control"]
    assert AccessEvent.objects.filter(actor=wpa, kind="list").count() == 1


def test_list_query_count_is_constant(
    login: Callable[[User], Client],
    wpa: User,
    make_survivor: Callable[..., Survivor],
    django_assert_max_num_queries: Any,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(wpa)
    make_survivor(wpa)
    client.get(reverse("survivors:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("survivors:list"))
    for _ in range(15):
        make_survivor(wpa)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("survivors:list"))
    assert len(many) == len(few)


def _intake(office: Any, consent_text: ConsentText, **overrides: Any) -> dict[str, Any]:
    data = {
        "field_office": office.pk,
        "name": NAME,
        "phone": "+243 970 111 222",
        "sex": "female",
        "age": "23",
        "age_band": "unknown",
        "disability": "none",
        "displacement_status": "idp",
        "interview_count": "1",
        "consent-purposes": ["case_management"],
        "consent-referral_services": ["medical"],
        "consent-given_by": "survivor",
        "consent-method": "oral_witnessed",
        "consent-explained_in": "sw",
        "consent-consent_text": consent_text.pk,
    }
    data.update(overrides)
    return data


def test_register_with_consents(
    login: Callable[[User], Client], wpa: User, office: Any, consent_text: ConsentText
) -> None:
    response = login(wpa).post(reverse("survivors:create"), _intake(office, consent_text))
    assert response.status_code == 302
    survivor = Survivor.objects.get()
    assert survivor.assigned_wpa == wpa
    assert survivor.age_band == "18-25"
    assert sorted(Consent.objects.values_list("purpose", "service_type")) == [
        ("case_management", ""),
        ("referral", "medical"),
    ]


def test_invalid_form_keeps_input_and_saves_nothing(
    login: Callable[[User], Client], wpa: User, office: Any, consent_text: ConsentText
) -> None:
    response = login(wpa).post(reverse("survivors:create"), _intake(office, consent_text, age="200"))
    assert response.status_code == 200
    body = response.content.decode()
    assert NAME in body  # the name typed is kept in the form
    assert "less than or equal to 120" in body
    assert not Survivor.objects.exists()


def test_service_error_lands_beside_the_field(
    login: Callable[[User], Client], wpa: User, office: Any, consent_text: ConsentText
) -> None:
    # A child's consent given by herself: the service refuses; nothing is half-saved.
    response = login(wpa).post(reverse("survivors:create"), _intake(office, consent_text, age="12"))
    assert response.status_code == 200
    assert "For a child, consent is given by a caregiver." in response.content.decode()
    assert not Survivor.objects.exists()
    assert not Consent.objects.exists()


def test_withdraw_from_the_page(
    login: Callable[[User], Client], wpa: User, owned: Survivor, grant: Consent
) -> None:
    client = login(wpa)
    response = client.post(
        reverse("survivors:consent_withdraw", args=[owned.public_id, grant.public_id]), follow=True
    )
    assert "Consent withdrawn" in response.content.decode()
    assert Consent.objects.filter(withdraws=grant).exists()


def test_edit_keeps_values_and_logs_access(
    login: Callable[[User], Client], wpa: User, owned: Survivor
) -> None:
    client = login(wpa)
    form = client.get(reverse("survivors:edit", args=[owned.public_id]))
    assert NAME in form.content.decode()
    assert AccessEvent.objects.filter(actor=wpa, kind="edit").count() == 1
    response = client.post(
        reverse("survivors:edit", args=[owned.public_id]),
        {
            "name": "New Name",
            "sex": "female",
            "age": "",
            "age_band": "26-40",
            "disability": "unknown",
            "displacement_status": "unknown",
            "interview_count": "2",
        },
    )
    assert response.status_code == 302
    owned.refresh_from_db()

    assert owned.name == "New Name"
    assert owned.interview_count == 2


def test_create_from_incident_out_of_scope_is_404(login: Callable[[User], Client], wpa: User) -> None:
    import uuid

    assert login(wpa).get(reverse("survivors:create") + f"?incident={uuid.uuid4()}").status_code == 404
    assert login(wpa).get(reverse("survivors:create") + "?incident=not-a-uuid").status_code == 404


def test_hide_names_decrypts_nothing_and_logs_nothing(
    login: Callable[[User], Client], wpa: User, owned: Survivor
) -> None:
    body = login(wpa).get(reverse("survivors:list") + "?names=hide").content.decode()
    assert owned.code in body
    assert NAME not in body
    assert not AccessEvent.objects.exists()

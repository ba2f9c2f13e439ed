"""The "Refer" page (issue 10 item 6): only eligible providers with their flags, the case's
incidents, draft or send, consent missing shown beside the form with the input kept."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from crsv.accounts.models import FieldOffice, User
from referrals.models import Referral, ServiceProvider
from survivors.models import Consent, Survivor
from tests.incidents.factories import LocationFactory, incident_in_state
from tests.referrals.conftest import provider_make
from tests.survivors.test_api_common import link

pytestmark = pytest.mark.django_db


def new_url(case: Survivor, service_type: str = "") -> str:
    query = f"?survivor={case.public_id}"
    return (
        f"/referrals/new/{query}&service_type={service_type}" if service_type else f"/referrals/new/{query}"
    )


def test_first_the_service_type(login: Callable[[User], Client], wpa: User, case: Survivor) -> None:
    response = login(wpa).get(new_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="service_type"' in html and 'name="provider"' not in html
    unknown = login(wpa).get(new_url(case, "astrology"))
    assert unknown.status_code == 200 and unknown.context["step_form"].errors["service_type"]


def test_only_active_providers_of_the_service_and_office_with_their_flags(
    login: Callable[[User], Client],
    wpa: User,
    case: Survivor,
    hospital: ServiceProvider,
    clinic: ServiceProvider,
    other_office: FieldOffice,
    office: FieldOffice,
) -> None:
    provider_make("Bunia only", [other_office])
    provider_make("Closed clinic", [office], active=False)
    provider_make("Legal aid", [office], service_types=["legal_aid"])
    response = login(wpa).get(new_url(case, "medical"))
    assert response.status_code == 200
    assert [p.name for p in response.context["candidates"]] == ["Clinique Ngangi", "HEAL Africa"]
    html = response.content.decode()
    assert "Bunia only" not in html and "Closed clinic" not in html and "Legal aid" not in html
    assert "PEP" in html  # HEAL Africa's flag
    assert "Save as draft" in html and ">Send<" in html


def test_save_as_draft(
    login: Callable[[User], Client], wpa: User, case: Survivor, hospital: ServiceProvider
) -> None:
    response = login(wpa).post(
        new_url(case),
        {
            "service_type": "medical",
            "provider": str(hospital.public_id),
            "urgency": "high",
            "note": "Hi",
            "draft": "",
        },
    )
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/referrals/{referral.public_id}/"
    assert referral.state == Referral.State.DRAFT and referral.note == "Hi" and referral.urgency == "high"


def test_send_with_consent_and_an_incident_of_the_case(
    login: Callable[[User], Client],
    wpa: User,
    reporter: User,
    case: Survivor,
    hospital: ServiceProvider,
    consent: Callable[..., Consent],
) -> None:
    incident = incident_in_state("under_review", reporter=reporter, reviewer=wpa, location=LocationFactory())
    link(case, incident, wpa)
    consent(case)
    client = login(wpa)
    form_page = client.get(new_url(case, "medical"))
    assert incident.reference in form_page.content.decode()
    response = client.post(
        new_url(case),
        {
            "service_type": "medical",
            "provider": str(hospital.public_id),
            "urgency": "emergency",
            "incident": str(incident.public_id),
            "send": "",
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.state == Referral.State.SENT and referral.incident == incident
    assert (
        f"Referral {referral.reference} sent to HEAL Africa."
        in client.get(response["Location"]).content.decode()
    )


def test_send_without_consent_names_it_keeps_the_input_and_saves_nothing(
    login: Callable[[User], Client], wpa: User, case: Survivor, hospital: ServiceProvider
) -> None:
    response = login(wpa).post(
        new_url(case),
        {
            "service_type": "medical",
            "provider": str(hospital.public_id),
            "urgency": "emergency",
            "note": "Typed with care",
            "send": "",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert "No referral consent in force for medical services with HEAL Africa" in errors[0]
    html = response.content.decode()
    assert "Typed with care" in html and 'value="emergency" selected' in html
    assert f'value="{hospital.public_id}" checked' in html
    assert Referral.objects.count() == 0


def test_missing_provider_and_urgency_beside_their_fields(
    login: Callable[[User], Client], wpa: User, case: Survivor, hospital: ServiceProvider
) -> None:
    response = login(wpa).post(new_url(case), {"service_type": "medical", "send": ""})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"provider", "urgency"}
    assert Referral.objects.count() == 0


def test_a_provider_not_offered_is_refused(
    login: Callable[[User], Client], wpa: User, case: Survivor, other_office: FieldOffice
) -> None:
    bunia = provider_make("Bunia only", [other_office])
    response = login(wpa).post(
        new_url(case), {"service_type": "medical", "provider": str(bunia.public_id), "urgency": "high"}
    )
    assert response.status_code == 200 and "provider" in response.context["form"].errors
    assert Referral.objects.count() == 0


def test_scope_404_and_role_403(
    login: Callable[[User], Client],
    case: Survivor,
    wpa_other: User,
    outsider: User,
    analyst: User,
    provider: User,
    senior_wpa: User,
) -> None:
    for user in (wpa_other, outsider):
        assert login(user).get(new_url(case, "medical")).status_code == 404
    for user in (analyst, provider):
        assert login(user).get(new_url(case, "medical")).status_code in {403, 404}
    assert login(senior_wpa).get(new_url(case, "medical")).status_code == 200  # a senior WPA of its mission


def test_no_case_or_a_malformed_one_is_404(login: Callable[[User], Client], wpa: User) -> None:
    client = login(wpa)
    assert client.get("/referrals/new/").status_code == 404
    assert client.get("/referrals/new/?survivor=nope").status_code == 404

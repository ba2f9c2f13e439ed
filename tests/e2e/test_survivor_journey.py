"""Issue 4's journey: a WPA registers a survivor from an incident, with consent for case
management and a medical referral, opens the case, and withdraws one consent."""

from __future__ import annotations

from typing import Any

import pytest

from crsv.accounts.models import User
from crsv.audit.models import AccessEvent
from incidents.models import Location
from survivors.models import Consent, Survivor
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD
from tests.incidents.factories import LocationFactory, incident_in_state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NAME = "Esperance Journey-Kavira"


@pytest.fixture
def location() -> Location:
    return LocationFactory()


def test_wpa_registers_a_survivor_from_an_incident(
    live_server: Any, page: Any, wpa: User, reporter: User, location: Location, consent_text: Any
) -> None:
    incident = incident_in_state("under_review", reporter=reporter, reviewer=wpa, location=location)
    sign_in(page, live_server.url, "wpa", PASSWORD)

    page.goto(f"{live_server.url}/incidents/{incident.public_id}/")
    page.get_by_role("link", name="Register a survivor").click()
    page.wait_for_url("**/survivors/new/**")
    page.get_by_label("Name").fill(NAME)
    page.get_by_label("Phone").fill("0970 123 456")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Age:", exact=True).fill("27")
    page.get_by_label("Case management").check()
    page.get_by_label("Medical").check()
    page.get_by_label("How").select_option("oral_witnessed")
    page.get_by_label("Explained in").select_option("sw")
    page.get_by_label("Consent text read").select_option(index=1)
    page.get_by_role("button", name="Register").click()

    page.wait_for_selector("text=registered")
    assert NAME in page.content()
    survivor = Survivor.objects.get()
    assert survivor.incidents.filter(pk=incident.pk).exists()
    assert sorted(Consent.objects.values_list("purpose", "service_type")) == [
        ("case_management", ""),
        ("referral", "medical"),
    ]
    assert AccessEvent.objects.filter(actor=wpa, survivor_public_id=survivor.public_id).exists()

    page.get_by_role("button", name="Withdraw Referral to a service Medical").click()
    page.wait_for_selector("text=Consent withdrawn")
    assert Consent.objects.filter(kind="withdrawal", purpose="referral").count() == 1
    assert "withdrawn" in page.content()

"""An incident's journey in a real browser (issue 3): a reporter logs it, with JavaScript
off, makes one mistake and corrects it beside the field, and submits; a WPA assigns it to
herself and verifies it; an analyst finds it in the list and reads it without the narrative."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from crsv.accounts.models import User
from incidents import clock
from incidents.models import Incident, Location, PartyToConflict
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD
from tests.incidents.factories import LocationFactory, PartyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARRATIVE = "Canary-Journey-Narrative: three armed men came to the field at dusk"
UNIT = "Canary-Journey-Unit-Sector-2"
COMMANDER = "Canary-Journey-Commander"


@pytest.fixture
def places() -> tuple[Location, PartyToConflict]:
    nord_kivu = LocationFactory(pcode="CD61", name="Nord-Kivu", admin_level=1)
    masisi = LocationFactory(pcode="CD6106", name="Masisi", admin_level=2, parent=nord_kivu)
    sake = LocationFactory(pcode="CD610602", name="Sake", admin_level=3, parent=masisi)
    return sake, PartyFactory(name="M23/AFC", listed_in_sg_annex=True)


@pytest.fixture
def browser_as(chromium: Any, live_server: Any) -> Iterator[Any]:
    """`browser_as(username, javascript=True)`: a page of a fresh browser context, signed in."""
    contexts: list[Any] = []

    def _open(username: str, *, javascript: bool = True) -> Any:
        context = chromium.new_context(locale="en-GB", java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        sign_in(page, live_server.url, username, PASSWORD)
        return page

    yield _open
    for context in contexts:
        context.close()


def test_reporter_logs_wpa_verifies_analyst_reads_deidentified(
    live_server: Any,
    browser_as: Any,
    places: tuple[Location, PartyToConflict],
    reporter: User,
    wpa: User,
    analyst: User,
) -> None:
    _sake, m23 = places
    office = reporter.primary_office()
    assert office is not None
    today = clock.office_today(office)

    # The reporter, JavaScript off: the page must work as plain HTML forms.
    page = browser_as("reporter", javascript=False)
    page.get_by_role("link", name="Incidents", exact=True).click()
    page.get_by_role("link", name="Log an incident").click()
    page.get_by_label("How did the incident become known?").select_option("survivor")
    page.get_by_label("Date of report").fill((today - timedelta(days=3)).isoformat())
    page.get_by_label("How precise is the incident date?").select_option("day")
    # The mistake: the incident after the date of report.
    page.get_by_label("Date of the incident (or first day)").fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("Time of day").select_option("evening_night")
    # The location, without JavaScript: the search step ("Find" redisplays the page, all kept).
    page.get_by_label("Location:", exact=True).fill("sak")
    page.get_by_role("button", name="Find").click()
    page.get_by_label("Sake · Masisi · Nord-Kivu (CD610602)").check()
    page.get_by_label("Type of location").select_option("field")
    page.get_by_label("Women:", exact=True).fill("1")
    page.locator("#id_gbvims_penetration_0").check()
    page.get_by_label("What happened (restricted)").fill(NARRATIVE)
    page.get_by_label("Violation 1").select_option("rape")
    page.get_by_label("Violation 2").select_option("sexual_slavery")
    page.locator("#id_perpetrators-0-category").select_option("non_state_armed_group")
    page.locator("#id_perpetrators-0-count").fill("3")
    page.locator("#id_perpetrators-0-party").select_option(str(m23.public_id))
    page.locator("#id_perpetrators-0-unit").fill(UNIT)
    page.locator("#id_perpetrators-0-commander").fill(COMMANDER)

    # More rows, without JavaScript: everything typed stays.
    page.get_by_role("button", name="Add more rows").click()
    assert page.get_by_label("Violation 5").count() == 1
    assert page.get_by_label("What happened (restricted)").input_value() == NARRATIVE

    page.get_by_role("button", name="Submit", exact=True).click()
    error = page.locator("#id_incident_date_start_error")
    assert "cannot have happened after the date of report" in error.inner_text()
    assert "Nothing was saved" in page.get_by_role("alert").first.inner_text()
    assert not Incident.objects.exists()
    # Everything else was kept; correct the date only.
    assert page.get_by_label("What happened (restricted)").input_value() == NARRATIVE
    assert page.locator("#id_perpetrators-0-unit").input_value() == UNIT
    assert page.get_by_label("Violation 2").input_value() == "sexual_slavery"
    page.get_by_label("Date of the incident (or first day)").fill((today - timedelta(days=4)).isoformat())
    page.get_by_role("button", name="Submit", exact=True).click()

    page.wait_for_selector("text=submitted.")
    incident = Incident.objects.get()
    assert incident.status == Incident.Status.SUBMITTED and incident.reference
    assert sorted(incident.violations.values_list("form", flat=True)) == ["rape", "sexual_slavery"]
    assert incident.perpetrators.count() == 1
    assert incident.reference in page.locator("h1").inner_text()
    assert NARRATIVE in page.content()  # the reporter reads her own narrative

    # The WPA of the office assigns it to herself and verifies it.
    page = browser_as("wpa")
    page.get_by_role("link", name="Incidents", exact=True).click()
    page.get_by_role("link", name=incident.reference).click()
    assert NARRATIVE in page.content() and UNIT in page.content()
    page.get_by_label("Assign to").select_option("wpa")
    page.get_by_role("button", name="Assign", exact=True).click()
    page.wait_for_selector("text=Incident assigned.")
    page.get_by_role("region", name="Workflow").get_by_label("Outcome").select_option("verified")
    page.get_by_label("Method").select_option("survivor_interview")
    page.get_by_label("Verified on").fill(today.isoformat())
    page.get_by_role("button", name="Record and close").click()
    page.wait_for_selector("text=Verification recorded; the incident is closed.")
    incident.refresh_from_db()
    assert (incident.status, incident.verification_status) == ("closed", "verified")
    assert incident.assigned_wpa == wpa and incident.verified_by == wpa

    # The analyst finds it and reads it de-identified.
    page = browser_as("analyst")
    page.get_by_role("link", name="Incidents", exact=True).click()
    # Analysts see no reference numbers (their gaps would count the SEA track): the public id
    # names the row.
    row = page.locator("tr", has=page.get_by_role("link", name=str(incident.public_id)))
    assert re.search(r"Closed.*Verified.*Masisi", row.inner_text(), re.S)
    page.get_by_role("link", name=str(incident.public_id)).click()
    page.wait_for_selector("h1")
    content = page.content()
    for restricted in (NARRATIVE, UNIT, COMMANDER, "Sake", incident.reference):
        assert restricted not in content, restricted
    assert "Restricted: the narrative is shown only" in content
    assert "M23/AFC" in content and "Masisi" in content

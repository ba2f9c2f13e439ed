"""The intake's location type-ahead in a real browser: a reporter types part of a village's
name, without its accent, picks the village among the suggestions, and submits the incident."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from crsv.accounts.models import User
from incidents import clock
from incidents.models import Incident, Location
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD
from tests.incidents.factories import LocationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def village() -> Location:
    nord_kivu = LocationFactory(pcode="CD61", name="Nord-Kivu", admin_level=1)
    masisi = LocationFactory(pcode="CD6106", name="Masisi", admin_level=2, parent=nord_kivu)
    bashali = LocationFactory(pcode="CD610601", name="Bashali", admin_level=3, parent=masisi)
    for n in range(30):  # more than the suggestions show
        LocationFactory(pcode=f"CD610601V{n + 10}", name=f"Kasika {n}", admin_level=4, parent=bashali)
    return LocationFactory(pcode="CD610601V01", name="Nyabiondo-Bétou", admin_level=4, parent=bashali)


@pytest.fixture
def reporter_page(chromium: Any, live_server: Any, reporter: User) -> Iterator[Any]:
    context = chromium.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, live_server.url, "reporter", PASSWORD)
    yield page
    context.close()


def test_reporter_picks_a_village_from_the_type_ahead(
    live_server: Any, reporter_page: Any, reporter: User, village: Location
) -> None:
    page = reporter_page
    office = reporter.primary_office()
    assert office is not None
    today = clock.office_today(office)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/incidents/new/")
    assert page.locator("select[name=location]").count() == 0  # never a select of places

    box = page.get_by_label("Location:", exact=True)
    box.press_sequentially("kasika", delay=40)
    suggestions = page.locator(".location-suggestions").get_by_role("option")
    suggestions.first.wait_for()
    assert suggestions.count() == 20  # at most 20
    box.fill("")
    box.press_sequentially("betou", delay=40)  # part of a word, no accent
    choice = suggestions.filter(has_text="Nyabiondo-Bétou · Bashali · Masisi · Nord-Kivu (CD610601V01)")
    choice.wait_for()
    assert suggestions.count() == 1
    box.press("ArrowDown")
    box.press("Enter")  # picks it; the form is not sent
    picked = page.get_by_label("Nyabiondo-Bétou · Bashali · Masisi · Nord-Kivu (CD610601V01)")
    assert picked.is_checked()
    assert suggestions.count() == 0
    assert not Incident.objects.exists()

    page.get_by_label("How did the incident become known?").select_option("survivor")
    page.get_by_label("Date of report").fill(today.isoformat())
    page.get_by_label("How precise is the incident date?").select_option("day")
    page.get_by_label("Date of the incident (or first day)").fill((today - timedelta(days=2)).isoformat())
    page.get_by_label("Type of location").select_option("field")
    page.get_by_label("Women:", exact=True).fill("1")
    page.locator("#id_gbvims_penetration_0").check()
    page.get_by_label("What happened (restricted)").fill("Typed after the location was picked.")
    page.get_by_label("Violation 1").select_option("rape")
    page.get_by_role("button", name="Submit", exact=True).click()

    page.wait_for_selector("text=submitted.")
    incident = Incident.objects.get()
    assert incident.status == Incident.Status.SUBMITTED
    assert incident.location == village
    assert not errors, errors  # the script ran without error (and the CSP let it)

"""Sessions on a slow link in a real browser (issue 12 item 3), with the idle timeout of the
test server shortened to a few seconds:

- a reporter who keeps typing in the intake for longer than the idle timeout stays signed in
  (the keep-alive script pings while she types) and saves her draft as usual;
- a reporter who stops typing until her session expires, then submits, is sent to sign in;
  her intake was kept as a draft, which is offered to her once she has signed in again, with
  everything she typed.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest

from crsv.accounts.models import User
from incidents.models import Incident, Location
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD
from tests.incidents.factories import LocationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDLE_SECONDS = 8  # the keep-alive script then pings at most every 2 seconds
NARRATIVE = "Canary-Timeout-Narrative: typed slowly at the field office, then left for a while"
KEEP_ALIVE = "/accounts/keep-alive/"


@pytest.fixture
def sake() -> Location:
    nord_kivu = LocationFactory(pcode="CD61", name="Nord-Kivu", admin_level=1)
    masisi = LocationFactory(pcode="CD6106", name="Masisi", admin_level=2, parent=nord_kivu)
    return LocationFactory(pcode="CD610602", name="Sake", admin_level=3, parent=masisi)


@pytest.fixture
def short_idle(settings: Any) -> None:
    """The live server runs in this process: its middleware reads the timeout on each request."""
    settings.SESSION_IDLE_TIMEOUT = timedelta(seconds=IDLE_SECONDS)


def _pings(page: Any) -> list[int]:
    """The statuses of the keep-alive pings the page will send."""
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if r.url.endswith(KEEP_ALIVE) else None)
    return statuses


def _fill_the_start(page: Any, sake: Location) -> None:
    page.get_by_label("How did the incident become known?").select_option("survivor")
    # The location's search step (incidents/forms/location_picker.py): "Find" redisplays the page.
    page.get_by_label("Location:", exact=True).fill("sak")
    page.get_by_role("button", name="Find").click()
    page.get_by_label(f"Sake · Masisi · Nord-Kivu ({sake.pcode})").check()
    page.get_by_label("Women:", exact=True).fill("2")
    page.get_by_label("Violation 1").select_option("rape")


def test_typing_keeps_the_session_alive(
    live_server: Any, page: Any, short_idle: None, reporter: User, sake: Location
) -> None:
    sign_in(page, live_server.url, "reporter", PASSWORD)
    page.goto(f"{live_server.url}/incidents/new/")
    pings = _pings(page)
    _fill_the_start(page, sake)
    narrative = page.get_by_label("What happened (restricted)")
    narrative.click()
    # Typing for about twice the idle timeout, a keystroke every 150 ms.
    words = NARRATIVE + " " + "and the account goes on" * 3
    page.keyboard.type(words[: int(2 * IDLE_SECONDS / 0.15)], delay=150)
    assert len(pings) >= 4 and set(pings) == {204}, pings
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_selector("text=Draft saved.")
    incident = Incident.objects.get()
    assert incident.narrative.startswith(NARRATIVE[:40]) and incident.intake_key is None  # saved live


def test_an_intake_submitted_after_the_timeout_is_offered_back(
    live_server: Any, page: Any, short_idle: None, reporter: User, sake: Location
) -> None:
    sign_in(page, live_server.url, "reporter", PASSWORD)
    page.goto(f"{live_server.url}/incidents/new/")
    _fill_the_start(page, sake)
    page.get_by_label("What happened (restricted)").fill(NARRATIVE)
    # She stops typing: no ping, and the session expires.
    page.wait_for_timeout((IDLE_SECONDS + 3) * 1000)
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url("**/accounts/login/")
    assert "saved as a draft: sign in again to open it" in page.locator(".messages").inner_text()
    incident = Incident.objects.get()
    assert incident.status == Incident.Status.DRAFT and incident.reported_by == reporter

    # The first sign-in's code is refused a second time (the replay guard): wait for the next step.
    page.wait_for_timeout((30 - time.time() % 30 + 1) * 1000)
    sign_in(page, live_server.url, "reporter", PASSWORD)
    offer = page.locator(".messages")
    assert "You were signed out; your incident report was saved as a draft:" in offer.inner_text()
    offer.get_by_role("link", name="open it").click()
    page.wait_for_url(f"**/incidents/{incident.public_id}/edit/")
    assert page.get_by_label("What happened (restricted)").input_value() == NARRATIVE
    assert page.locator("input[name=location]:checked").input_value() == sake.pcode
    assert page.get_by_label("Women:", exact=True).input_value() == "2"
    assert page.get_by_label("Violation 1").input_value() == "rape"
    assert page.get_by_label("How did the incident become known?").input_value() == "survivor"

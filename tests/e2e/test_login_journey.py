"""A WPA signs in, sees her home page, switches to French and sees French text."""

from __future__ import annotations

from typing import Any

import pytest

from crsv.accounts.models import User
from crsv.accounts.two_factor import demo_device_ensure
from crsv.audit.models import AuditEvent
from tests.conftest import current_code
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_wpa_signs_in_and_switches_to_french(live_server: Any, page: Any, wpa: User) -> None:
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url

    device = demo_device_ensure(user=wpa)
    page.get_by_label("Username").fill("wpa")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/two-factor/**")
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()

    page.wait_for_url(lambda url: "/two-factor/" not in url)  # the code page's own <h1> until then
    assert page.locator("h1").inner_text() == f"Welcome, {wpa.display_name}"
    assert "Women Protection Advisor" in page.content()
    assert "Goma (GOM, MONUSCO)" in page.content()

    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change").click()
    page.wait_for_selector("html[lang=fr]")
    assert page.locator("h1").inner_text() == f"Bienvenue, {wpa.display_name}"
    assert "Vos rôles" in page.content()
    assert "Conseillère pour la protection des femmes" in page.content()

    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_selector("text=Vous êtes déconnecté·e")
    assert AuditEvent.objects.filter(actor=wpa, action=AuditEvent.Action.LOGOUT).count() == 1


def test_wrong_password_shows_error_in_the_browser(live_server: Any, page: Any, wpa: User) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("wpa")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    assert "Please enter a correct username and password" in alert.inner_text()
    assert page.get_by_label("Username").input_value() == "wpa"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).count() == 1


def test_keyboard_only_sign_in(live_server: Any, page: Any, wpa: User) -> None:
    device = demo_device_ensure(user=wpa)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").focus()
    page.keyboard.type("wpa")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/two-factor/**")
    page.keyboard.type(current_code(device))  # the code field has the focus
    page.keyboard.press("Enter")
    # Wait for the next page: the two-factor page's own <h1> is there until the browser leaves it.
    page.wait_for_url(lambda url: "/two-factor/" not in url)
    assert page.locator("h1").inner_text().startswith("Welcome")

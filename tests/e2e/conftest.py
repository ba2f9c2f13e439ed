"""Browser journeys: Playwright driving Debian's Chromium against a live test server.

Skipped, with the reason, where /usr/bin/chromium is missing (CI installs it: see .ci/run).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.survivors.conftest import consent_text, make_survivor  # noqa: F401  (shared fixtures)

CHROMIUM = os.environ.get("CRSV_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; Django then refuses ORM calls from
# the test body unless told that this thread is not really async.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (install Debian's chromium package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    with tempfile.TemporaryDirectory():
        context = chromium.new_context(locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        context.close()


def sign_in(
    page: Any, base_url: str, username: str, password: str, *, check: Callable[[Any], None] | None = None
) -> None:
    """Sign in through the real pages: password, then the authenticator's current code.

    `check(page)`, when given, runs on the sign-in page and on the second-factor page once each
    has loaded (tests/e2e/test_phone_layout.py measures them)."""
    from crsv.accounts.models import User
    from crsv.accounts.two_factor import demo_device_ensure
    from tests.conftest import current_code

    device = demo_device_ensure(user=User.objects.get(username=username))
    page.goto(f"{base_url}/accounts/login/")
    if check:
        check(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/two-factor/**")
    if check:
        check(page)
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(lambda url: "/two-factor/" not in url)  # the code page's own <h1> until then
    page.wait_for_selector("h1")

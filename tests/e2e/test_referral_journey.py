"""Issue 10's journey: `wpa` refers a case to a hospital with an emergency medical referral
(consent recorded first), `provider` signs in, sees it on the referrals page and accepts it, and
`wpa` sees it accepted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from crsv.accounts.models import User
from referrals.models import Referral, ServiceProvider
from survivors.models import Consent, Survivor
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD
from tests.referrals.conftest import consent, hospital, provider  # noqa: F401  (shared fixtures)
from tests.survivors.conftest import case  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_wpa_refers_and_the_provider_accepts(
    live_server: Any,
    page: Any,
    chromium: Any,
    wpa: User,
    provider: User,  # noqa: F811
    hospital: ServiceProvider,  # noqa: F811
    case: Survivor,  # noqa: F811
    consent: Callable[..., Consent],  # noqa: F811
) -> None:
    consent(case)  # a referral for medical services, any provider
    sign_in(page, live_server.url, "wpa", PASSWORD)
    page.goto(f"{live_server.url}/survivors/{case.public_id}/")
    page.get_by_role("link", name="Refer", exact=True).click()
    page.get_by_label("Service type").select_option("medical")
    page.get_by_role("button", name="Choose a provider").click()
    page.get_by_label("HEAL Africa").check()
    assert "PEP" in page.content()
    page.get_by_label("Urgency").select_option("emergency")
    page.get_by_label("Note to the provider (optional)").fill("Within 72 hours of the assault.")
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_selector("text=sent to HEAL Africa")
    referral = Referral.objects.get()
    assert referral.state == Referral.State.SENT and referral.urgency == Referral.Urgency.EMERGENCY

    context = chromium.new_context(locale="en-GB")
    try:
        theirs = context.new_page()
        theirs.set_default_timeout(15000)
        sign_in(theirs, live_server.url, "provider", PASSWORD)
        assert referral.reference in theirs.content()  # the home panel: new referrals
        theirs.get_by_role("link", name="Referrals", exact=True).click()
        theirs.get_by_role("link", name=referral.reference).click()
        assert "Within 72 hours of the assault." in theirs.content()
        assert "Esperance" not in theirs.content()
        theirs.get_by_role("button", name="Accept").click()
        theirs.wait_for_selector("text=Referral accepted.")
    finally:
        context.close()

    page.goto(f"{live_server.url}/referrals/{referral.public_id}/")
    assert page.locator("h1 .badge").first.inner_text() == "Accepted"
    referral.refresh_from_db()
    assert referral.state == Referral.State.ACCEPTED

"""Issue 11's journey for a provider without an account: `wpa` sends an emergency medical
referral to a hospital with a contact address (no provider user involved), the e-mail is read
from a real local SMTP server, its one-time link accepts the referral, and `wpa` sees it
accepted."""

from __future__ import annotations

import email
import re
from collections.abc import Callable
from email import policy
from typing import Any

import pytest

from crsv.accounts.models import User
from crsv.notifications.models import Notification
from crsv.notifications.tasks import notification_sweep
from referrals.models import Referral, ServiceProvider
from survivors.models import Consent, Survivor
from tests.crsv.notifications.conftest import SinkHandler, smtp  # noqa: F401  (the SMTP server)
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD
from tests.referrals.conftest import consent, hospital  # noqa: F401  (shared fixtures)
from tests.survivors.conftest import case  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTACT = "intake@heal-africa.example"


def _text_of(raw: bytes) -> str:
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["To"] == CONTACT
    return str(message.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]


def test_a_provider_without_an_account_accepts_from_the_email(
    live_server: Any,
    page: Any,
    chromium: Any,
    settings: Any,
    smtp: SinkHandler,  # noqa: F811
    wpa: User,
    hospital: ServiceProvider,  # noqa: F811
    case: Survivor,  # noqa: F811
    consent: Callable[..., Consent],  # noqa: F811
) -> None:
    settings.SITE_URL = live_server.url
    hospital.contact_email = CONTACT
    hospital.save()
    consent(case)  # a referral for medical services, any provider
    sign_in(page, live_server.url, "wpa", PASSWORD)
    page.goto(f"{live_server.url}/survivors/{case.public_id}/")
    page.get_by_role("link", name="Refer", exact=True).click()
    page.get_by_label("Service type").select_option("medical")
    page.get_by_role("button", name="Choose a provider").click()
    page.get_by_label("HEAL Africa").check()
    page.get_by_label("Urgency").select_option("emergency")
    page.get_by_label("Note to the provider (optional)").fill("Within 72 hours of the assault.")
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_selector("text=sent to HEAL Africa")
    referral = Referral.objects.get()
    assert referral.state == Referral.State.SENT and referral.urgency == Referral.Urgency.EMERGENCY

    # The worker's part: deliver what the send put in the outbox, to the real SMTP server.
    notification_sweep()
    assert Notification.objects.get(recipient_email=CONTACT).status == Notification.Status.SENT
    [text] = [_text_of(raw) for raw in smtp.messages]
    assert referral.reference in text and "Within 72 hours" not in text and case.code not in text
    [link] = re.findall(rf"{re.escape(live_server.url)}/r/[A-Za-z0-9_-]+/", text)

    context = chromium.new_context(locale="en-GB")  # the provider: no account, no session
    try:
        theirs = context.new_page()
        theirs.set_default_timeout(15000)
        theirs.goto(link)
        assert referral.reference in theirs.content()
        assert "Within 72 hours" not in theirs.content() and case.code not in theirs.content()
        theirs.get_by_role("button", name="Accept", exact=True).click()
        theirs.wait_for_selector("text=Answer recorded")
        theirs.goto(link)  # once only
        assert "already been used" in theirs.content()
    finally:
        context.close()

    page.goto(f"{live_server.url}/referrals/{referral.public_id}/")
    assert page.locator("h1 .badge").first.inner_text() == "Accepted"
    referral.refresh_from_db()
    assert referral.state == Referral.State.ACCEPTED

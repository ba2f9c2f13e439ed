"""Issue 12's invitation journey: `admin` invites a new WPA for Bunia; the invitation is read
from the development SMTP sink (crsv/mailsink.py: one .eml file per message, as `make run`
keeps them); she chooses her password, enrols her authenticator from the page's secret, and sees
Bunia's incidents only; `admin` deactivates her on her account's page (/access/users/<uuid>/);
her open page's next click is refused."""

from __future__ import annotations

import base64
import email
import re
import socket
import time
from collections.abc import Iterator
from email import policy
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import TOTP

from crsv.accounts.models import FieldOffice, Invitation, User
from crsv.mailsink import mail_sink_start
from crsv.notifications.models import Notification
from crsv.notifications.tasks import notification_sweep
from incidents.models import Incident, Location
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD
from tests.incidents.conftest import masisi, nord_kivu, reporter_other, sake  # noqa: F401  (fixtures)
from tests.incidents.factories import incident_in_state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADDRESS = "neema.lokwa@monusco.example"
HER_PASSWORD = "Bunia-market-road-at-noon-77"


@pytest.fixture
def mail_folder(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """The development mail sink on a free port, and the application sending to it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    folder = tmp_path / "mail"
    sink = mail_sink_start(folder, port)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 5
    try:
        yield folder
    finally:
        sink.stop()


def _invitation_link(folder: Path, base_url: str) -> str:
    """The link of the one message the sink kept, read from its file as a developer would."""
    deadline = time.monotonic() + 10
    while not (files := sorted(folder.glob("*.eml"))) and time.monotonic() < deadline:
        time.sleep(0.05)
    [file] = files
    message = email.message_from_bytes(file.read_bytes(), policy=policy.default)
    assert message["To"] == ADDRESS
    text = str(message.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
    assert "neema" in text  # her username
    [link] = re.findall(rf"{re.escape(base_url)}/accounts/invitation/[A-Za-z0-9_-]+/", text)
    return link


def _code_from_secret(secret: str) -> str:
    """What her authenticator app shows once she typed the page's secret into it."""
    raw = secret.replace(" ", "")
    key = base64.b32decode(raw + "=" * (-len(raw) % 8))
    return f"{TOTP(key, step=30, t0=0, digits=6, drift=0).token():06d}"


def test_admin_invites_a_wpa_who_enrols_and_is_refused_once_deactivated(
    live_server: Any,
    page: Any,
    chromium: Any,
    settings: Any,
    mail_folder: Path,
    admin_user: User,
    reporter: User,
    reporter_other: User,  # noqa: F811
    wpa: User,
    other_office: FieldOffice,
    sake: Location,  # noqa: F811
) -> None:
    settings.SITE_URL = live_server.url
    goma = incident_in_state("submitted", reporter=reporter, reviewer=wpa, location=sake)
    bunia = incident_in_state("submitted", reporter=reporter_other, reviewer=wpa, location=sake)

    # The administrator invites Neema, a WPA for Bunia.
    sign_in(page, live_server.url, "admin", PASSWORD)
    page.goto(f"{live_server.url}/access/invitations/")
    page.get_by_label("Username").fill("neema")
    page.get_by_label("First name").fill("Neema")
    page.get_by_label("Last name").fill("Lokwa")
    page.get_by_label("E-mail address").fill(ADDRESS)
    page.get_by_label("Language of her e-mails").select_option("en")
    page.get_by_label("Women Protection Advisor", exact=True).check()
    page.get_by_label("Bunia (MONUSCO)", exact=True).check()
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_selector(f"text=Invitation e-mailed to {ADDRESS}")
    invitation = Invitation.objects.get()
    assert invitation.user.username == "neema" and not invitation.user.has_usable_password()

    # The worker's part: the outbox delivers to the development mail sink, which keeps a file.
    notification_sweep()
    assert Notification.objects.get(recipient_email=ADDRESS).status == Notification.Status.SENT
    link = _invitation_link(mail_folder, live_server.url)

    context = chromium.new_context(locale="en-GB")  # her own browser
    try:
        hers = context.new_page()
        hers.set_default_timeout(15000)
        hers.goto(link)
        hers.get_by_label(re.compile(r"^Password:?$")).fill(HER_PASSWORD)
        hers.get_by_label("Password confirmation").fill(HER_PASSWORD)
        hers.get_by_role("button", name="Set my password").click()
        hers.wait_for_url("**/accounts/two-factor/setup/**")
        assert hers.locator("img[src^='data:image/svg+xml']").is_visible()  # the QR code
        hers.get_by_label("Code").fill(_code_from_secret(hers.locator("code.secret").inner_text()))
        hers.get_by_role("button", name="Confirm").click()
        hers.wait_for_selector("text=Your recovery codes")
        hers.get_by_role("link", name="Continue").click()
        hers.wait_for_url(f"{live_server.url}/")

        # Both factors done: she reaches the incidents, Bunia's only.
        hers.get_by_role("navigation", name="Main").get_by_role("link", name="Incidents").click()
        hers.wait_for_url("**/incidents/")
        listing = hers.content()
        assert bunia.reference in listing and goma.reference not in listing
        assert Incident.objects.filter(field_office=other_office, reference=bunia.reference).exists()

        # The administrator deactivates her, from her account's page (linked from the list).
        page.goto(f"{live_server.url}/access/invitations/")
        page.get_by_role("link", name="neema", exact=True).click()
        page.get_by_role("button", name="Deactivate").click()
        page.wait_for_selector("text=The account is deactivated")
        assert not User.objects.get(username="neema").is_active

        # Her open page's next click is refused: back to sign-in, nothing shown.
        hers.get_by_role("link", name=bunia.reference).click()
        hers.wait_for_url("**/accounts/login/**")
        assert bunia.reference not in hers.content()
        hers.goto(link)  # and the link works no more
        assert "This invitation link cannot be used" in hers.content()
    finally:
        context.close()

"""The WPA's pages in the production smoke test, as a person without JavaScript uses them:
every form is the page's own, filled in and posted (tests/deploy/browser.py)."""

from __future__ import annotations

import email
import email.policy
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from tests.deploy.browser import Browser, form_with, text_of, totp

GBVIMS_QUESTIONS = (
    "penetration",
    "sexual_contact",
    "physical_assault",
    "forced_marriage",
    "denial_of_resources",
    "psychological_abuse",
)
UUID = r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"


def _id_in(url: str, prefix: str) -> str:
    """The public id of the page at `url` (`<origin><prefix><uuid>/`)."""
    found = re.search(re.escape(prefix) + UUID + "/$", url)
    assert found, url
    return found.group(1)


@dataclass
class Authenticator:
    """Her phone's authenticator app: the secret she typed in, and the last step she used
    (a code is accepted once: the next sign-in takes the next code)."""

    secret: str
    last_step: int

    def next_code(self) -> str:
        step = max(int(time.time() // 30), self.last_step + 1)  # the next one is within tolerance
        self.last_step = step
        return totp(self.secret, at=step * 30)


def sign_in_first_time(browser: Browser, username: str, password: str) -> Authenticator:
    """Password, then the enrolment page: the secret it shows goes into her authenticator, whose
    first code confirms it. She ends on her recovery codes."""
    page = browser.get("/accounts/login/")
    page = browser.submit(page, form_with(page, "username"), {"username": username, "password": password})
    assert page.url.startswith(f"{browser.base_url}/accounts/two-factor/setup/"), page.url
    app = Authenticator(text_of(page, r'<code class="secret">([A-Z2-7 ]+)</code>'), 0)
    page = browser.submit(page, form_with(page, "token"), {"token": app.next_code()})
    assert "Your recovery codes" in page.text
    return app


def sign_out(browser: Browser) -> None:
    page = browser.get("/")
    browser.submit(page, form_with(page, "csrfmiddlewaretoken", action="/accounts/logout/"))
    assert browser.get("/").url.startswith(f"{browser.base_url}/accounts/login/")  # signed out


def sign_in(browser: Browser, username: str, password: str, app: Authenticator) -> None:
    """Password, then the code her authenticator shows."""
    page = browser.get("/accounts/login/")
    page = browser.submit(page, form_with(page, "username"), {"username": username, "password": password})
    assert page.url.startswith(f"{browser.base_url}/accounts/two-factor/"), page.url
    page = browser.submit(page, form_with(page, "token"), {"token": app.next_code()})
    assert page.url == f"{browser.base_url}/", page.url


def incident_log(browser: Browser, *, place: str, zone: ZoneInfo) -> tuple[str, str]:
    """Log an incident and submit it: its public id and reference."""
    today = datetime.now(zone).date()
    page = browser.get("/incidents/new/")
    # The location's search step (no JavaScript here): "Find" offers the matching places.
    page = browser.submit(
        page, form_with(page, "source_channel"), {"location_query": place}, button=("intent", "find_location")
    )
    form = form_with(page, "source_channel")
    answers = {
        f"gbvims_{name}": "yes" if name in ("penetration", "physical_assault") else "no"
        for name in GBVIMS_QUESTIONS
    }
    page = browser.submit(
        page,
        form,
        {
            "source_channel": "survivor",
            "reported_on": today.isoformat(),
            "date_precision": "day",
            "incident_date_start": (today - timedelta(days=1)).isoformat(),
            "time_of_day": "evening_night",
            "location": form.choice("location", place),
            "location_type": "field",
            "displacement_stage": "not_displaced",
            "context": "attack_on_locality",
            "conflict_nexus": "perpetrator_affiliation",
            "tally_women": "1",
            "narrative": "Smoke test: a woman was attacked in her field at dusk.",
            "violations-0-form": "rape",
            **answers,
        },
        button=("intent", "submit"),
    )
    reference = text_of(page, r"Incident (SMOKE-GOM-\d{4}-\d{5}) submitted\.")
    return _id_in(page.url, "/incidents/"), reference


def case_register(browser: Browser, *, incident_id: str, name: str) -> str:
    """Register the survivor's case from the incident, with her consents: its public id."""
    page = browser.get(f"/survivors/new/?incident={incident_id}")
    form = form_with(page, "name")
    page = browser.submit(
        page,
        form,
        {
            "name": name,
            "phone": "+243 970 000 001",
            "sex": "female",
            "age": "24",
            "consent-purposes": ["case_management", "statistics"],
            "consent-referral_services": ["medical"],
            "consent-given_by": "survivor",
            "consent-method": "oral_witnessed",
            "consent-explained_in": "fr",
            "consent-consent_text": form.first_choice("consent-consent_text"),
        },
    )
    assert re.search(r"Case \S+ registered\.", page.text), page.text[:3000]
    assert name in page.text  # decrypted for her, on the case page
    return _id_in(page.url, "/survivors/")


def referral_send(
    browser: Browser, *, survivor_id: str, provider_id: str, incident_reference: str
) -> tuple[str, str]:
    """Send an emergency medical referral to the provider: its public id and reference."""
    page = browser.get(f"/referrals/new/?survivor={survivor_id}&service_type=medical")
    form = form_with(page, "urgency")
    page = browser.submit(
        page,
        form,
        {
            "provider": provider_id,
            "urgency": "emergency",
            "incident": form.choice("incident", incident_reference),
            "note": "Within 72 hours: post-exposure prophylaxis needed.",
        },
        button=("send", ""),
    )
    return _id_in(page.url, "/referrals/"), text_of(page, r"Referral (SMOKE-GOM-\d{4}-R-\d{5}) sent to ")


def mail_to(messages: list[bytes], address: str, *, timeout: float = 45) -> EmailMessage:
    """The first message the sink received for `address`, waiting for the worker to send it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for raw in list(messages):
            message = email.message_from_bytes(raw, policy=email.policy.default)
            if address in str(message["To"]):
                assert isinstance(message, EmailMessage)
                return message
        time.sleep(0.1)
    raise AssertionError(f"no e-mail to {address} within {timeout} s; the sink has {len(messages)}")


def mail_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())

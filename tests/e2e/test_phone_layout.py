"""Issue 11, item 7: every page fits a 360-px-wide phone, weighs under 50 KB on the wire with its
assets, and has no WCAG 2.1 AA violation that axe-core finds.

Each persona signs in through the real pages in a 360 x 740 viewport and opens the pages of
`VISITS`; each page is measured where it stands: the page must not scroll sideways
(`scrollWidth` of the root against its width: the failure names the overflow in px and the
outermost elements that stick out), the document plus every asset it loaded must be under
`WEIGHT_LIMIT` bytes as transferred with the browser cache off, and axe-core (the copy the
`axe-playwright-python` package ships, run offline) must find no violation of the WCAG 2.0/2.1
A and AA rules. `test_every_route_is_walked_or_skipped` keeps `VISITS` whole: a new route of the
URLconf fails it until it is walked here or skipped with its reason.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from crsv.accounts.models import User
from incidents.models import Alert, Incident, Location
from incidents.services.alerts import alert_create
from referrals.models import Referral, ServiceProvider
from reports.identifiable.models import IdentifiableExport
from reports.identifiable.services import identifiable_export_request
from survivors.models import Consent, Survivor
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, UserFactory
from tests.incidents.factories import LocationFactory, incident_in_state
from tests.matrix import every_route_template
from tests.referrals.conftest import consent, hospital, provider, refer  # noqa: F401  (shared fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 360, 740
WEIGHT_LIMIT = 50 * 1024  # bytes on the wire, the document and its assets
SHOTS = os.environ.get("CRSV_PHONE_SHOTS", "")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Routes no phone page stands behind, each with its reason. A prefix ending in "/" covers
# every route under it.
SKIPPED: dict[str, str] = {
    "/api/": "the JSON API: no page",
    "/admin/": "Django's admin site, for staff on a desk: not part of the phone promise",
    "/healthz": "the container health check: plain text, no page",
    "/i18n/setlang/": "POST-only: the language switch redirects back",
    "/incidents/{public_id}/transition/": "POST-only: answers with the incident page (walked)",
    "/incidents/{public_id}/accountability/": "POST-only: answers with the incident page (walked)",
    "/incidents/{public_id}/accountability/{step_id}/remove/": "POST-only: redirects to the incident page",
    "/incidents/locations/search/": "POST-only JSON for the intake's type-ahead: no page",
    "/survivors/{public_id}/assign/": "POST-only: redirects to the case page (walked)",
    "/survivors/{public_id}/grants/": "POST-only: redirects to the case page (walked)",
    "/survivors/{public_id}/grants/{user_id}/revoke/": "POST-only: redirects to the case page",
    "/survivors/{public_id}/break-glass/": "POST-only: its form is on the case page (walked, senior WPA)",
    "/survivors/{public_id}/erase/": "POST-only: its form is on the case page (walked)",
    "/survivors/{public_id}/consents/{consent_id}/withdraw/": "POST-only: redirects to the case page",
    "/referrals/{public_id}/transition/": "POST-only: answers with the referral page (walked)",
    "/notifications/read/": "POST-only: marks all read, redirects to the notifications (walked)",
    "/r/": "a one-time answer link needs the token of an e-mail: tests/e2e/test_referral_link_journey.py",
    "/accounts/keep-alive/": "POST-only: the typing page's keep-alive ping answers 204, no page",
    "/accounts/invitation/{token}/": "needs the token of an e-mail: tests/e2e/test_invitation_journey.py",
    "/incidents/alerts/{public_id}/transition/": "POST-only: answers with the alert page (walked)",
    "/incidents/alerts/{public_id}/link/": "POST-only: answers with the alert page (walked)",
    "/incidents/alerts/on-call/shifts/{public_id}/end/": "POST-only: redirects to the roster (walked)",
    "/referrals/providers/{public_id}/members/": "POST-only: redirects to the provider page (walked)",
    "/audit/export.csv": "a CSV download: no page",
    "/access/review/export.csv": "a CSV download: no page",
    "/access/users/{public_id}/active/": "POST-only: redirects to the user's page (walked)",
    "/access/users/{public_id}/two-factor/reset/": "POST-only: redirects to the user's page (walked)",
    "/access/users/{public_id}/unlock/": "POST-only: redirects to the user's page (walked)",
    "/access/users/{public_id}/sessions/end/": "POST-only: redirects to the user's page (walked)",
    "/access/users/{public_id}/sessions/end-all/": "POST-only: redirects to the user's page (walked)",
    "/access/users/{public_id}/tokens/revoke/": "POST-only: redirects to the user's page (walked)",
    "/access/invitations/{public_id}/resend/": "POST-only: redirects to the invitations (walked)",
    "/access/invitations/{public_id}/revoke/": "POST-only: redirects to the invitations (walked)",
    "/reports/identifiable/{public_id}/approve/": "POST-only: redirects to the export's page (walked)",
    "/reports/exports/download/": "a file (CSV, XLSX, JSON); a refusal shows the exports page (walked)",
    "/reports/identifiable/{public_id}/refuse/": "POST-only: redirects to the export's page (walked)",
    "/reports/identifiable/{public_id}/prepare/": "POST-only: the password shown once, in a short card "
    "(tests/reports/test_identifiable_canary.py)",
    "/reports/identifiable/{public_id}/download/": "a zip download: no page",
}


@dataclass(frozen=True)
class World:
    """The objects the pages show, built through the real services."""

    draft: Incident
    under_review: Incident
    case: Survivor
    referral: Referral
    hospital: ServiceProvider
    alert: Alert
    export: IdentifiableExport


@dataclass(frozen=True)
class Visit:
    """`persona` opens `route` at the path `where(world)` builds (`route` with its values)."""

    route: str
    persona: str
    where: Callable[[World], str] | None = None

    def path(self, world: World) -> str:
        return self.where(world) if self.where else self.route

    @property
    def label(self) -> str:
        return f"{self.persona} {self.route}"


def _incident(w: World) -> str:
    return f"/incidents/{w.under_review.public_id}/"


def _case(w: World) -> str:
    return f"/survivors/{w.case.public_id}/"


VISITS: list[Visit] = [
    *[Visit("/", persona) for persona in ("reporter", "wpa", "senior_wpa", "analyst", "provider", "admin")],
    Visit("/accounts/logout/", "admin"),
    # Incidents: the reporter's own draft and forms; the reviewer's page with its action forms.
    Visit("/incidents/", "reporter"),
    Visit("/incidents/new/", "reporter"),
    Visit("/incidents/{public_id}/", "reporter", lambda w: f"/incidents/{w.draft.public_id}/"),
    Visit("/incidents/{public_id}/edit/", "reporter", lambda w: f"/incidents/{w.draft.public_id}/edit/"),
    Visit("/incidents/", "wpa", lambda w: "/incidents/?state=under_review"),
    Visit("/incidents/{public_id}/", "wpa", _incident),
    Visit("/incidents/", "analyst"),
    Visit("/incidents/{public_id}/", "analyst", _incident),
    # Survivor cases: the owner WPA, and a senior WPA who sees the break-glass form.
    Visit("/survivors/", "wpa"),
    Visit("/survivors/new/", "wpa", lambda w: f"/survivors/new/?incident={w.under_review.public_id}"),
    Visit("/survivors/search/", "wpa"),
    Visit("/survivors/{public_id}/", "wpa", _case),
    Visit("/survivors/{public_id}/edit/", "wpa", lambda w: f"{_case(w)}edit/"),
    Visit("/survivors/{public_id}/consents/new/", "wpa", lambda w: f"{_case(w)}consents/new/"),
    Visit("/survivors/", "senior_wpa"),
    Visit("/survivors/{public_id}/", "senior_wpa", _case),
    # Referrals: both steps of "Refer", the directory, and both sides of a referral.
    Visit("/referrals/new/", "wpa", lambda w: f"/referrals/new/?survivor={w.case.public_id}"),
    Visit(
        "/referrals/new/",
        "wpa",
        lambda w: f"/referrals/new/?survivor={w.case.public_id}&service_type=medical",
    ),
    Visit("/referrals/", "wpa"),
    Visit("/referrals/{public_id}/", "wpa", lambda w: f"/referrals/{w.referral.public_id}/"),
    Visit("/referrals/providers/", "wpa"),
    Visit(
        "/referrals/providers/{public_id}/",
        "wpa",
        lambda w: f"/referrals/providers/{w.hospital.public_id}/",
    ),
    Visit("/referrals/", "provider"),
    Visit("/referrals/{public_id}/", "provider", lambda w: f"/referrals/{w.referral.public_id}/"),
    # Notifications: the provider's (the referral sent her one), the senior WPA's failed list.
    Visit("/notifications/", "provider"),
    Visit("/notifications/", "wpa"),
    Visit("/notifications/failed/", "senior_wpa"),
    # The auditor's trail.
    Visit("/audit/", "auditor"),
    # Early-warning alerts: the reporter's one-screen form; the WPA's list, alert and roster.
    Visit("/incidents/alerts/new/", "reporter"),
    Visit("/incidents/alerts/", "wpa"),
    Visit("/incidents/alerts/{public_id}/", "wpa", lambda w: f"/incidents/alerts/{w.alert.public_id}/"),
    Visit(
        "/incidents/alerts/on-call/{office_id}/",
        "wpa",
        lambda w: f"/incidents/alerts/on-call/{w.alert.field_office_id}/",
    ),
    # The administrator's pages: access, invitations, the review, the service directory's forms.
    Visit("/access/", "admin"),
    Visit("/access/users/{public_id}/", "admin", lambda w: f"/access/users/{w.draft.reported_by.public_id}/"),
    Visit("/access/invitations/", "admin"),
    Visit("/access/review/", "admin"),
    Visit("/referrals/providers/new/", "admin"),
    Visit(
        "/referrals/providers/{public_id}/edit/",
        "admin",
        lambda w: f"/referrals/providers/{w.hospital.public_id}/edit/",
    ),
    # The statistics: the analyst's dashboard (the mission) and the WPA's (her offices), the exports.
    Visit("/reports/", "analyst"),
    Visit("/reports/", "wpa"),
    Visit("/reports/exports/", "analyst"),
    # Identifiable exports: the WPA's list and request form; the senior WPA's decision page.
    Visit("/reports/identifiable/", "wpa"),
    Visit("/reports/identifiable/new/", "wpa"),
    Visit(
        "/reports/identifiable/{public_id}/",
        "senior_wpa",
        lambda w: f"/reports/identifiable/{w.export.public_id}/",
    ),
]

# Walked by the sign-in of every persona, and by `test_first_sign_in_fits_a_phone`.
WALKED_ELSEWHERE = {"/accounts/login/", "/accounts/two-factor/", "/accounts/two-factor/setup/"}

_MEASURE = """() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  // The outermost elements that reach past the right edge outside any box that clips or scrolls.
  const outermost = [];
  const walk = (el, parentOut) => {
    const right = el.getBoundingClientRect().right;
    const out = right > width + 0.5;
    if (out && !parentOut) outermost.push(name(el) + ' (' + Math.round(right - width) + ' px)');
    if (getComputedStyle(el).overflowX !== 'visible') return;
    for (const child of el.children) walk(child, out);
  };
  for (const child of document.body.children) walk(child, false);
  // A positioned element escapes a scrolling box that is not its containing block.
  for (const el of document.body.querySelectorAll('*')) {
    const right = el.getBoundingClientRect().right;
    if (right > width + 0.5 && ['absolute', 'fixed'].includes(getComputedStyle(el).position)) {
      outermost.push('positioned ' + name(el) + ' (' + Math.round(right - width) + ' px)');
    }
  }
  const nav = performance.getEntriesByType('navigation')[0];
  const assets = performance.getEntriesByType('resource')
    .map((r) => [r.name, r.transferSize || r.encodedBodySize]);
  return {
    scrollWidth: root.scrollWidth, width: width, outermost: outermost.slice(0, 5),
    document: nav.transferSize || nav.encodedBodySize, assets: assets,
  };
}"""


class PhoneCheck:
    """Measures pages as they load and keeps every finding, so one run reports them all."""

    def __init__(self) -> None:
        from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]  # no types shipped

        self.axe = Axe()
        self.findings: list[str] = []
        self.lines: list[str] = []

    def __call__(self, page: Any, label: str = "") -> None:
        label = label or re.sub(r"^https?://[^/]+", "", page.url)
        page.wait_for_load_state("load")
        found = page.evaluate(_MEASURE)
        if SHOTS:  # to look at the pages: CRSV_PHONE_SHOTS=<folder>
            page.screenshot(
                path=f"{SHOTS}/{len(self.lines):02d}-{re.sub(r'[^a-z_]+', '-', label)}.png", full_page=True
            )
        overflow = found["scrollWidth"] - found["width"]
        weight = found["document"] + sum(size for _, size in found["assets"])
        self.lines.append(f"{label}: overflow {overflow} px, {weight / 1024:.1f} KB")
        if overflow > 0 or found["width"] > WIDTH:
            self.findings.append(
                f"{label}: scrolls sideways by {overflow} px (width {found['width']}); "
                f"sticking out: {', '.join(found['outermost']) or '?'}"
            )
        if weight >= WEIGHT_LIMIT:
            self.findings.append(f"{label}: {weight} bytes on the wire (assets: {found['assets']})")
        options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
        for violation in self.axe.run(page, options=options).response["violations"]:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:4]]
            self.findings.append(f"{label}: axe {violation['id']} ({violation['help']}) at {targets}")

    def assert_clean(self) -> None:
        print("\n".join(self.lines))  # the measurements, shown with -s
        assert not self.findings, "\n".join(self.findings)


def phone_page(chromium: Any) -> Any:
    """A page of a new 360 x 740 context with the browser cache off: every page pays for its assets."""
    context = chromium.new_context(locale="en-GB", viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    page.set_default_timeout(15000)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    return page


@pytest.fixture
def world(
    reporter: User,
    wpa: User,
    senior_wpa: User,
    analyst: User,
    admin_user: User,
    auditor: User,
    provider: User,  # noqa: F811
    hospital: ServiceProvider,  # noqa: F811
    make_survivor: Callable[..., Survivor],
    consent: Callable[..., Consent],  # noqa: F811
    refer: Callable[..., Referral],  # noqa: F811
) -> World:
    location: Location = LocationFactory()  # type: ignore[assignment]  # factory_boy builds a Location
    draft = incident_in_state("draft", reporter=reporter, reviewer=wpa, location=location)
    under_review = incident_in_state("under_review", reporter=reporter, reviewer=wpa, location=location)
    case = make_survivor(wpa, name="Esperance Kavira-Mumbere", phone="+243 970 000 001")
    consent(case)
    referral = refer(case, send=True, note="Within 72 hours of the assault.")
    alert = alert_create(
        actor=reporter,
        source=Alert.Source.COMMUNITY_ALERT_NETWORK,
        location=location,
        indicators=[Alert.Indicator.THREATS, Alert.Indicator.ARMED_PRESENCE],
        urgency=Alert.Urgency.HIGH,
        description="Armed men seen near the market at dusk.",
    ).alert
    consent(case, Consent.Purpose.SHARE_IDENTIFIABLE, provider=hospital)
    export = identifiable_export_request(
        actor=wpa,
        recipient=IdentifiableExport.Recipient.PROVIDER,
        provider=hospital,
        survivor_codes=[case.code],
        reason="The hospital's legal clinic prepares her complaint.",
    )
    return World(draft, under_review, case, referral, hospital, alert, export)


PERSONAS = sorted({visit.persona for visit in VISITS})


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_fits_a_phone(live_server: Any, chromium: Any, world: World, persona: str) -> None:
    check = PhoneCheck()
    page = phone_page(chromium)
    try:
        sign_in(page, live_server.url, persona, PASSWORD, check=check if persona == "reporter" else None)
        for visit in [v for v in VISITS if v.persona == persona]:
            response = page.goto(live_server.url + visit.path(world))
            assert response is not None and response.status == 200, f"{visit.label}: {response}"
            check(page, f"{visit.label} ({visit.path(world)})")
            if visit.route == "/survivors/search/":  # the results table, found by code
                page.get_by_label("Survivor code").fill(world.case.code)
                page.get_by_role("button", name="Search", exact=True).click()
                page.wait_for_selector("#results-heading")
                check(page, f"{visit.label} (results)")
    finally:
        page.context.close()
    check.assert_clean()


def test_first_sign_in_fits_a_phone(live_server: Any, chromium: Any, office: Any) -> None:
    """The enrolment page (QR code) and the recovery codes, as a new user sees them."""
    from crsv.accounts.two_factor import totp_device
    from tests.conftest import current_code

    newcomer: User = UserFactory(  # type: ignore[assignment]  # factory_boy builds a User
        username="newcomer", roles=["wpa"], offices=[office]
    )
    check = PhoneCheck()
    page = phone_page(chromium)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("newcomer")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/accounts/two-factor/setup/**")
        check(page, "newcomer /accounts/two-factor/setup/")
        page.get_by_label("Code").fill(current_code(totp_device(newcomer, confirmed=False)))
        page.get_by_role("button", name=re.compile("Confirm|Verify")).click()
        page.wait_for_selector("h1")
        check(page, "newcomer recovery codes")
    finally:
        page.context.close()
    check.assert_clean()


def test_every_route_is_walked_or_skipped() -> None:
    walked = {visit.route for visit in VISITS} | WALKED_ELSEWHERE

    def skipped(route: str) -> bool:
        return any(route == s or (s.endswith("/") and route.startswith(s)) for s in SKIPPED)

    missing = [r for r in every_route_template() if r not in walked and not skipped(r)]
    assert not missing, f"routes neither walked at 360 px nor skipped with a reason: {missing}"
    stale = sorted(walked - set(every_route_template()))
    assert not stale, f"walked routes the URLconf no longer has: {stale}"

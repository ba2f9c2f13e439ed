"""Issue 5's journey: `senior_wpa` grants `wpa_bunia` access to a Goma case for a day;
`wpa_bunia` (with TOTP) opens it and sees the name; `senior_wpa` revokes; `wpa_bunia`'s next
click is refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from crsv.accounts.models import User
from crsv.audit.models import AccessEvent, AuditEvent
from survivors.identity import SurvivorIdentity
from survivors.models import Survivor, SurvivorUserObjectPermission
from survivors.services import SurvivorProfile, survivor_register
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NAME = "Furaha Journey-Mapendo"


@pytest.fixture
def second_page(chromium: Any) -> Iterator[Any]:
    """Another browser (its own cookies): the grantee's."""
    context = chromium.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def goma_case(wpa: User, office: Any) -> Survivor:
    return survivor_register(
        actor=wpa,
        field_office=office,
        identity=SurvivorIdentity(name=NAME, phone="0970 321 654"),
        profile=SurvivorProfile(sex=Survivor.Sex.FEMALE, age=31),
    )


def test_senior_wpa_grants_for_a_day_then_revokes(
    live_server: Any, page: Any, second_page: Any, senior_wpa: User, wpa_other: User, goma_case: Survivor
) -> None:
    case_url = f"{live_server.url}/survivors/{goma_case.public_id}/"

    # The senior WPA opens the Goma case: code and profile, not who she is.
    sign_in(page, live_server.url, "senior_wpa", PASSWORD)
    page.goto(case_url)
    assert goma_case.code in page.locator("h1").inner_text()
    assert NAME not in page.content()

    # Grant wpa_bunia access until this time tomorrow, typed in Goma's time zone.
    tomorrow = (timezone.now() + timedelta(days=1)).astimezone(ZoneInfo("Africa/Lubumbashi"))
    page.get_by_label("Give access to").select_option(label=wpa_other.display_name)
    page.get_by_label("Until").fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Grant access").click()
    page.wait_for_selector("text=now has access to this case")
    grant = SurvivorUserObjectPermission.objects.get()
    assert grant.user == wpa_other
    assert grant.expires_at is not None
    assert abs(grant.expires_at - tomorrow.replace(second=0, microsecond=0)) < timedelta(seconds=1)
    access = page.locator("section[aria-labelledby=access-heading]")
    assert wpa_other.display_name in access.inner_text()

    # wpa_bunia, in her own browser, signs in with her code and opens the case: she sees the name.
    sign_in(second_page, live_server.url, "wpa_bunia", PASSWORD)
    second_page.goto(case_url)
    assert second_page.get_by_text(NAME).is_visible()
    assert AccessEvent.objects.filter(actor=wpa_other, survivor_public_id=goma_case.public_id).count() == 1

    # The senior WPA revokes.
    page.reload()
    page.get_by_role("button", name=f"Revoke {wpa_other.display_name}").click()
    page.wait_for_selector("text=no longer has access to this case")
    assert not SurvivorUserObjectPermission.objects.exists()
    assert AuditEvent.objects.filter(action="survivor.revoke", actor=senior_wpa).count() == 1

    # wpa_bunia's next click is refused.
    response = second_page.reload()
    assert response is not None and response.status == 404
    assert NAME not in second_page.content()
    assert AccessEvent.objects.filter(actor=wpa_other).count() == 1

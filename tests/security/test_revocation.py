"""Revocation: once a role, a field-office membership or a survivor grant is removed, or the
user is deactivated, her very next request is refused, in the browser (a signed-in session,
second factor passed) and on the API (a bearer token), both made *before* the change.

Every change goes through the real services: `user_access_change` (what the access pages and
the admin site call) and `survivor_revoke`. A change of roles or offices, and a deactivation,
end the user's sessions and tokens (DESIGN §3), so the old session is sent to sign in and the
old token gets 401; signed in again, she no longer reaches what she lost (404: out of scope).
A revoked grant ends no session: the same session and token get 404 at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from crsv.accounts.services import api_token_issue, user_access_change
from incidents.models import Incident
from survivors.models import Survivor
from survivors.services import survivor_grant, survivor_revoke
from tests.conftest import verify_second_factor
from tests.factories import PASSWORD, UserFactory
from tests.incidents.factories import LocationFactory, incident_in_state
from tests.matrix_positions import case_register, organisation_of, referral_sent

pytestmark = pytest.mark.django_db


@dataclass
class Doors:
    """One user's open browser session and API token, made before the change."""

    user: User
    browser: Client
    api: APIClient


def doors_open(user: User) -> Doors:
    browser = Client()
    browser.force_login(user)
    verify_second_factor(browser, user)
    raw, _token = api_token_issue(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return Doors(user=user, browser=browser, api=api)


@dataclass
class Reach:
    """What the user reaches before the change: pages and API paths, each answering 200."""

    pages: list[str]
    api: list[str]


def reach_of(survivor: Survivor, referral: Any, incident: Incident | None = None) -> Reach:
    pages = [f"/survivors/{survivor.public_id}/", f"/referrals/{referral.public_id}/"]
    api = [f"/api/v1/survivors/{survivor.public_id}/", f"/api/v1/referrals/{referral.public_id}/"]
    if incident is not None:
        pages.append(f"/incidents/{incident.public_id}/")
        api.append(f"/api/v1/incidents/{incident.public_id}/")
    return Reach(pages=pages, api=api)


def statuses(doors: Doors, reach: Reach) -> tuple[list[int], list[int]]:
    return (
        [doors.browser.get(page).status_code for page in reach.pages],
        [doors.api.get(path).status_code for path in reach.api],
    )


def assert_signed_out(doors: Doors, reach: Reach) -> None:
    """The old session is sent to sign in, the old token refused: credentials ended."""
    for page in reach.pages:
        response = doors.browser.get(page)
        assert response.status_code == 302, page
        assert "/accounts/login/" in response["Location"], page
    assert [doors.api.get(path).status_code for path in reach.api] == [401] * len(reach.api)


def _offices(user: User) -> list[FieldOffice]:
    return list(FieldOffice.objects.filter(memberships__user=user))


def _roles(user: User) -> list[str]:
    return list(user.groups.values_list("name", flat=True))


@pytest.fixture
def world(wpa: User, reporter: User, office: FieldOffice) -> Callable[[User], tuple[Survivor, Any, Incident]]:
    """`world(owner)`: a Goma incident the `owner` can see, a case she holds linked to it, and
    a sent referral of the case (to a Goma hospital)."""

    def build(owner: User) -> tuple[Survivor, Any, Incident]:
        location = LocationFactory(pcode="CD61", name="Nord-Kivu", admin_level=1)
        incident = incident_in_state("submitted", reporter=reporter, reviewer=wpa, location=location)
        survivor = case_register(wpa, incident=incident)
        nurse = UserFactory(username="nurse", roles=[Role.PROVIDER], offices=[office])
        referral = referral_sent(wpa, survivor, organisation_of(nurse, office))
        return survivor, referral, incident

    return build


def test_a_removed_role_ends_the_session_and_the_reach(
    world: Callable[[User], tuple[Survivor, Any, Incident]], wpa: User, admin_user: User
) -> None:
    survivor, referral, incident = world(wpa)
    reach = reach_of(survivor, referral, incident)
    doors = doors_open(wpa)
    assert statuses(doors, reach) == ([200, 200, 200], [200, 200, 200])

    user_access_change(
        actor=admin_user, user=wpa, roles=[Role.REPORTER], offices=_offices(wpa), is_active=True
    )

    assert_signed_out(doors, reach)
    # Signed in again as a reporter: the case and its referral are gone, the office's incident
    # stays (a reporter sees her office's submitted incidents).
    assert statuses(doors_open(wpa), reach) == ([404, 404, 200], [404, 404, 200])


def test_a_removed_membership_ends_the_session_and_the_reach(
    world: Callable[[User], tuple[Survivor, Any, Incident]],
    wpa: User,
    admin_user: User,
    other_office: FieldOffice,
) -> None:
    user_access_change(
        actor=admin_user, user=wpa, roles=_roles(wpa), offices=[*_offices(wpa), other_office], is_active=True
    )
    survivor, referral, incident = world(wpa)
    reach = reach_of(survivor, referral, incident)
    doors = doors_open(wpa)
    assert statuses(doors, reach) == ([200, 200, 200], [200, 200, 200])

    user_access_change(actor=admin_user, user=wpa, roles=_roles(wpa), offices=[other_office], is_active=True)

    assert_signed_out(doors, reach)
    # Signed in again, a WPA of Bunia only: Goma's case (dormant, still assigned to her), its
    # referral and Goma's incident are out of her scope.
    assert statuses(doors_open(wpa), reach) == ([404, 404, 404], [404, 404, 404])


def test_a_revoked_grant_is_refused_on_the_same_session_and_token(
    world: Callable[[User], tuple[Survivor, Any, Incident]],
    wpa: User,
    wpa_other: User,
    senior_wpa: User,
) -> None:
    """The Bunia WPA reads a Goma case through a grant; revoked, her open session and token
    get 404 on the case and its referral at once (a grant's end ends no session)."""
    survivor, referral, _incident = world(wpa)
    survivor_grant(actor=senior_wpa, survivor=survivor, grantee=wpa_other)
    reach = reach_of(survivor, referral)
    doors = doors_open(wpa_other)
    assert statuses(doors, reach) == ([200, 200], [200, 200])

    survivor_revoke(actor=senior_wpa, survivor=survivor, grantee=wpa_other)

    assert statuses(doors, reach) == ([404, 404], [404, 404])
    assert doors.browser.get("/survivors/").status_code == 200  # still signed in
    listed = doors.api.get("/api/v1/survivors/").json()["results"]
    assert str(survivor.public_id) not in {row["public_id"] for row in listed}


def test_deactivation_ends_the_session_and_the_token(
    world: Callable[[User], tuple[Survivor, Any, Incident]], wpa: User, admin_user: User
) -> None:
    survivor, referral, incident = world(wpa)
    reach = reach_of(survivor, referral, incident)
    doors = doors_open(wpa)
    assert statuses(doors, reach) == ([200, 200, 200], [200, 200, 200])

    user_access_change(actor=admin_user, user=wpa, roles=_roles(wpa), offices=_offices(wpa), is_active=False)

    assert_signed_out(doors, reach)
    assert doors.browser.get("/").status_code == 302
    assert not Client().login(username=wpa.username, password=PASSWORD)


def test_the_active_flag_alone_refuses_the_next_request(
    world: Callable[[User], tuple[Survivor, Any, Incident]], wpa: User
) -> None:
    """Defence in depth: an account made inactive without the service (a data fix, a script),
    so with her sessions and tokens not ended, is refused all the same on both doors."""
    survivor, referral, incident = world(wpa)
    reach = reach_of(survivor, referral, incident)
    doors = doors_open(wpa)
    assert statuses(doors, reach) == ([200, 200, 200], [200, 200, 200])

    User.objects.filter(pk=wpa.pk).update(is_active=False)

    assert_signed_out(doors, reach)

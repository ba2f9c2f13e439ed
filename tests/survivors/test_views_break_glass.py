"""Break-glass from the case page, and the "Recent break-glass access" section that the other
senior WPAs of the mission see on their home page (issue 5)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crsv.accounts.models import User
from crsv.audit.models import AccessEvent, AuditEvent
from survivors.models import BreakGlass, Survivor
from survivors.services import survivor_break_glass, survivor_erase, survivor_grant
from tests.survivors.test_views_grants import (
    NAME,
    OUT_OF_SCOPE,
    detail,
    owned,
    senior_abroad,
    senior_bunia,
    signed_in,
)

pytestmark = pytest.mark.django_db
__all__ = ["owned", "senior_abroad", "senior_bunia"]  # fixtures used here

REASON = "Canary-Reason-Hotline-7Q: she called about a threat tonight"
HOME = "/"


def break_glass_url(survivor: Survivor) -> str:
    return reverse("survivors:break_glass", args=[survivor.public_id])


# --- the permission matrix -------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client: Client, owned: Survivor) -> None:
    response = client.post(break_glass_url(owned), {"reason": REASON})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not BreakGlass.objects.exists()


@pytest.mark.parametrize("persona", [*OUT_OF_SCOPE, "senior_abroad"])
def test_out_of_scope_is_404(request: pytest.FixtureRequest, owned: Survivor, persona: str) -> None:
    client = signed_in(request.getfixturevalue(persona))
    assert client.post(break_glass_url(owned), {"reason": REASON}).status_code == 404
    assert not BreakGlass.objects.exists()


@pytest.mark.parametrize("persona", ["wpa", "wpa_other"])
def test_only_a_senior_wpa_breaks_the_glass(
    request: pytest.FixtureRequest, owned: Survivor, senior_wpa: User, persona: str
) -> None:
    """The owner, and a WPA holding a grant, see the case but may not break the glass."""
    user = request.getfixturevalue(persona)
    if persona == "wpa_other":
        survivor_grant(actor=senior_wpa, survivor=owned, grantee=user)
    client = signed_in(user)
    assert client.post(break_glass_url(owned), {"reason": REASON}).status_code == 403
    assert "Break the glass" not in client.get(detail(owned)).content.decode()
    assert not BreakGlass.objects.exists()


def test_get_is_not_offered(owned: Survivor, senior_wpa: User) -> None:
    assert signed_in(senior_wpa).get(break_glass_url(owned)).status_code == 405


# --- breaking the glass ----------------------------------------------------------------------


def test_senior_wpa_breaks_the_glass_and_then_reads_the_case(owned: Survivor, senior_wpa: User) -> None:
    client = signed_in(senior_wpa)
    before = client.get(detail(owned)).content.decode()
    assert NAME not in before
    assert "Break the glass" in before
    response = client.post(break_glass_url(owned), {"reason": REASON}, follow=True)
    assert response.redirect_chain == [(detail(owned), 302)]
    body = response.content.decode()
    assert NAME in body
    assert "by breaking the glass" in body
    assert "Break the glass" not in body  # nothing more to open
    access = BreakGlass.objects.get()
    assert access.user == senior_wpa
    assert access.expires_at > timezone.now()
    audit = AuditEvent.objects.get(action="survivor.break_glass")
    assert (audit.actor, audit.object_public_id) == (senior_wpa, owned.public_id)
    view = AccessEvent.objects.get(actor=senior_wpa, kind=AccessEvent.Kind.VIEW)
    assert view.survivor_public_id == owned.public_id
    # The access list now names her, for as long as it lasts.
    assert "Break-glass" in body[body.index("Who has access and why") :]


def test_a_reason_is_required(owned: Survivor, senior_wpa: User) -> None:
    client = signed_in(senior_wpa)
    for reason in ("", "too short"):
        response = client.post(break_glass_url(owned), {"reason": reason})
        assert response.status_code == 200
        body = response.content.decode()
        assert "errorlist" in body
        assert NAME not in body
    assert not BreakGlass.objects.exists()
    assert not AuditEvent.objects.filter(action="survivor.break_glass").exists()


def test_no_glass_to_break_on_a_case_she_already_reads(
    make_survivor: Callable[..., Survivor], senior_wpa: User
) -> None:
    own = make_survivor(senior_wpa)  # a senior WPA who registers a case owns it
    client = signed_in(senior_wpa)
    assert "Break the glass" not in client.get(detail(own)).content.decode()
    response = client.post(break_glass_url(own), {"reason": REASON}, follow=True)
    assert "no need to break the glass" in response.content.decode()
    assert not BreakGlass.objects.exists()


def test_break_glass_expires_without_any_job(owned: Survivor, senior_wpa: User) -> None:
    client = signed_in(senior_wpa)
    client.post(break_glass_url(owned), {"reason": REASON})
    assert NAME in client.get(detail(owned)).content.decode()
    BreakGlass.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    body = client.get(detail(owned)).content.decode()
    assert NAME not in body
    assert "Restricted" in body


# --- the other senior WPAs' home page --------------------------------------------------------


def test_shown_to_the_other_senior_wpas_of_the_mission_with_the_reason_logged(
    owned: Survivor, senior_wpa: User, senior_bunia: User
) -> None:
    survivor_break_glass(actor=senior_wpa, survivor=owned, reason=REASON)
    response = signed_in(senior_bunia).get(HOME)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    section = body[body.index("Recent break-glass access") :]
    assert senior_wpa.display_name in section
    assert owned.code in section
    assert REASON in section
    assert NAME not in body
    event = AccessEvent.objects.get(actor=senior_bunia)
    assert (event.survivor_public_id, event.kind) == (owned.public_id, AccessEvent.Kind.LIST)


@pytest.mark.parametrize(
    "persona", ["senior_wpa", "wpa", "wpa_other", "reporter", "analyst", "senior_abroad"]
)
def test_not_shown_to_anyone_else(
    request: pytest.FixtureRequest, owned: Survivor, senior_wpa: User, persona: str
) -> None:
    """Not to the one who broke the glass (her own act), nor a WPA, nor another mission."""
    survivor_break_glass(actor=senior_wpa, survivor=owned, reason=REASON)
    viewer = request.getfixturevalue(persona)
    body = signed_in(viewer).get(HOME).content.decode()
    assert REASON not in body
    assert owned.code not in body
    if persona in ("senior_wpa", "senior_abroad"):  # senior WPAs: the section, without this entry
        assert "None in the last 7 days." in body
    else:
        assert "Recent break-glass access" not in body
    assert not AccessEvent.objects.filter(actor=viewer, kind=AccessEvent.Kind.LIST).exists()


def test_only_the_last_seven_days(owned: Survivor, senior_wpa: User, senior_bunia: User) -> None:
    access = survivor_break_glass(actor=senior_wpa, survivor=owned, reason=REASON)
    BreakGlass.objects.filter(pk=access.pk).update(opened_at=timezone.now() - timedelta(days=7, minutes=1))
    body = signed_in(senior_bunia).get(HOME).content.decode()
    assert "None in the last 7 days." in body
    assert REASON not in body
    assert not AccessEvent.objects.exists()


def test_an_erased_case_shows_erased_instead_of_the_reason(
    owned: Survivor, senior_wpa: User, senior_bunia: User
) -> None:
    survivor_break_glass(actor=senior_wpa, survivor=owned, reason=REASON)
    survivor_erase(actor=senior_wpa, survivor=owned, reason="survivor_request")
    body = signed_in(senior_bunia).get(HOME).content.decode()
    section = body[body.index("Recent break-glass access") :]
    assert owned.code in section
    assert "erased" in section
    assert REASON not in body
    assert not AccessEvent.objects.filter(actor=senior_bunia).exists()


def test_home_query_count_does_not_grow_with_openings(
    make_survivor: Callable[..., Survivor], wpa: User, senior_wpa: User, senior_bunia: User
) -> None:
    client = signed_in(senior_bunia)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(HOME).status_code == 200
        return len(captured)

    cases = [make_survivor(wpa, name=f"Case {i}") for i in range(6)]
    survivor_break_glass(actor=senior_wpa, survivor=cases[0], reason=REASON)
    client.get(HOME)
    few = queries()
    for case in cases[1:]:
        survivor_break_glass(actor=senior_wpa, survivor=case, reason=REASON)
    assert queries() == few
    assert AccessEvent.objects.filter(actor=senior_bunia).count() == 1 + 1 + 6

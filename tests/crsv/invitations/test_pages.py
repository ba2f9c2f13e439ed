"""The administrator's invitations page and the public invitation page: invite, list, resend,
revoke; then the invitee's password, her second factor, and home, with both factors done."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crsv.accounts.invitations import invitation_resend
from crsv.accounts.models import AuthenticatorDevice, FieldOffice, Invitation, User
from crsv.accounts.roles import Role
from crsv.audit.models import AuditEvent
from tests.conftest import current_code
from tests.crsv.invitations.conftest import GOOD_PASSWORD, token_of

pytestmark = pytest.mark.django_db

PAGE = "/access/invitations/"


def _form(other_office: FieldOffice, **changes: str) -> dict[str, str]:
    return {
        "username": "amani",
        "first_name": "Amani",
        "last_name": "Kahindo",
        "email": "amani@monusco.example",
        "language": "fr",
        "roles": Role.WPA,
        f"office_{other_office.pk}": "on",
        f"ends_{other_office.pk}": "",
    } | changes


def _private(response: Any) -> None:
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_an_administrator_invites_from_the_page(
    login: Callable[[User], Client], admin_user: User, other_office: FieldOffice
) -> None:
    client = login(admin_user)
    last_day = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.post(PAGE, _form(other_office, **{f"ends_{other_office.pk}": last_day}))
    assert response.status_code == 302 and response["Location"] == PAGE
    invitation = Invitation.objects.get()
    assert invitation.user.username == "amani" and invitation.invited_by == admin_user
    assert str(invitation.user.memberships.get().ends_on) == last_day
    page = client.get(PAGE).content.decode()
    assert "Invitation e-mailed to amani@monusco.example" in page
    assert "amani" in page and "Pending" in page
    assert token_of(invitation) not in page


def test_the_service_s_refusals_are_shown_next_to_their_fields(
    login: Callable[[User], Client], admin_user: User, other_office: FieldOffice, wpa: User
) -> None:
    client = login(admin_user)
    response = client.post(
        PAGE, _form(other_office, username="wpa", **{f"ends_{other_office.pk}": "2020-01-01"})
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "A user with that username already exists." in page
    assert "The end date of Bunia is in the past" in page
    response = client.post(PAGE, _form(other_office, roles=[Role.ADMIN, Role.WPA]))  # type: ignore[arg-type]
    assert response.status_code == 400
    assert "cannot be combined with any other role" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("persona", ["wpa", "senior_wpa", "auditor", "no_role"])
def test_other_roles_are_refused(
    login: Callable[[User], Client],
    request: pytest.FixtureRequest,
    persona: str,
    other_office: FieldOffice,
    invite: Callable[..., Invitation],
) -> None:
    invitation = invite("baraka")
    client = login(request.getfixturevalue(persona))
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, _form(other_office)).status_code == 403
    assert client.post(f"{PAGE}{invitation.public_id}/revoke/").status_code == 403
    assert client.post(f"{PAGE}{invitation.public_id}/resend/").status_code == 403
    assert Invitation.objects.get().revoked_at is None and not User.objects.filter(username="amani").exists()


def test_the_list_shows_states_and_costs_the_same_for_more_rows(
    login: Callable[[User], Client],
    admin_user: User,
    invite: Callable[..., Invitation],
) -> None:
    client = login(admin_user)
    invite("one")
    client.get(PAGE)  # warm: the session, the content types
    with CaptureQueriesContext(connection) as one_row:
        assert client.get(PAGE).status_code == 200
    expired = invite("two")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    accepted = invite("three")
    Client().post(
        f"/accounts/invitation/{token_of(accepted)}/",
        {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD},
    )
    replaced = invite("four")
    invitation_resend(actor=admin_user, invitation=replaced)
    with CaptureQueriesContext(connection) as five_rows:
        page = client.get(PAGE).content.decode()
    assert len(five_rows) == len(one_row), [q["sql"] for q in five_rows]
    cells = re.findall(r"<td>(Pending|Expired|Accepted|Revoked)</td>", page)
    assert sorted(cells) == ["Accepted", "Expired", "Pending", "Pending"]  # revoked: on request only
    revoked = client.get(PAGE, {"state": "revoked"}).content.decode()
    assert re.findall(r"<td>(Pending|Expired|Accepted|Revoked)</td>", revoked) == ["Revoked"]
    assert client.get(PAGE, {"cursor": "forged"}).status_code == 200


def test_resend_and_revoke_buttons(
    login: Callable[[User], Client], admin_user: User, invite: Callable[..., Invitation]
) -> None:
    client = login(admin_user)
    invitation = invite()
    assert client.get(f"{PAGE}{invitation.public_id}/resend/").status_code == 405
    response = client.post(f"{PAGE}{invitation.public_id}/resend/")
    assert response.status_code == 302
    invitation.refresh_from_db()
    newer = Invitation.objects.get(revoked_at__isnull=True)
    assert invitation.revoked_at is not None and newer.user == invitation.user
    assert client.post(f"{PAGE}{newer.public_id}/revoke/").status_code == 302
    newer.refresh_from_db()
    assert newer.revoked_at is not None
    assert "was revoked" in client.get(PAGE).content.decode()
    unknown = "8a0b2f4e-3c1d-4e5f-9a6b-7c8d9e0f1a2b"
    assert client.post(f"{PAGE}{unknown}/revoke/").status_code == 404


def test_the_invitee_sets_her_password_enrols_and_is_home(
    client: Client, invite: Callable[..., Invitation]
) -> None:
    invitation = invite()
    link = f"/accounts/invitation/{token_of(invitation)}/"
    page = client.get(link)
    assert page.status_code == 200 and "amani" in page.content.decode()
    _private(page)
    mismatch = client.post(link, {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD + "x"})
    assert mismatch.status_code == 400
    weak = client.post(link, {"password1": "password1234", "password2": "password1234"})
    assert weak.status_code == 400 and "too common" in weak.content.decode()
    _private(weak)
    done = client.post(link, {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/two-factor/setup/?next=/"
    _private(done)
    # Signed in with her password only: nothing but the second factor's pages until she enrols.
    assert client.get("/incidents/")["Location"].startswith("/accounts/two-factor/")
    setup = client.get(done["Location"])
    assert setup.status_code == 200 and "data:image/svg+xml" in setup.content.decode()
    device = AuthenticatorDevice.objects.get(user=invitation.user, confirmed=False)
    codes = client.post(done["Location"], {"token": current_code(device), "next": "/"})
    assert codes.status_code == 200 and "recovery codes" in codes.content.decode()
    home = client.get("/")
    assert home.status_code == 200 and home.wsgi_request.user.is_verified()  # type: ignore[union-attr]
    assert client.get("/incidents/").status_code == 200
    again = client.get(link)
    assert again.status_code == 410
    _private(again)
    actions = set(AuditEvent.objects.filter(actor=invitation.user).values_list("action", flat=True))
    assert {AuditEvent.Action.INVITATION_ACCEPTED, AuditEvent.Action.LOGIN, "two_factor.enrolled"} <= actions


@pytest.mark.parametrize("how", ["used", "revoked", "expired", "deactivated", "unknown"])
def test_every_unusable_link_gets_one_neutral_page(
    client: Client, invite: Callable[..., Invitation], admin_user: User, how: str
) -> None:
    invitation = invite()
    token = token_of(invitation)
    if how == "used":
        Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    elif how == "revoked":
        Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    elif how == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    elif how == "deactivated":
        User.objects.filter(pk=invitation.user_id).update(is_active=False)
    else:
        token = token[:-2] + "xx"
    for response in (
        client.get(f"/accounts/invitation/{token}/"),
        client.post(
            f"/accounts/invitation/{token}/", {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
        ),
    ):
        assert response.status_code == (404 if how == "unknown" else 410)
        _private(response)
        page = response.content.decode()
        assert "This invitation link cannot be used" in page and "amani" not in page
    assert not User.objects.get(pk=invitation.user_id).has_usable_password()


def test_csrf_is_checked(invite: Callable[..., Invitation]) -> None:
    invitation = invite()
    strict = Client(enforce_csrf_checks=True)
    link = f"/accounts/invitation/{token_of(invitation)}/"
    assert strict.post(link, {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}).status_code == 403
    invitation.refresh_from_db()
    assert invitation.accepted_at is None

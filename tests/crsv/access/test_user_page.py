"""A user's page (/access/users/<id>/): her account, the access form (errors shown with the input
kept, crafted and oversized posts refused cleanly, CSRF), the buttons, and what a superuser's
and one's own page offer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from crsv.accounts import services
from crsv.accounts.access_rules import access_of, access_version
from crsv.accounts.models import ApiToken, FieldOffice, Membership, User, UserSession
from crsv.accounts.roles import Role
from crsv.audit.models import AccessEvent, AuditEvent
from tests.conftest import verify_second_factor
from tests.crsv.access.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _bunia(other_office: FieldOffice) -> None:
    """Bunia is an office of the form in every test here."""


def page(user: User, suffix: str = "") -> str:
    return f"/access/users/{user.public_id}/{suffix}"


def form_data(user: User, **overrides: Any) -> dict[str, Any]:
    data = {"version": access_version(access_of(user)), "roles": [Role.WPA], "offices": ["MONUSCO-GOM"]}
    return data | overrides


def roles_of(user: User) -> set[str]:
    return set(Group.objects.filter(user=user).values_list("name", flat=True))


def test_the_page_shows_her_account_sessions_and_tokens(admin_user: User, target: User) -> None:
    signed_in(target)
    _raw, token = services.api_token_issue(user=target)
    client = signed_in(admin_user)

    response = client.get(page(target))

    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Amani Kabila", "amani@example.org", "Women Protection Advisor", "End this session"):
        assert text in html, text
    assert f'name="token" value="{token.public_id}"' in html
    assert 'name="offices" value="MONUSCO-GOM"' in html and "checked" in html
    assert UserSession.objects.get(user=target).session_key not in html  # a credential
    assert "/survivors/" not in html
    assert not AccessEvent.objects.exists()  # no survivor data read for it
    assert response["Cache-Control"].startswith("max-age=0")


def test_saving_roles_and_an_office_with_an_end_date(admin_user: User, target: User) -> None:
    client = signed_in(admin_user)
    last_day = timezone.localdate() + timedelta(days=20)
    data = form_data(target, roles=[Role.SENIOR_WPA], offices=["MONUSCO-GOM", "MONUSCO-BUN"])
    data["until-MONUSCO-BUN"] = last_day.isoformat()
    data["until-MONUSCO-KIS"] = "2000-01-01"  # no such office: not a field, ignored

    response = client.post(page(target), data)

    assert response.status_code == 302 and response["Location"] == page(target)
    assert roles_of(target) == {Role.SENIOR_WPA}
    ends = dict(Membership.objects.filter(user=target).values_list("field_office__code", "ends_on"))
    assert ends == {"GOM": None, "BUN": last_day}
    event = AuditEvent.objects.get(action=AuditEvent.Action.USER_ACCESS_CHANGED)
    assert event.changes["office_end_dates"]["after"] == {"MONUSCO-BUN": last_day.isoformat()}
    assert "It applies from the user&#x27;s next request." in client.get(page(target)).content.decode()


def test_a_refused_change_is_shown_with_the_input_kept(admin_user: User, target: User) -> None:
    client = signed_in(admin_user)
    past = (timezone.localdate() - timedelta(days=3)).isoformat()
    data = form_data(target, roles=[Role.ADMIN, Role.WPA], offices=["MONUSCO-GOM", "MONUSCO-BUN"])
    data["until-MONUSCO-BUN"] = past

    response = client.post(page(target), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "The Administrator role cannot be combined with any other role" in html
    assert "The end date of Bunia is in the past" in html
    assert f'value="{past}"' in html  # what she typed is still there
    assert 'value="admin"' in html and html.count("checked") >= 3
    assert roles_of(target) == {Role.WPA}
    assert not AuditEvent.objects.filter(action__startswith="user.").exists()


@pytest.mark.parametrize(
    "crafted",
    [
        {"roles": ["root"]},
        {"offices": ["MONUSCO-XXX"]},
        {"offices": "1"},
        {"until-MONUSCO-GOM": "31/31/2026"},
        {"version": "x" * 65},
        {"version": ""},
    ],
)
def test_crafted_posts_are_refused_and_nothing_written(
    admin_user: User, target: User, crafted: dict[str, Any]
) -> None:
    client = signed_in(admin_user)
    response = client.post(page(target), form_data(target, roles=[Role.REPORTER]) | crafted)
    assert response.status_code == 400
    assert roles_of(target) == {Role.WPA}
    assert not AuditEvent.objects.filter(action__startswith="user.").exists()


def test_a_post_of_two_thousand_offices_is_refused_cleanly(admin_user: User, target: User) -> None:
    client = signed_in(admin_user)
    data = form_data(target, offices=[f"MONUSCO-X{n:04d}" for n in range(2000)])
    assert client.post(page(target), data).status_code == 400  # too many fields: Django's own limit
    data = form_data(target, offices=["MONUSCO-GOM"] * 900)  # under that limit, all the same
    assert client.post(page(target), data).status_code == 302
    assert Membership.objects.filter(user=target).count() == 1


def test_a_change_from_a_stale_page_shows_the_access_as_it_is_now(
    admin_user: User, admin_two: User, target: User
) -> None:
    client = signed_in(admin_user)
    data = form_data(target, roles=[Role.WPA, Role.REPORTER])
    services.user_access_change(
        actor=admin_two, user=target, roles=[Role.ANALYST], offices=target.offices(), is_active=True
    )

    response = client.post(page(target), data)

    assert response.status_code == 409
    assert "Another administrator changed this user&#x27;s access" in response.content.decode()
    assert response.context["form"]["roles"].value() == [Role.ANALYST]
    assert roles_of(target) == {Role.ANALYST}


def test_the_forms_need_the_csrf_token(admin_user: User, target: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    verify_second_factor(client, admin_user)
    for suffix, data in [("", form_data(target, roles=[Role.REPORTER])), ("active/", {"is_active": "0"})]:
        assert client.post(page(target, suffix), data).status_code == 403
    target.refresh_from_db()
    assert target.is_active and roles_of(target) == {Role.WPA}


def test_the_buttons(admin_user: User, target: User, api_client: Any) -> None:
    browser = signed_in(target)
    raw, token = services.api_token_issue(user=target)
    client = signed_in(admin_user)
    session = UserSession.objects.get(user=target)

    assert client.post(page(target, "sessions/end/"), {"session": "x"}).status_code == 400
    assert client.post(page(target, "sessions/end/"), {"session": session.pk + 10_000}).status_code == 404
    assert client.post(page(target, "sessions/end/"), {"session": session.pk}).status_code == 302
    assert browser.get("/").status_code == 302
    assert client.post(page(target, "tokens/revoke/"), {"token": "not-a-uuid"}).status_code == 400
    assert client.post(page(target, "tokens/revoke/"), {"token": token.public_id}).status_code == 302
    assert api_client.get("/api/v1/incidents/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert client.post(page(target, "active/"), {"is_active": "yes"}).status_code == 400
    assert client.post(page(target, "active/"), {"is_active": "0"}).status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert "Reactivate" in client.get(page(target)).content.decode()
    assert client.post(page(target, "active/"), {"is_active": "1"}).status_code == 302
    assert client.post(page(target, "two-factor/reset/")).status_code == 302
    assert client.post(page(target, "unlock/")).status_code == 302
    assert client.post(page(target, "sessions/end-all/")).status_code == 302
    assert client.get(page(target, "sessions/end-all/")).status_code == 405
    actions = set(AuditEvent.objects.filter(actor=admin_user).values_list("action", flat=True))
    assert {"user.session_ended", "user.token_revoked", "user.deactivated", "user.activated"} <= actions
    assert {"two_factor.reset", "user.sessions_ended"} <= actions
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_a_superusers_page_offers_nothing(admin_user: User, root: User) -> None:
    client = signed_in(admin_user)
    response = client.get(page(root))
    assert response.status_code == 200
    html = response.content.decode()
    assert "managed on the server only" in html
    assert '<form method="post" novalidate>' not in html and "Deactivate" not in html
    assert client.post(page(root), form_data(root, roles=[Role.WPA])).status_code == 403
    assert client.post(page(root, "active/"), {"is_active": "0"}).status_code == 403
    root.refresh_from_db()
    assert root.is_active and roles_of(root) == set()


def test_her_own_page_ends_her_sessions_but_changes_nothing_else(admin_user: User) -> None:
    client = signed_in(admin_user)
    html = client.get(page(admin_user)).content.decode()
    assert "This is your own account" in html and "(this session)" in html
    assert "Deactivate" not in html and "Reset the second factor" not in html
    assert client.post(page(admin_user), form_data(admin_user, roles=[Role.SENIOR_WPA])).status_code == 403
    assert client.post(page(admin_user, "two-factor/reset/")).status_code == 403
    assert roles_of(admin_user) == {Role.ADMIN}


def test_the_navigation_links_access_for_administrators_only(admin_user: User, auditor: User) -> None:
    assert 'href="/access/"' in signed_in(admin_user).get("/").content.decode()
    assert 'href="/access/"' not in signed_in(auditor).get("/").content.decode()

"""The users list (/access/): its columns, every filter, keyset paging, and a query count that
does not grow with the rows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crsv.accounts import two_factor
from crsv.accounts.models import FieldOffice, Membership, User
from crsv.accounts.roles import Role
from tests.crsv.access.conftest import signed_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LIST = "/access/"


def _usernames(response: Any) -> list[str]:
    assert response.status_code == 200
    return [row.username for row in response.context["rows"]]


def _locked(user: User, settings: Any) -> None:
    AccessAttempt.objects.create(
        username=user.username,
        ip_address="203.0.113.9",
        user_agent="x",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        attempt_time=timezone.now(),
    )


def test_the_list_shows_each_column(
    admin_user: User, target: User, other_office: FieldOffice, settings: Any
) -> None:
    Membership.objects.create(
        user=target, field_office=other_office, ends_on=timezone.localdate() + timedelta(days=9)
    )
    User.objects.filter(pk=target.pk).update(last_active_at=timezone.now() - timedelta(hours=2))
    _locked(target, settings)
    client = signed_in(admin_user)

    response = client.get(LIST, {"q": "amani"})

    (row,) = response.context["rows"]
    assert row.name == "Amani Kabila" and row.roles == ["Women Protection Advisor"]
    assert [(o.name, o.ends_on is not None) for o in row.offices] == [("Bunia", True), ("Goma", False)]
    assert row.locked and not row.two_factor and row.is_active and row.last_active_at is not None
    html = response.content.decode()
    for text in (
        "Amani Kabila",
        "amani",
        "Women Protection Advisor",
        "MONUSCO · Bunia (until",
        "locked",
        "none",
    ):
        assert text in html, text
    assert f'href="/access/users/{target.public_id}/"' in html
    assert 'href="/access/invitations/"' in html


def test_each_filter(
    admin_user: User,
    target: User,
    wpa_other: User,
    analyst: User,
    root: User,
    other_office: FieldOffice,
    settings: Any,
) -> None:
    """`target` (WPA, Goma, active a year ago, locked), `wpa_other` (WPA, Bunia, deactivated,
    enrolled, active today), `analyst` and `root` (Goma, never active, joined long ago), the
    administrator herself (enrolled, active now)."""
    long_ago = timezone.now() - timedelta(days=400)
    User.objects.filter(pk=target.pk).update(last_active_at=long_ago)
    User.objects.filter(pk=wpa_other.pk).update(last_active_at=timezone.now(), is_active=False)
    User.objects.exclude(pk__in=[target.pk, wpa_other.pk]).update(date_joined=long_ago)
    two_factor.demo_device_ensure(user=wpa_other)
    _locked(target, settings)
    client = signed_in(admin_user)  # enrols the admin too
    User.objects.filter(pk=admin_user.pk).update(last_active_at=timezone.now())
    everyone = {"admin", "amani", "analyst", "root", "wpa_bunia"}

    assert set(_usernames(client.get(LIST))) == everyone
    assert _usernames(client.get(LIST, {"role": Role.WPA})) == ["amani", "wpa_bunia"]
    assert _usernames(client.get(LIST, {"role": "none"})) == ["root"]
    assert _usernames(client.get(LIST, {"office": "MONUSCO-BUN"})) == ["wpa_bunia"]
    assert _usernames(client.get(LIST, {"q": "kabila amani"})) == ["amani"]
    assert _usernames(client.get(LIST, {"q": "AMANI@EXAMPLE"})) == ["amani"]
    assert _usernames(client.get(LIST, {"inactive_days": "90"})) == ["amani", "analyst", "root"]
    assert _usernames(client.get(LIST, {"never_active": "on"})) == ["analyst", "root"]
    assert _usernames(client.get(LIST, {"two_factor": "yes"})) == ["admin", "wpa_bunia"]
    assert _usernames(client.get(LIST, {"two_factor": "no"})) == ["amani", "analyst", "root"]
    assert _usernames(client.get(LIST, {"locked": "yes"})) == ["amani"]
    assert "amani" not in _usernames(client.get(LIST, {"locked": "no"}))
    assert _usernames(client.get(LIST, {"status": "deactivated"})) == ["wpa_bunia"]
    assert _usernames(client.get(LIST, {"status": "active", "role": Role.WPA})) == ["amani"]


def test_bad_filters_are_shown_not_applied(admin_user: User, target: User) -> None:
    client = signed_in(admin_user)
    response = client.get(LIST, {"inactive_days": "-3", "office": "NOPE-XXX", "role": "root"})
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert set(response.context["form"].errors) == {"inactive_days", "office", "role"}


def test_keyset_paging_walks_every_user_once(admin_user: User, office: FieldOffice) -> None:
    for n in range(60):
        UserFactory(username=f"staff{n:03d}", offices=[office])
    client = signed_in(admin_user)
    seen: list[str] = []
    response = client.get(LIST, {"q": "staff"})
    while True:
        seen += _usernames(response)
        if not response.context["next_query"]:
            break
        response = client.get(f"{LIST}?{response.context['next_query']}")
    assert seen == [f"staff{n:03d}" for n in range(60)]
    assert b"First page" in response.content
    forged = client.get(LIST, {"q": "staff", "cursor": "eyJvIjpbXX0"})
    assert _usernames(forged)[:2] == ["staff000", "staff001"]  # a forged cursor: the first page


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_rows(
    admin_user: User, office: FieldOffice, other_office: FieldOffice
) -> None:
    client = signed_in(admin_user)
    _queries(client)  # the session's first request writes its own stamps
    few = _queries(client)
    for n in range(40):
        user = UserFactory(
            username=f"many{n:02d}", roles=[Role.REPORTER, Role.WPA], offices=[office, other_office]
        )
        two_factor.demo_device_ensure(user=user)
    assert len(client.get(LIST).context["rows"]) == 41
    assert _queries(client) == few
    assert few <= 12

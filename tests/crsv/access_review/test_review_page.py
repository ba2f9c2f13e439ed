"""The access review page (/access/review/): what it lists, its filters, who may open it, and a
query count that does not grow with the users."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crsv.access.review import ReviewFilter, access_review_rows
from crsv.accounts.models import FieldOffice, Membership, User
from crsv.accounts.roles import Role
from crsv.accounts.two_factor import demo_device_ensure
from crsv.audit.models import AuditEvent
from referrals.models import ProviderMembership
from survivors.models import Survivor, SurvivorUserObjectPermission
from tests.factories import UserFactory
from tests.referrals.conftest import provider_make

pytestmark = pytest.mark.django_db
URL = "/access/review/"


def _grant(survivor: Survivor, user: User, by: User, **values: Any) -> None:
    permission = Permission.objects.get(content_type__app_label="survivors", codename="access_case")
    SurvivorUserObjectPermission.objects.create(
        user=user, permission=permission, content_object=survivor, granted_by=by, **values
    )


@pytest.fixture
def scene(
    make_survivor: Callable[..., Survivor],
    wpa: User,
    wpa_other: User,
    senior_wpa: User,
    reporter: User,
    provider: User,
    admin_user: User,
    other_office: FieldOffice,
    office: FieldOffice,
) -> dict[str, Any]:
    cases = [make_survivor(senior_wpa, name=f"Case {i}") for i in range(3)]
    _grant(cases[0], wpa, senior_wpa)
    _grant(cases[1], wpa, senior_wpa, expires_at=timezone.now() + timedelta(days=1))
    _grant(cases[2], wpa, senior_wpa, expires_at=timezone.now() - timedelta(days=1))  # expired
    _grant(cases[0], reporter, senior_wpa)
    hospital = provider_make("Hôpital HEAL Africa", [office])
    ProviderMembership.objects.create(user=provider, provider=hospital)
    Membership.objects.create(user=wpa, field_office=other_office, ends_on=date(2099, 6, 30))
    Membership.objects.filter(user=reporter, field_office=office).update(ends_on=date(2020, 1, 31))
    User.objects.filter(pk=wpa.pk).update(last_active_at=timezone.now())
    demo_device_ensure(user=wpa)
    User.objects.filter(pk=wpa_other.pk).update(is_active=False)
    return {"cases": cases}


def _rows(admin: User, **filters: Any) -> dict[str, Any]:
    return {row.username: row for row in access_review_rows(user=admin, filters=ReviewFilter(**filters))}


def test_every_user_with_roles_offices_grants_and_activity(scene: dict[str, Any], admin_user: User) -> None:
    rows = _rows(admin_user)
    wpa = rows["wpa"]
    assert wpa.roles == [Role.WPA]
    assert [(o.label, o.ends_on, o.ended) for o in wpa.offices] == [
        ("MONUSCO-BUN", date(2099, 6, 30), False),
        ("MONUSCO-GOM", None, False),
    ]
    assert wpa.extra == [2, ""]  # two live grants (the expired one is not counted); no organisation
    assert wpa.two_factor and wpa.is_active and wpa.last_active_at is not None
    assert rows["reporter"].extra == [1, ""]
    assert [(o.label, o.ended) for o in rows["reporter"].offices] == [("MONUSCO-GOM", True)]
    assert rows["provider"].extra == [0, "Hôpital HEAL Africa"]
    assert not rows["wpa_bunia"].is_active and not rows["wpa_bunia"].two_factor
    assert rows["wpa_bunia"].last_active_at is None
    assert list(rows) == sorted(rows)


def test_filters(scene: dict[str, Any], admin_user: User, other_office: FieldOffice) -> None:
    assert set(_rows(admin_user, role=Role.WPA)) == {"wpa", "wpa_bunia"}
    assert set(_rows(admin_user, office=other_office)) == {"wpa", "wpa_bunia"}
    assert set(_rows(admin_user, active=False)) == {"wpa_bunia"}
    assert set(_rows(admin_user, role=Role.WPA, active=True)) == {"wpa"}


def test_the_page_shows_them(
    scene: dict[str, Any], admin_user: User, login: Callable[[User], Client]
) -> None:
    response = login(admin_user).get(URL)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    for text in (
        "wpa_bunia",
        "Women Protection Advisor",
        "Bunia",
        "Hôpital HEAL Africa",
        "Case grants",
        "Inactive",
    ):
        assert text in page, text
    assert "ended" in page  # the reporter's Goma membership, past its end date
    response = login(admin_user).get(URL, {"role": Role.PROVIDER})
    page = response.content.decode()
    assert "Hôpital HEAL Africa" in page and "wpa_bunia" not in page
    assert 'href="/access/review/export.csv?role=provider"' in page


def test_a_bad_filter_lists_nothing(admin_user: User, login: Callable[[User], Client]) -> None:
    response = login(admin_user).get(URL, {"office": "999999"})
    assert response.status_code == 200
    assert "No account matches." in response.content.decode()


def test_the_auditor_may_review_and_the_others_are_refused(
    auditor: User, wpa: User, senior_wpa: User, login: Callable[[User], Client]
) -> None:
    assert login(auditor).get(URL).status_code == 200
    assert login(wpa).get(URL).status_code == 403
    assert login(senior_wpa).get(URL).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_REVIEW_EXPORTED).exists()


def test_an_inactive_admin_is_refused(admin_user: User, login: Callable[[User], Client]) -> None:
    client = login(admin_user)
    User.objects.filter(pk=admin_user.pk).update(is_active=False)
    assert client.get(URL).status_code == 302  # signed out: an inactive user has no session


def _page_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_users(
    scene: dict[str, Any], admin_user: User, office: FieldOffice, login: Callable[[User], Client]
) -> None:
    client = login(admin_user)
    client.get(URL)
    few = _page_queries(client)
    senior = User.objects.get(username="senior_wpa")
    for i in range(30):
        user = UserFactory(username=f"extra{i}", roles=[Role.WPA], offices=[office])
        _grant(scene["cases"][i % 3], user, senior)
    many = _page_queries(client)
    assert many == few
    # The rows themselves: one query for the users, one per registered column.
    admin_user.role_names()  # read once per request with the user (crsv.accounts.scope)
    with CaptureQueriesContext(connection) as queries:
        assert len(access_review_rows(user=admin_user, filters=ReviewFilter())) > 30
    assert len(queries) == 3

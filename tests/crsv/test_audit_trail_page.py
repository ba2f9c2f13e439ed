"""The auditor's trail page: filters (actor, action, object, time range) and keyset paging."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from crsv.accounts.models import User
from crsv.audit.models import AuditEvent
from crsv.audit.selectors import TrailFilter, audit_trail_list
from crsv.audit.services import audit_record

pytestmark = pytest.mark.django_db

# The signed-in request's own two (the session and the user with her scope and unread count)
# and the page's one.
QUERIES = 3


def _events(actor: User, count: int, action: str = AuditEvent.Action.LOGIN) -> list[AuditEvent]:
    return [audit_record(actor=actor, action=action, obj=actor) for _ in range(count)]


def test_the_auditor_filters_by_actor_and_action(
    login: Any, auditor: User, wpa: User, senior_wpa: User
) -> None:
    _events(wpa, 2)
    _events(senior_wpa, 3, AuditEvent.Action.LOGOUT)
    client: Client = login(auditor)
    response = client.get("/audit/", {"actor": senior_wpa.username, "action": "logout"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 3
    assert {row.actor for row in rows} == {senior_wpa.username}
    assert b"Signed out" in response.content
    response = client.get("/audit/", {"actor": wpa.username, "action": "logout"})
    assert response.context["rows"] == []


def test_the_auditor_filters_by_object_and_time(auditor: User, wpa: User, wpa_other: User) -> None:
    _events(wpa, 1)
    (other,) = _events(wpa_other, 1)
    found, _ = audit_trail_list(
        user=auditor, filters=TrailFilter(object_type="accounts.user", object_public_id=wpa_other.public_id)
    )
    assert [row.object_public_id for row in found] == [other.object_public_id]
    now = timezone.now()
    assert audit_trail_list(user=auditor, filters=TrailFilter(since=now + timedelta(minutes=1)))[0] == []
    assert audit_trail_list(user=auditor, filters=TrailFilter(until=now - timedelta(days=1)))[0] == []
    assert len(audit_trail_list(user=auditor, filters=TrailFilter(since=now - timedelta(days=1)))[0]) >= 2


def test_the_page_filters_by_day_and_refuses_a_reversed_range(login: Any, auditor: User, wpa: User) -> None:
    _events(wpa, 1)
    client: Client = login(auditor)
    today = timezone.localdate().isoformat()
    response = client.get("/audit/", {"actor": wpa.username, "since": today, "until": today})
    assert len(response.context["rows"]) == 1
    response = client.get("/audit/", {"since": today, "until": "2000-01-01"})
    assert response.context["rows"] == []
    assert b"The end date is before the start date." in response.content


def test_keyset_pages_cover_the_trail_once_newest_first(auditor: User, wpa: User) -> None:
    _events(wpa, 7)
    filters = TrailFilter(actor=wpa.username)
    seen: list[Any] = []
    cursor = None
    while True:
        rows, cursor = audit_trail_list(user=auditor, filters=filters, cursor=cursor, size=3)
        seen += rows
        if cursor is None:
            break
    assert len(seen) == 7
    assert [row.occurred_at for row in seen] == sorted((row.occurred_at for row in seen), reverse=True)


def test_the_next_link_keeps_the_filters(login: Any, auditor: User, wpa: User) -> None:
    _events(wpa, 55)
    client: Client = login(auditor)
    response = client.get("/audit/", {"actor": wpa.username})
    assert len(response.context["rows"]) == 50
    next_query = response.context["next_query"]
    assert f"actor={wpa.username}" in next_query and "cursor=" in next_query
    response = client.get(f"/audit/?{next_query}")
    assert len(response.context["rows"]) == 5
    assert client.get("/audit/", {"actor": wpa.username, "cursor": "forged"}).status_code == 200


def test_nobody_else_reads_the_trail(wpa: User, admin_user: User) -> None:
    _events(wpa, 2)
    for user in (wpa, admin_user):
        assert audit_trail_list(user=user, filters=TrailFilter())[0] == []


def test_the_page_reads_its_rows_and_their_actors_in_one_query(
    login: Any, auditor: User, wpa: User, wpa_other: User, django_assert_num_queries: Any
) -> None:
    client: Client = login(auditor)
    client.get("/audit/")  # the session's own reads settle
    for _ in range(30):
        _events(wpa, 1)
        _events(wpa_other, 1, AuditEvent.Action.LOGOUT)
    with django_assert_num_queries(QUERIES) as captured:
        response = client.get("/audit/")
    assert len(response.context["rows"]) == 50
    assert sum("audit_auditevent" in query["sql"] for query in captured.captured_queries) == 1

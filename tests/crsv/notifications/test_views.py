"""The in-app list, the unread count in the navigation, "mark all read", the API, and the failed
deliveries a senior WPA sees (her missions' only)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from crsv.accounts.models import FieldOffice, User
from crsv.notifications.models import Notification
from crsv.notifications.services import notification_enqueue

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]


def _notify(recipients: list[Any], key: str, mission_id: int | None = None) -> list[Notification]:
    return notification_enqueue(
        kind="test.ping",
        recipients=recipients,
        object_type="tests.thing",
        object_public_id=uuid.uuid4(),
        mission_id=mission_id,
        idempotency_key=f"test.ping:{key}",
    )


def test_the_list_shows_her_own_notifications_newest_first_unread_bold(
    login: Login, wpa: User, wpa_other: User
) -> None:
    first = _notify([wpa], "a")[0]
    second = _notify([wpa], "b")[0]
    _notify([wpa_other], "c")
    Notification.objects.filter(id=first.id).update(read_at=first.created_at)

    html = login(wpa).get("/notifications/").content.decode()
    assert html.count('class="unread"') == 1 and html.count('class="read"') == 1
    assert html.index(str(second.public_id)) < html.index(str(first.public_id))
    assert '<strong><a href="/notifications/#' + str(second.public_id) in html


def test_the_navigation_counts_her_unread_and_mark_all_read_clears_it(login: Login, wpa: User) -> None:
    _notify([wpa], "a")
    _notify([wpa], "b")
    client = login(wpa)
    assert '<span class="badge">2<span class="visually-hidden"> unread' in client.get("/").content.decode()

    response = client.post("/notifications/read/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert not Notification.objects.filter(recipient=wpa, read_at__isnull=True).exists()
    assert 'class="badge"' not in client.get("/").content.decode()


def test_the_list_reads_a_constant_number_of_queries(login: Login, wpa: User) -> None:
    client = login(wpa)
    _notify([wpa], "first")
    client.get("/notifications/")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/notifications/").status_code == 200
        return len(queries)

    few = count()
    for n in range(20):
        _notify([wpa], f"more{n}")
    assert count() == few


def test_the_list_is_paged_by_keyset(login: Login, wpa: User) -> None:
    for n in range(51):
        _notify([wpa], f"k{n}")
    client = login(wpa)
    first = client.get("/notifications/")
    assert first.content.decode().count("<li class=") == 50
    cursor = first.context["next_cursor"]
    assert client.get("/notifications/", {"cursor": cursor}).content.decode().count("<li class=") == 1
    assert client.get("/notifications/", {"cursor": "forged"}).status_code == 200  # the first page


def test_the_api_lists_hers_and_marks_only_hers_read(login: Login, wpa: User, wpa_other: User) -> None:
    mine = _notify([wpa], "a")[0]
    theirs = _notify([wpa_other], "b")[0]
    client = login(wpa)
    body = client.get("/api/v1/notifications/").json()
    assert [row["public_id"] for row in body["results"]] == [str(mine.public_id)]
    assert body["results"][0]["read"] is False and body["results"][0]["text"] == "Ping"
    assert body["next"] is None

    marked = client.post(
        "/api/v1/notifications/read/",
        {"public_ids": [str(mine.public_id), str(theirs.public_id)]},
        content_type="application/json",
    )
    assert marked.json() == {"marked": 1}
    assert Notification.objects.get(id=theirs.id).read_at is None
    assert client.get("/api/v1/notifications/").json()["results"][0]["read"] is True
    refused = client.post("/api/v1/notifications/read/", {"ids": []}, content_type="application/json")
    assert refused.status_code == 400
    assert client.get("/api/v1/notifications/", {"cursor": "forged"}).status_code == 400


def test_a_senior_wpa_sees_the_failed_deliveries_of_her_missions_only(
    login: Login, senior_wpa: User, office: FieldOffice, foreign_office: FieldOffice
) -> None:
    ours = _notify(["ours@example.org"], "ours", mission_id=office.mission_id)[0]
    foreign = _notify(["theirs@example.org"], "theirs", mission_id=foreign_office.mission_id)[0]
    pending = _notify(["later@example.org"], "later", mission_id=office.mission_id)[0]
    Notification.objects.filter(id__in=[ours.id, foreign.id]).update(
        status="failed", attempts=8, last_error="SMTPDataError 451"
    )
    html = login(senior_wpa).get("/notifications/failed/").content.decode()
    assert "ours@example.org" in html and "SMTPDataError 451" in html
    assert "theirs@example.org" not in html and "later@example.org" not in html
    assert pending.status == "pending"
    assert 'href="/notifications/failed/"' in login(senior_wpa).get("/notifications/").content.decode()

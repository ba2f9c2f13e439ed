"""GET /api/v1/survivors/: the case list, its role gate, names and the access log, pagination."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crsv.accounts.models import User
from crsv.audit.models import AccessEvent
from crsv.pagination import NEWEST_FIRST, keyset_cursor_encode
from survivors.api import serializers as api_serializers
from survivors.api.views import PAGE_SIZE
from survivors.models import Survivor
from survivors.services import survivor_assign
from tests.survivors.test_api_common import (
    CANARY_NAME,
    LIST,
    access_events,
    as_user,
    erase,
    with_token,
)

pytestmark = pytest.mark.django_db

ROW_KEYS = {
    "public_id",
    "code",
    "field_office",
    "sex",
    "age",
    "age_band",
    "disability",
    "displacement_status",
    "interview_count",
    "do_not_reinterview",
    "assigned_wpa",
    "is_erased",
    "created_at",
    "identifying",
}


@pytest.mark.parametrize("persona", ["analyst", "provider", "admin_user", "auditor", "no_role"])
def test_roles_without_survivor_access_get_403_even_with_cases_in_their_office(
    request: pytest.FixtureRequest, api_client: Any, case: Survivor, persona: str
) -> None:
    user = request.getfixturevalue(persona)
    response = as_user(api_client, user).get(LIST)
    assert response.status_code == 403
    assert CANARY_NAME.encode() not in response.content
    assert access_events() == 0


def test_outsider_has_a_survivor_role_and_sees_an_empty_list(
    api_client: Any, make_survivor: Callable[..., Survivor], wpa: User, outsider: User
) -> None:
    make_survivor(wpa, name=CANARY_NAME)
    response = as_user(api_client, outsider).get(LIST)
    assert response.status_code == 200
    assert response.json() == {"next": None, "results": []}
    assert access_events() == 0


def test_wpa_sees_her_cases_with_names_and_each_reveal_is_logged_once(
    api_client: Any, make_survivor: Callable[..., Survivor], wpa: User, reporter: User, wpa_other: User
) -> None:
    own = [make_survivor(wpa, name=f"{CANARY_NAME} {i}") for i in range(3)]
    make_survivor(reporter, name="Reporter's own case")  # not assigned to the WPA: not hers
    response = as_user(api_client, wpa).get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    rows = body["results"]
    assert [r["public_id"] for r in rows] == [str(s.public_id) for s in reversed(own)]  # newest first
    assert [r["name"] for r in rows] == [f"{CANARY_NAME} {i}" for i in (2, 1, 0)]
    assert all(set(r) == ROW_KEYS | {"name"} for r in rows)
    first = rows[0]
    assert first["identifying"] is True
    assert first["assigned_wpa"] == "wpa"
    assert first["field_office"] == "GOM"
    assert first["code"] == own[2].code
    assert (first["sex"], first["age"], first["age_band"]) == ("female", 24, "18-25")
    events = AccessEvent.objects.filter(actor=wpa)
    assert sorted(str(e.survivor_public_id) for e in events) == sorted(str(s.public_id) for s in own)
    assert {(e.kind, e.ip_address) for e in events} == {(AccessEvent.Kind.API, "127.0.0.1")}
    assert AccessEvent.objects.count() == 3


def test_senior_wpa_sees_codes_and_profile_but_never_a_name(
    api_client: Any, make_survivor: Callable[..., Survivor], wpa: User, reporter: User, senior_wpa: User
) -> None:
    cases = [make_survivor(wpa, name=CANARY_NAME), make_survivor(reporter, name=CANARY_NAME)]
    response = as_user(api_client, senior_wpa).get(LIST)
    assert response.status_code == 200
    assert CANARY_NAME.encode() not in response.content
    rows = response.json()["results"]
    assert {r["code"] for r in rows} == {s.code for s in cases}
    assert all(set(r) == ROW_KEYS and r["identifying"] is False for r in rows)
    assert access_events() == 0


def test_reporter_lists_her_case_until_a_wpa_takes_it(
    api_client: Any, make_survivor: Callable[..., Survivor], reporter: User, senior_wpa: User, wpa: User
) -> None:
    survivor = make_survivor(reporter, name=CANARY_NAME)
    rows = as_user(api_client, reporter).get(LIST).json()["results"]
    assert [(r["code"], r["name"], r["assigned_wpa"]) for r in rows] == [(survivor.code, CANARY_NAME, None)]
    assert access_events(survivor) == 1
    survivor_assign(actor=senior_wpa, survivor=survivor, assignee=wpa)
    response = as_user(api_client, reporter).get(LIST)
    assert response.json()["results"] == []
    assert CANARY_NAME.encode() not in response.content
    assert access_events(survivor) == 1


def test_erased_case_is_listed_without_a_name_and_not_logged(
    api_client: Any, make_survivor: Callable[..., Survivor], wpa: User
) -> None:
    kept = make_survivor(wpa, name="Kept")
    gone = make_survivor(wpa, name=CANARY_NAME)
    erase(gone)
    response = as_user(api_client, wpa).get(LIST)
    rows = {r["public_id"]: r for r in response.json()["results"]}
    assert rows[str(gone.public_id)]["is_erased"] is True
    assert rows[str(gone.public_id)]["identifying"] is False
    assert "name" not in rows[str(gone.public_id)]
    assert rows[str(kept.public_id)]["name"] == "Kept"
    assert list(AccessEvent.objects.values_list("survivor_public_id", flat=True)) == [kept.public_id]


def test_pages_follow_the_cursor_newest_first_and_log_only_what_each_page_shows(
    api_client: Any, make_survivor: Callable[..., Survivor], wpa: User
) -> None:
    cases = [make_survivor(wpa, name=f"Case {i}") for i in range(PAGE_SIZE + 2)]
    client = as_user(api_client, wpa)
    first = client.get(LIST).json()
    assert len(first["results"]) == PAGE_SIZE
    assert first["next"]
    assert access_events() == PAGE_SIZE
    second = client.get(LIST, {"cursor": first["next"]}).json()
    assert second["next"] is None
    assert len(second["results"]) == 2
    assert access_events() == PAGE_SIZE + 2
    served = [r["public_id"] for r in first["results"] + second["results"]]
    assert served == [str(s.public_id) for s in reversed(cases)]


def test_cursor_breaks_ties_on_created_at_by_id(
    api_client: Any, make_survivor: Callable[..., Survivor], wpa: User
) -> None:
    cases = [make_survivor(wpa, name=f"Case {i}") for i in range(3)]
    same_time = cases[0].created_at
    Survivor.objects.filter(pk__in=[s.pk for s in cases]).update(created_at=same_time)
    cursor = keyset_cursor_encode(NEWEST_FIRST, [same_time, cases[1].pk])
    rows = as_user(api_client, wpa).get(LIST, {"cursor": cursor}).json()["results"]
    assert [r["public_id"] for r in rows] == [str(cases[0].public_id)]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "%%%",
        "x" * 200,
        _b64(b"not a cursor"),
        _b64(b"2026-03-01T10:20:30|5"),  # naive time
        _b64(b"2026-03-01T10:20:30+00:00|0"),
        _b64(b"2026-03-01T10:20:30+00:00|five"),
        _b64("2026-03-01T10:20:30+00:00|\u00e9".encode()),
    ],
)
def test_a_bad_cursor_is_400(api_client: Any, wpa: User, cursor: str) -> None:
    response = as_user(api_client, wpa).get(LIST, {"cursor": cursor})
    assert response.status_code == 400
    assert response.json() == {"cursor": ["Invalid cursor."]}
    assert access_events() == 0


def _list_queries(api_client: Any, user: User) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(LIST)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(("persona", "baseline"), [("wpa", 7), ("senior_wpa", 6)])
def test_query_count_does_not_grow_with_rows(
    request: pytest.FixtureRequest,
    api_client: Any,
    make_survivor: Callable[..., Survivor],
    persona: str,
    baseline: int,
) -> None:
    """Names and access events for 3 rows or 20 in the same number of queries (bearer auth, so
    each request loads the user afresh, as in production)."""
    user = request.getfixturevalue(persona)
    client = with_token(api_client, user)
    owner = request.getfixturevalue("wpa")
    for i in range(3):
        make_survivor(owner, name=f"Case {i}")
    few = _list_queries(client, user)
    for i in range(17):
        make_survivor(owner, name=f"More {i}")
    many = _list_queries(client, user)
    assert few == many
    # The baseline: token with roles, offices and missions (one query), the page, the INSERT of
    # the access events, savepoints; a senior WPA reveals no name, so writes no access event.
    assert many == baseline


def test_access_events_roll_back_if_the_response_cannot_be_built(
    api_client: Any, case: Survivor, wpa: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reveal and the body are one transaction: no body, no access event (and vice versa)."""

    def broken(self: Any, instance: Any) -> Any:
        raise RuntimeError("serializer failure")

    monkeypatch.setattr(api_serializers.SurvivorPageOutput, "to_representation", broken)
    with pytest.raises(RuntimeError):
        as_user(api_client, wpa).get(LIST)
    assert access_events() == 0


def test_bearer_token_lists_like_a_session(api_client: Any, case: Survivor, wpa: User) -> None:
    response = with_token(api_client, wpa).get(LIST)
    assert response.status_code == 200
    assert [r["name"] for r in response.json()["results"]] == ["Esperance Kavira"]
    assert access_events(case) == 1

"""The incident list API, part two: keyset pages, query counts and bearer tokens (who may list,
redaction and filters: test_api_list.py)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crsv.accounts.models import User
from incidents import selectors
from incidents.models import Incident, Location, PartyToConflict
from incidents.selectors import ORDERINGS, IncidentFilters
from incidents.services import PerpetratorData
from tests.incidents.factories import incident_draft, office_today
from tests.incidents.test_api_common import (
    LIST,
    as_user,
    with_token,
)

pytestmark = pytest.mark.django_db

# --- pagination ------------------------------------------------------------------------------


def _dated_drafts(reporter: User, location: Location, count: int) -> None:
    """Drafts with varied dates, and some without dates or references (NULLs in the orderings)."""
    today = office_today(reporter)
    for n in range(count):
        if n % 3 == 0:
            incident_draft(reporter, location=location, date_precision="", incident_date_start=None)
        else:
            incident_draft(reporter, location=location, incident_date_start=today - timedelta(days=n % 4))


@pytest.mark.parametrize("ordering", sorted(ORDERINGS))
def test_keyset_pages_cover_every_row_once_in_order_nulls_included(
    world: dict[str, Incident], reporter: User, sake: Location, ordering: str
) -> None:
    _dated_drafts(reporter, sake, 9)
    user = User.objects.get(pk=reporter.pk)
    everything = [str(i.public_id) for i in selectors.incident_list(user=user, ordering=ordering)]
    assert len(everything) > 10
    seen: list[Any] = []
    cursor = None
    for _page in range(20):
        page = selectors.incident_page(
            user=user, filters=IncidentFilters(), ordering=ordering, cursor=cursor, size=2
        )
        seen += [row.public_id for row in page.rows]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == everything


def test_next_link_keeps_the_filters_and_ends_with_null(
    api_client: Any, monkeypatch: pytest.MonkeyPatch, reporter: User, sake: Location
) -> None:
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    _dated_drafts(reporter, sake, 5)
    client = as_user(api_client, reporter)
    response = client.get(LIST, {"status": "draft", "ordering": "incident_date"})
    body = response.json()
    assert len(body["results"]) == 2
    assert body["next"].startswith("http://testserver/api/v1/incidents/?")
    assert "status=draft" in body["next"] and "ordering=incident_date" in body["next"]
    collected = [r["public_id"] for r in body["results"]]
    while body["next"]:
        body = client.get(body["next"]).json()
        collected += [r["public_id"] for r in body["results"]]
    assert len(collected) == len(set(collected)) == 5
    assert body["next"] is None


def test_a_cursor_for_another_ordering_or_forged_is_refused(
    api_client: Any, monkeypatch: pytest.MonkeyPatch, reporter: User, sake: Location
) -> None:
    monkeypatch.setattr(selectors, "PAGE_SIZE", 1)
    _dated_drafts(reporter, sake, 3)
    client = as_user(api_client, reporter)
    cursor = client.get(LIST).json()["next"].split("cursor=")[1]
    assert client.get(LIST, {"cursor": cursor}).status_code == 200
    response = client.get(LIST, {"cursor": cursor, "ordering": "reported_on"})
    assert response.status_code == 400
    assert list(response.json()) == ["cursor"]
    newest = '{"o": ["-created_at", "-id"], "v": %s}'
    for payload in (
        '["-created_at", "yesterday", 1]',  # the first version's cursors
        "[1, 2]",
        "{}",
        newest % '["yesterday", 1]',  # a text where a timestamp goes
        newest % "[null, 1]",  # created_at is never NULL
        newest % '[{"dt": "2026-03-01T10:00:00"}, 1]',  # naive
        newest % '[{"d": "2026-03-01"}, 1]',  # a date where a timestamp goes
        newest % '[{"dt": "2026-03-01T10:00:00+00:00"}, true]',  # not an id
        newest % '[{"dt": "2026-03-01T10:00:00+00:00"}, 1, 2]',
        '{"o": ["-reported_on", "-id"], "v": [{"d": "2026-03-01"}, 1]}',  # another ordering
        "[" * 100,  # deeper than any JSON this API reads: refused before parsing
    ):
        forged = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        response = client.get(LIST, {"cursor": forged})
        assert response.status_code == 400, payload
        assert response.json() == {"cursor": ["Invalid cursor: follow the `next` link of the previous page."]}
    valid = newest % '[{"dt": "2026-03-01T10:00:00+00:00"}, 1]'
    forged = base64.urlsafe_b64encode(valid.encode()).decode().rstrip("=")
    assert client.get(LIST, {"cursor": forged}).status_code == 200  # a position, not a grant


# --- query counts, tokens --------------------------------------------------------------------


def _queries(api_client: Any, user: User) -> int:
    client = as_user(api_client, user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(("persona", "expected"), [("wpa", 3), ("analyst", 4), ("reporter", 3)])
def test_list_queries_do_not_grow_with_rows(
    request: pytest.FixtureRequest,
    api_client: Any,
    make_incident: Callable[..., Incident],
    reporter: User,
    m23: PartyToConflict,
    persona: str,
    expected: int,
) -> None:
    user = request.getfixturevalue(persona)
    perpetrators = [PerpetratorData(category="non_state_armed_group", party=m23)]
    for _n in range(3):
        make_incident("under_review", reporter=reporter, perpetrators=perpetrators)
    few = _queries(api_client, user)
    for _n in range(17):
        make_incident("under_review", reporter=reporter, violations=("rape", "forced_marriage"))
    assert len(as_user(api_client, user).get(LIST).json()["results"]) == 20
    assert _queries(api_client, user) == few
    # The user's roles, offices (and for the analyst her missions), then the page.
    assert few == expected


def test_with_a_bearer_token_queries_do_not_grow_with_rows(
    api_client: Any, make_incident: Callable[..., Incident], reporter: User, wpa: User
) -> None:
    def count() -> tuple[int, int]:
        client = with_token(api_client, wpa)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST)
        assert response.status_code == 200
        return len(queries), len(response.json()["results"])

    make_incident("submitted", reporter=reporter)
    few, rows = count()
    assert rows == 1
    for _n in range(9):
        make_incident("submitted", reporter=reporter)
    assert count() == (few, 10)
    assert few <= 4  # the token with its user, roles, offices (one query, or three), the page

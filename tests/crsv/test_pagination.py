"""crsv.pagination: the one keyset paginator (incidents, survivors, locations): stable pages over
NULLs, cursors validated key by key, the depth guard before any parsing."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from crsv.pagination import (
    MAX_CURSOR_LENGTH,
    NEWEST_FIRST,
    BadCursor,
    Keyset,
    keyset_after,
    keyset_cursor_decode,
    keyset_cursor_encode,
)
from crsv.parsers import MAX_JSON_DEPTH
from incidents.models import Incident, Location
from incidents.selectors.list_page import KEYSETS
from survivors.models import Survivor

MOMENT = datetime(2026, 3, 1, 10, 20, 30, 123456, tzinfo=UTC)


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_the_last_key_must_be_unique_and_never_null() -> None:
    with pytest.raises(AssertionError):
        Keyset.of(Incident, ["-created_at"])
    with pytest.raises(AssertionError):
        Keyset.of(Incident, ["reference"])  # unique, but NULL on drafts
    assert Keyset.of(Location, ["pcode"]).order_by == ("pcode",)
    assert Keyset.of(Survivor, NEWEST_FIRST).order_by == NEWEST_FIRST


@pytest.mark.parametrize(
    ("ordering", "values"),
    [
        ("-created_at", [MOMENT, 7]),
        ("incident_date", [date(2026, 3, 1), 7]),
        ("incident_date", [None, 7]),  # a draft without a date
        ("-reference", ["MONUSCO-GOM-2026-00042", 7]),
        ("reference", [None, 7]),
    ],
)
def test_cursors_round_trip(ordering: str, values: list[Any]) -> None:
    keyset = KEYSETS[ordering]
    cursor = keyset.encode(values)
    assert len(cursor) <= MAX_CURSOR_LENGTH and "=" not in cursor
    assert keyset.decode(cursor) == values


def test_a_cursor_of_another_ordering_is_refused() -> None:
    cursor = KEYSETS["-reported_on"].encode([date(2026, 3, 1), 7])
    with pytest.raises(BadCursor):
        KEYSETS["reported_on"].decode(cursor)  # same key, other direction
    with pytest.raises(BadCursor):
        KEYSETS["-created_at"].decode(cursor)


NEWEST = '{"o": ["-created_at", "-id"], "v": %s}'


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "%%%",
        "A" * (MAX_CURSOR_LENGTH + 1),
        _b64("not json"),
        _b64('["-created_at", "2026-03-01T10:20:30+00:00", 7]'),  # the incidents' first version
        _b64(NEWEST % '["2026-03-01T10:20:30+00:00", 7]'),  # untagged: a text, not a timestamp
        _b64(NEWEST % '[{"dt": "2026-03-01T10:20:30"}, 7]'),  # naive
        _b64(NEWEST % '[{"d": "2026-03-01"}, 7]'),  # a date where a timestamp goes
        _b64(NEWEST % "[null, 7]"),  # created_at is never NULL
        _b64(NEWEST % '[{"dt": "2026-03-01T10:20:30+00:00"}, null]'),
        _b64(NEWEST % '[{"dt": "2026-03-01T10:20:30+00:00"}, true]'),  # a bool is not an id
        _b64(NEWEST % '[{"dt": "2026-03-01T10:20:30+00:00"}, 0]'),
        _b64(NEWEST % '[{"dt": "2026-03-01T10:20:30+00:00"}, "7"]'),
        _b64(NEWEST % '[{"dt": "2026-03-01T10:20:30+00:00"}]'),
        _b64(NEWEST % '[{"dt": "2026-03-01T10:20:30+00:00", "d": "2026-03-01"}, 7]'),
        _b64('{"o": ["-created_at", "-id"], "v": [{"dt": "2026-03-01T10:20:30+00:00"}, 7], "x": 1}'),
    ],
)
def test_what_this_module_did_not_make_is_refused(cursor: str) -> None:
    with pytest.raises(BadCursor):
        KEYSETS["-created_at"].decode(cursor)
    with pytest.raises(BadCursor):
        keyset_cursor_decode(NEWEST_FIRST, cursor)


def test_nesting_is_refused_before_parsing_within_the_length_cap() -> None:
    """A cursor short enough to be read still goes through the bounded loader: never a
    RecursionError, whatever the stack depth."""
    deep = _b64("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))
    assert len(deep) <= MAX_CURSOR_LENGTH
    with pytest.raises(BadCursor):
        KEYSETS["-created_at"].decode(deep)


def test_the_model_free_newest_first_cursors_are_the_models_own() -> None:
    """Survivors page newest first through `keyset_cursor_encode`, `keyset_cursor_decode` and
    `keyset_after` without naming the model: the same cursors and conditions as the model's
    keyset, in the documented format, and no other ordering."""
    survivors = Keyset.of(Survivor, NEWEST_FIRST)
    cursor = keyset_cursor_encode(NEWEST_FIRST, [MOMENT, 42])
    assert cursor == survivors.encode([MOMENT, 42])
    assert json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))) == {
        "o": ["-created_at", "-id"],
        "v": [{"dt": MOMENT.isoformat()}, 42],
    }
    assert keyset_cursor_decode(NEWEST_FIRST, cursor) == survivors.decode(cursor) == [MOMENT, 42]
    assert str(keyset_after(NEWEST_FIRST, [MOMENT, 42])) == str(survivors.after([MOMENT, 42]))
    with pytest.raises(ValueError, match="name the model"):
        keyset_cursor_encode(["-updated_at", "-id"], [MOMENT, 42])
    with pytest.raises(ValueError, match="name the model"):
        keyset_cursor_decode(["-updated_at", "-id"], cursor)


def test_after_adds_no_null_branch_on_a_key_that_is_never_null() -> None:
    """`created_at > t OR created_at IS NULL` would only cost the planner: created_at is NOT NULL."""
    condition = str(KEYSETS["created_at"].after([MOMENT, 7]))
    assert "isnull" not in condition
    assert "isnull" in str(KEYSETS["incident_date"].after([date(2026, 3, 1), 7]))


def test_a_uuid_key_round_trips() -> None:
    keyset = Keyset.of(Survivor, ["public_id"])
    key = uuid.uuid4()
    assert keyset.decode(keyset.encode([key])) == [key]

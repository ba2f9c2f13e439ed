"""Keyset ("cursor") pagination: no OFFSET and no count(*) on large tables.

A page is "the next `size` rows after the last row of the previous page" in a total order
(ordering keys ending on a unique, non-null column: the primary key). The cursor is that last
row's ordering keys, base64-encoded with the ordering they belong to: it carries nothing but
the values it is ordered by, and a cursor made for one ordering is refused by another.

Nullable keys (an incident date, a reference) follow PostgreSQL's default placement, which is
what `order_by` produces: NULLs last in ascending order, first in descending order.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.models import Q, QuerySet

from crsv.parsers import json_loads_bounded

M = TypeVar("M", bound=models.Model)

NEWEST_FIRST = ("-created_at", "-id")


class BadCursor(ValueError):
    """The cursor was not made by this module for this ordering."""


@dataclass(frozen=True)
class KeysetPage(Generic[M]):
    rows: list[M]
    next_cursor: str | None


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"u": str(value)}
    if value is None or isinstance(value, int | str):
        return value
    raise TypeError(f"Cannot page on a {type(value).__name__} key.")


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((kind, text),) = value.items()
        if kind == "dt":
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None:
                raise ValueError("naive timestamp")
            return moment
        if kind == "d":
            return date.fromisoformat(text)
        if kind == "u":
            return uuid.UUID(text)
        raise ValueError("unknown value kind")
    if value is None or (isinstance(value, int | str) and not isinstance(value, bool)):
        return value
    raise ValueError("unexpected value")


def keyset_cursor_encode(ordering: Sequence[str], values: Sequence[Any]) -> str:
    payload = {"o": list(ordering), "v": [_encode_value(v) for v in values]}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def keyset_cursor_decode(ordering: Sequence[str], cursor: str) -> list[Any]:
    """The key values in `cursor`, or BadCursor if it is not a cursor of this ordering."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json_loads_bounded(raw)  # a cursor from outside: never RecursionError
        if not isinstance(payload, dict) or payload.get("o") != list(ordering):
            raise ValueError("another ordering")
        values = [_decode_value(v) for v in payload["v"]]
        if len(values) != len(ordering) or values[-1] is None:
            raise ValueError("wrong number of keys")
        return values
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError, KeyError) as exc:
        raise BadCursor("invalid cursor") from exc


def cursor_encode(created_at: datetime, pk: int) -> str:
    """A cursor of the newest-first ordering (kept for callers of the first version)."""
    return keyset_cursor_encode(NEWEST_FIRST, [created_at, pk])


def cursor_decode(cursor: str) -> tuple[datetime, int]:
    created_at, pk = keyset_cursor_decode(NEWEST_FIRST, cursor)
    if not isinstance(created_at, datetime) or not isinstance(pk, int):
        raise BadCursor("invalid cursor")
    return created_at, pk


def _after_one(name: str, descending: bool, value: Any) -> Q | None:
    """Rows strictly after `value` on one key; None when no row can be (end of the NULLs)."""
    if descending:  # NULLS FIRST: after a NULL come all non-NULL values
        return Q(**{f"{name}__isnull": False}) if value is None else Q(**{f"{name}__lt": value})
    if value is None:  # NULLS LAST: nothing comes after the last NULL on this key alone
        return None
    return Q(**{f"{name}__gt": value}) | Q(**{f"{name}__isnull": True})


def _equal(name: str, value: Any) -> Q:
    return Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})


def keyset_after(ordering: Sequence[str], values: Sequence[Any]) -> Q:
    """The rows after the row whose ordering keys are `values`, lexicographically:
    (k1 after v1) or (k1 = v1 and k2 after v2) or ..."""
    condition = Q(pk__in=[])  # matches nothing; OR-ed with the real alternatives
    equal_so_far = Q()
    for key, value in zip(ordering, values, strict=True):
        name, descending = key.lstrip("-"), key.startswith("-")
        after = _after_one(name, descending, value)
        if after is not None:
            condition |= equal_so_far & after
        equal_so_far &= _equal(name, value)
    return condition


def keyset_page(
    queryset: QuerySet[M],
    *,
    cursor: str | None,
    size: int = 50,
    ordering: Sequence[str] = NEWEST_FIRST,
) -> KeysetPage[M]:
    """One page of `queryset` in `ordering`, after `cursor` (None: the first page).

    `ordering` is model field names ("-" for descending) whose last one is unique and never
    NULL, such as the primary key ("id" or "-id"). Raises BadCursor on a foreign cursor.
    """
    ordering = tuple(ordering)
    queryset = queryset.order_by(*ordering)
    if cursor:
        queryset = queryset.filter(keyset_after(ordering, keyset_cursor_decode(ordering, cursor)))
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = None
    if more:
        last = rows[-1]
        values = [getattr(last, "pk" if key.lstrip("-") == "id" else key.lstrip("-")) for key in ordering]
        next_cursor = keyset_cursor_encode(ordering, values)
    return KeysetPage(rows=rows, next_cursor=next_cursor)

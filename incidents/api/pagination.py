"""Keyset ("cursor") pagination for the API lists: no OFFSET and no count(*).

A cursor is the position of the last row served: for the incident list, the ordering's
column value and the row id (every ordering in `selectors.ORDERINGS` ends on the id, so
positions are unique); for locations, the p-code. It is URL-safe base64 of JSON: opaque to
clients, who follow the `next` link. It grants nothing: the next page is still read through
`incident_list(user=...)`, so a forged cursor only moves within the caller's own rows, and the
columns it names (dates, creation time, reference) are not restricted.

Some ordering columns are NULL on drafts (the reference, the incident dates). PostgreSQL sorts
NULLs first in a descending order and last in an ascending one; `after` follows that.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from incidents.models import Incident
from incidents.selectors import ORDERINGS

MAX_CURSOR_LENGTH = 200

Value = datetime | date | str | None


@dataclass(frozen=True)
class Keyset:
    """An ordering of `ORDERINGS` as a column, a direction, and how to read its values back."""

    column: str  # the model field
    db_column: str
    descending: bool
    nullable: bool
    kind: str  # the model field's internal type: DateTimeField, DateField or CharField

    @classmethod
    def of(cls, ordering: str) -> Keyset:
        column, tie = ORDERINGS[ordering]
        descending = column.startswith("-")
        # The pages are stable only if the tie-breaker is the id, in the same direction.
        assert tie == ("-id" if descending else "id"), ordering
        name = column.lstrip("-")
        field = Incident._meta.get_field(name)
        assert isinstance(field, models.Field) and field.column, name  # a column, not a relation
        return cls(
            column=name,
            db_column=field.column,
            descending=descending,
            nullable=field.null,
            kind=field.get_internal_type(),
        )


KEYSETS = {ordering: Keyset.of(ordering) for ordering in ORDERINGS}


@dataclass(frozen=True)
class Position:
    """The last row served: its value in the ordering's column, and its id."""

    value: Value
    id: int


def _invalid() -> ValidationError:
    # Never echo what was sent.
    return ValidationError({"cursor": [_("Invalid cursor: follow the `next` link of the previous page.")]})


def _b64encode(payload: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode("ascii").rstrip("=")


def _b64decode(cursor: str) -> Any:
    if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        raise _invalid()
    try:
        return orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError) as exc:  # orjson.JSONDecodeError is a ValueError
        raise _invalid() from exc


def cursor_encode(ordering: str, position: Position) -> str:
    value = position.value.isoformat() if isinstance(position.value, date) else position.value
    return _b64encode([ordering, value, position.id])


def cursor_decode(cursor: str, *, ordering: str) -> Position:
    """The position in `cursor`, made for `ordering`, or 400 `{"cursor": [...]}`."""
    payload = _b64decode(cursor)
    if not (isinstance(payload, list) and len(payload) == 3 and payload[0] == ordering):
        raise _invalid()
    _ordering, raw, pk = payload
    keyset = KEYSETS[ordering]
    if not isinstance(pk, int) or isinstance(pk, bool) or pk < 1:
        raise _invalid()
    if raw is None:
        if not keyset.nullable:
            raise _invalid()
        return Position(value=None, id=pk)
    if not isinstance(raw, str) or len(raw) > 64:
        raise _invalid()
    value: Value
    try:
        if keyset.kind == "DateTimeField":
            value = datetime.fromisoformat(raw)
            if value.tzinfo is None:
                raise ValueError("naive timestamp")
        elif keyset.kind == "DateField":
            value = date.fromisoformat(raw)
        else:
            value = raw
    except ValueError as exc:
        raise _invalid() from exc
    return Position(value=value, id=pk)


def after(rows: QuerySet[Incident], ordering: str, position: Position) -> QuerySet[Incident]:
    """The rows of `rows` (ordered by `ordering`) that come after `position`."""
    keyset = KEYSETS[ordering]
    col, value, pk = keyset.column, position.value, position.id
    op = "lt" if keyset.descending else "gt"  # "comes after" for the value and for the id
    if value is None:
        # A NULL value: descending, the NULLs came first, so every non-NULL row follows;
        # ascending, the NULLs come last, so only the NULL rows with a later id follow.
        condition = Q(**{f"{col}__isnull": True, f"id__{op}": pk})
        if keyset.descending:
            condition |= Q(**{f"{col}__isnull": False})
        return rows.filter(condition)
    condition = Q(**{f"{col}__{op}": value}) | Q(**{col: value, f"id__{op}": pk})
    if keyset.nullable and not keyset.descending:
        condition |= Q(**{f"{col}__isnull": True})
    return rows.filter(condition)


def pcode_cursor_encode(pcode: str) -> str:
    return _b64encode(["pcode", pcode])


def pcode_cursor_decode(cursor: str) -> str:
    payload = _b64decode(cursor)
    if not (
        isinstance(payload, list)
        and len(payload) == 2
        and payload[0] == "pcode"
        and isinstance(payload[1], str)
        and 0 < len(payload[1]) <= 20
    ):
        raise _invalid()
    pcode: str = payload[1]
    return pcode

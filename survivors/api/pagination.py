"""Keyset (cursor) pagination for the case list: newest first, no OFFSET and no count(*).

The cursor is the position of the last row served, `(created_at, id)`, in URL-safe base64. It
is opaque to clients (they pass back what they were given) and grants nothing: the next page is
still read from `survivor_list(user=...)`, so a forged cursor only moves within the caller's
own rows. The ordering matches the `survivor_*_recent` indexes.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from survivors.models import Survivor

PAGE_SIZE = 50
_MAX_CURSOR_LENGTH = 96  # an ISO timestamp, a separator and a bigint, base64-encoded


@dataclass(frozen=True)
class Position:
    created_at: datetime
    id: int


@dataclass(frozen=True)
class Page:
    rows: list[Survivor]
    next: str | None


def cursor_encode(position: Position) -> str:
    raw = f"{position.created_at.isoformat()}|{position.id}".encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def cursor_decode(cursor: str) -> Position:
    """The position in `cursor`, or 400 `{"cursor": [...]}` (never echoing what was sent)."""
    invalid = ValidationError({"cursor": [_("Invalid cursor.")]})
    if not cursor or len(cursor) > _MAX_CURSOR_LENGTH:
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        stamp, _sep, pk = raw.partition("|")
        position = Position(created_at=datetime.fromisoformat(stamp), id=int(pk))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise invalid from exc
    if position.created_at.tzinfo is None or position.id < 1:
        raise invalid
    return position


def keyset_page(queryset: QuerySet[Survivor], *, after: Position | None, size: int = PAGE_SIZE) -> Page:
    """One page of `queryset` (newest first) after `after`; one query, reading `size + 1` rows to
    know whether another page follows."""
    queryset = queryset.order_by("-created_at", "-id")
    if after is not None:
        queryset = queryset.filter(
            Q(created_at__lt=after.created_at) | Q(created_at=after.created_at, id__lt=after.id)
        )
    rows = list(queryset[: size + 1])
    if len(rows) <= size:
        return Page(rows=rows, next=None)
    last = rows[size - 1]
    return Page(rows=rows[:size], next=cursor_encode(Position(created_at=last.created_at, id=last.pk)))

"""Keyset ("cursor") pagination, newest first: no OFFSET and no count(*) on large tables.

The cursor is the last row's (created_at, id), base64-encoded; it carries no data of the row.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from django.db import models
from django.db.models import Q, QuerySet

M = TypeVar("M", bound=models.Model)


class BadCursor(ValueError):
    """The cursor was not made by `cursor_encode`."""


@dataclass(frozen=True)
class KeysetPage(Generic[M]):
    rows: list[M]
    next_cursor: str | None


def cursor_encode(created_at: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{pk}".encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.split("|")
        created_at = datetime.fromisoformat(stamp)
        if created_at.tzinfo is None:
            raise ValueError("naive timestamp")
        return created_at, int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadCursor("invalid cursor") from exc


def keyset_page(queryset: QuerySet[M], *, cursor: str | None, size: int = 50) -> KeysetPage[M]:
    """One page of `queryset` ordered by (-created_at, -id), after `cursor` (None: the first)."""
    queryset = queryset.order_by("-created_at", "-id")
    if cursor:
        created_at, pk = cursor_decode(cursor)
        queryset = queryset.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=pk))
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    last = rows[-1] if rows and more else None
    next_cursor = cursor_encode(last.created_at, last.pk) if last is not None else None  # type: ignore[attr-defined]  # every paged model has created_at
    return KeysetPage(rows=rows, next_cursor=next_cursor)

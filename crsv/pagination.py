"""Keyset ("cursor") pagination, the one paginator of every list: no OFFSET and no count(*).

A page is "the next `size` rows after the last row of the previous page" in a total order: a
`Keyset`, model fields ("-" for descending) whose last one is unique and never NULL (the primary
key). The cursor is that last row's values of those fields: URL-safe base64 of a small JSON
object naming the keys it belongs to, so a cursor made for one ordering is refused by another.
It is opaque to clients (they follow `next` links) and validated, not trusted: it must be short,
nest no deeper than `crsv.parsers.MAX_JSON_DEPTH` (decoded by the bounded loader), name this
keyset's keys and hold one value of each key's type. It grants nothing either: the next page is
read through the same `visible_to(user)` queryset, so a forged cursor only moves within the
caller's own rows.

Nullable keys (an incident date, a reference) follow PostgreSQL's default placement, which is
what `order_by` produces: NULLs last in ascending order, first in descending order.

Use `Keyset.of(Model, keys)` once at import time, then `keyset_page(queryset, keyset=...)` for
ORM rows, or `keyset.decode()`, `keyset.after()` and `keyset.encode()` for a selector that reads
its rows another way (the incident list).
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar, cast

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from crsv.parsers import json_loads_bounded

M = TypeVar("M", bound=models.Model)

NEWEST_FIRST = ("-created_at", "-id")
# A cursor is a few dozen characters; anything longer was not made here.
MAX_CURSOR_LENGTH = 200


class BadCursor(ValueError):
    """The cursor was not made by this module for this keyset."""


def cursor_error() -> ValidationError:
    """What a list says of a bad cursor, keyed `cursor` (a 400 from the API); never echoes it."""
    return ValidationError(
        {"cursor": [gettext("Invalid cursor: follow the `next` link of the previous page.")]}
    )


# How each kind of key travels in a cursor: a type tag (or none), and the Python type it decodes to.
_KINDS: dict[str, tuple[str | None, type]] = {
    "DateTimeField": ("dt", datetime),
    "DateField": ("d", date),
    "UUIDField": ("u", uuid.UUID),
    "CharField": (None, str),
    "AutoField": (None, int),
    "BigAutoField": (None, int),
    "IntegerField": (None, int),
    "BigIntegerField": (None, int),
    "PositiveIntegerField": (None, int),
}


@dataclass(frozen=True)
class Key:
    """One ordering key: the field, its column, its direction, whether it may be NULL, its kind."""

    name: str  # the model field ("id" for the primary key)
    column: str  # the database column
    descending: bool
    nullable: bool
    kind: str  # a key of _KINDS

    @property
    def term(self) -> str:
        """The `order_by` term."""
        return f"-{self.name}" if self.descending else self.name


@dataclass(frozen=True)
class Keyset:
    """A total order over a model's rows, and the cursors that point into it."""

    keys: tuple[Key, ...]

    @classmethod
    def of(cls, model: type[models.Model], ordering: Sequence[str]) -> Keyset:
        """The keyset of `model` ordered by `ordering` (`order_by` terms on concrete fields),
        whose last term is unique and never NULL (the primary key, a p-code): pages are stable."""
        keys = []
        last: models.Field[Any, Any] | None = None
        for term in ordering:
            name = term.lstrip("-")
            field = model._meta.pk if name in ("pk", "id") else model._meta.get_field(name)
            assert isinstance(field, models.Field) and field.column, term  # a column, not a relation
            kind = field.get_internal_type()
            assert kind in _KINDS, f"cannot page on a {kind} key ({term})"
            keys.append(Key(field.name, field.column, term.startswith("-"), field.null, kind))
            last = field
        assert last is not None and last.unique and not last.null, "the last key must be unique, never NULL"
        return cls(keys=tuple(keys))

    @property
    def order_by(self) -> tuple[str, ...]:
        return tuple(key.term for key in self.keys)

    def values_of(self, row: models.Model | Mapping[str, Any]) -> list[Any]:
        """The keys' values of a row: a model instance, or a mapping keyed by field name."""
        if isinstance(row, Mapping):
            return [row[key.name] for key in self.keys]
        return [getattr(row, key.name) for key in self.keys]

    # --- cursors -------------------------------------------------------------------------------

    def encode(self, values: Sequence[Any]) -> str:
        """The cursor of the row whose keys' values are `values`."""
        payload = {
            "o": list(self.order_by),
            "v": [_encode_value(key, v) for key, v in zip(self.keys, values, strict=True)],
        }
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, cursor: str) -> list[Any]:
        """The keys' values in `cursor`, or BadCursor if this keyset did not make it."""
        if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
            raise BadCursor("invalid cursor")
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            payload = json_loads_bounded(raw)  # a cursor from outside: never RecursionError
            if (
                not isinstance(payload, dict)
                or set(payload) != {"o", "v"}
                or payload["o"] != list(self.order_by)
            ):
                raise ValueError("another ordering")
            values = payload["v"]
            if not isinstance(values, list) or len(values) != len(self.keys):
                raise ValueError("wrong number of keys")
            return [_decode_value(key, value) for key, value in zip(self.keys, values, strict=True)]
        except (binascii.Error, UnicodeDecodeError, ValueError, TypeError, KeyError) as exc:
            raise BadCursor("invalid cursor") from exc

    # --- rows after a cursor -----------------------------------------------------------------

    def after(self, values: Sequence[Any]) -> Q:
        """The rows after the row whose keys' values are `values`, lexicographically:
        (k1 after v1) or (k1 = v1 and k2 after v2) or ..."""
        alternatives: list[Q] = []
        equal_so_far = Q()
        for key, value in zip(self.keys, values, strict=True):
            after = _after_one(key, value)
            if after is not None:
                alternatives.append(equal_so_far & after)
            equal_so_far &= _equal(key.name, value)
        if not alternatives:  # the last row of the order: nothing follows
            return Q(pk__in=[])
        condition = alternatives[0]
        for alternative in alternatives[1:]:
            condition |= alternative
        return condition


def _encode_value(key: Key, value: Any) -> Any:
    tag, expected = _KINDS[key.kind]
    if value is None:
        return None
    if not isinstance(value, expected):
        raise TypeError(f"{key.name}: a {type(value).__name__}, not a {expected.__name__}")
    if tag is None:
        return value
    text = str(value) if isinstance(value, uuid.UUID) else cast(date, value).isoformat()
    return {tag: text}


def _decode_value(key: Key, value: Any) -> Any:
    """One key's value, of the key's type, or ValueError."""
    tag, expected = _KINDS[key.kind]
    if value is None:
        if not key.nullable:
            raise ValueError("NULL on a key that is never NULL")
        return None
    if tag is None:
        if type(value) is not expected:  # exact: a bool is not an id
            raise ValueError("a value of another type")
        if isinstance(value, int) and value < 1 and key.name == "id":
            raise ValueError("not an id")
        return value
    if not (isinstance(value, dict) and len(value) == 1 and isinstance(value.get(tag), str)):
        raise ValueError("a value of another type")
    text: str = value[tag]
    if len(text) > 64:
        raise ValueError("too long")
    if expected is datetime:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            raise ValueError("naive timestamp")
        return moment
    if expected is date:
        return date.fromisoformat(text)
    return uuid.UUID(text)


def _after_one(key: Key, value: Any) -> Q | None:
    """Rows strictly after `value` on one key; None when no row can be (after the last NULL)."""
    name = key.name
    if key.descending:  # NULLS FIRST: after a NULL come all non-NULL values
        return Q(**{f"{name}__isnull": False}) if value is None else Q(**{f"{name}__lt": value})
    if value is None:  # NULLS LAST: nothing comes after the last NULL on this key alone
        return None
    after = Q(**{f"{name}__gt": value})
    return after | Q(**{f"{name}__isnull": True}) if key.nullable else after


def _equal(name: str, value: Any) -> Q:
    return Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})


@dataclass(frozen=True)
class KeysetPage(Generic[M]):
    rows: list[M]
    next_cursor: str | None


def keyset_page(
    queryset: QuerySet[M],
    *,
    cursor: str | None,
    size: int = 50,
    ordering: Sequence[str] = NEWEST_FIRST,
    keyset: Keyset | None = None,
) -> KeysetPage[M]:
    """One page of `queryset` in `keyset` (default: `ordering` on the queryset's model), after
    `cursor` (None: the first page). Raises BadCursor on a cursor this keyset did not make."""
    keyset = keyset or Keyset.of(queryset.model, ordering)
    queryset = queryset.order_by(*keyset.order_by)
    if cursor:  # None or empty: the first page
        queryset = queryset.filter(keyset.after(keyset.decode(cursor)))
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = keyset.encode(keyset.values_of(rows[-1])) if more else None
    return KeysetPage(rows=rows, next_cursor=next_cursor)


# NEWEST_FIRST without a model: a non-NULL timestamp, then an integer primary key.
_NEWEST_FIRST = Keyset(
    keys=(
        Key("created_at", "created_at", descending=True, nullable=False, kind="DateTimeField"),
        Key("id", "id", descending=True, nullable=False, kind="BigAutoField"),
    )
)


def _model_free(ordering: Sequence[str]) -> Keyset:
    if tuple(ordering) != NEWEST_FIRST:
        raise ValueError("name the model: Keyset.of(Model, ordering)")
    return _NEWEST_FIRST


def keyset_cursor_encode(ordering: Sequence[str], values: Sequence[Any]) -> str:
    """`Keyset.encode` for NEWEST_FIRST without naming the model (a timestamp and an integer id)."""
    return _model_free(ordering).encode(values)


def keyset_cursor_decode(ordering: Sequence[str], cursor: str) -> list[Any]:
    """`Keyset.decode` for NEWEST_FIRST without naming the model; BadCursor if it did not make it."""
    return _model_free(ordering).decode(cursor)


def keyset_after(ordering: Sequence[str], values: Sequence[Any]) -> Q:
    """`Keyset.after` for NEWEST_FIRST without naming the model."""
    return _model_free(ordering).after(values)

"""Reads of the audit trail done for a user: the auditor's trail page and its CSV export."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Max, QuerySet, Subquery

from crsv.accounts.roles import Capability
from crsv.audit.models import AuditEvent
from crsv.pagination import Keyset

if TYPE_CHECKING:
    from crsv.accounts.models import User

PAGE_SIZE = 50
NEWEST_FIRST = Keyset.of(AuditEvent, ("-occurred_at", "-id"))


@dataclass(frozen=True)
class TrailRow:
    """One line of the trail page: who did what to which object, when, from where."""

    occurred_at: datetime
    actor: str
    action: str
    action_label: str
    object_type: str
    object_public_id: uuid.UUID | None
    ip_address: str | None
    changes: str


# What a page row and an exported row are read as (values, not model instances: a page of 50
# events and their actors as instances cost more than the rest of the page).
ROW_COLUMNS = (
    "occurred_at",
    "id",
    "actor__username",
    "action",
    "object_type",
    "object_public_id",
    "ip_address",
    "changes",
)


def action_labels() -> dict[str, str]:
    """Each known action's label in the active language (an unknown action shows as itself)."""
    return {str(value): str(label) for value, label in AuditEvent.Action.choices}


def _row(values: tuple[Any, ...], labels: dict[str, str]) -> TrailRow:
    occurred_at, _id, actor, action, object_type, object_public_id, ip_address, changes = values
    return TrailRow(
        occurred_at=occurred_at,
        actor=actor or "",
        action=action,
        action_label=labels.get(action, action),
        object_type=object_type,
        object_public_id=object_public_id,
        ip_address=ip_address,
        changes=json.dumps(changes, sort_keys=True, ensure_ascii=False) if changes else "",
    )


@dataclass(frozen=True)
class TrailFilter:
    """What the auditor narrows the trail to; every part optional. `until` is exclusive."""

    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_public_id: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None

    def as_changes(self) -> dict[str, str]:
        """The parts that are set, as text (what the export's audit event records)."""
        values = {
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "object_public_id": str(self.object_public_id or ""),
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return {name: value for name, value in values.items() if value}


def trail_authorize(user: User) -> None:
    """PermissionDenied unless `user` reads the audit trail (auditors): the trail page asks here
    before its filter form."""
    if not user.can(Capability.READ_AUDIT_TRAIL):
        raise PermissionDenied


def audit_events_visible_to(user: User) -> QuerySet[AuditEvent]:
    """The whole trail for an auditor (the trail is not scoped by mission), nothing for anyone else."""
    if not user.can(Capability.READ_AUDIT_TRAIL):
        return AuditEvent.objects.none()
    return AuditEvent.objects.all()


def _trail(user: User, filters: TrailFilter) -> QuerySet[AuditEvent]:
    """The events `user` may read, narrowed by `filters` (unordered)."""
    events = audit_events_visible_to(user)
    if filters.actor:
        # The actor's id by a subquery rather than a join on the user name: with a join the
        # planner cannot tell which actor it is, and on a million rows it scanned the whole
        # month by time and dropped the other actors' rows (11,000 rows read for 51 shown);
        # `actor_id = (SELECT ...)` is a range of the (actor, time) index.
        actor_id = get_user_model().objects.filter(username=filters.actor).values("id")[:1]
        events = events.filter(actor_id=Subquery(actor_id))
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.object_public_id:
        events = events.filter(object_public_id=filters.object_public_id)
    if filters.since:
        events = events.filter(occurred_at__gte=filters.since)
    if filters.until:
        events = events.filter(occurred_at__lt=filters.until)
    return events


def _after(events: QuerySet[AuditEvent], values: list[Any]) -> QuerySet[AuditEvent]:
    """The events after the row whose (occurred_at, id) are `values`, newest first.

    `Keyset.after` says `occurred_at < t OR (occurred_at = t AND id < i)`, which no index range
    can serve: the scan would start at the newest row again for every page (an export of a
    million rows read its prefix 500 times over). The redundant `occurred_at <= t` bounds the
    index scan to where the page starts."""
    return events.filter(occurred_at__lte=values[0]).filter(NEWEST_FIRST.after(values))


def audit_trail_list(
    *, user: User, filters: TrailFilter, cursor: str | None = None, size: int = PAGE_SIZE
) -> tuple[list[TrailRow], str | None]:
    """One keyset page of the trail, newest first, narrowed by `filters` (one query: the page
    with its actors' names). BadCursor on a cursor this page did not make."""
    events = _trail(user, filters)
    if cursor:
        events = _after(events, NEWEST_FIRST.decode(cursor))
    found = list(events.order_by(*NEWEST_FIRST.order_by).values_list(*ROW_COLUMNS)[: size + 1])
    next_cursor = NEWEST_FIRST.encode(found[size - 1][:2]) if len(found) > size else None
    labels = action_labels()
    return [_row(values, labels) for values in found[:size]], next_cursor


EXPORT_BATCH = 2_000


def audit_trail_rows(
    *, user: User, filters: TrailFilter, batch: int = EXPORT_BATCH
) -> Iterator[tuple[Any, ...]]:
    """Every event of the trail narrowed by `filters`, newest first, as tuples in
    `ROW_COLUMNS` order, read `batch` rows per query as the iterator is consumed (keyset:
    constant memory, and no transaction held open while a slow client downloads).

    The rows are those that exist when this is called (ids up to the newest id now, read
    here rather than at the first row): rows written while the export streams, the export's
    own audit event included, are left out, so an export is one set however long it takes."""
    newest = AuditEvent.objects.aggregate(top=Max("id"))["top"] or 0
    events = _trail(user, filters).filter(id__lte=newest).order_by(*NEWEST_FIRST.order_by)
    return _batches(events, batch)


def _batches(events: QuerySet[AuditEvent], batch: int) -> Iterator[tuple[Any, ...]]:
    page = events
    while True:
        rows = list(page.values_list(*ROW_COLUMNS)[:batch])
        yield from rows
        if len(rows) < batch:
            return
        page = _after(events, [rows[-1][0], rows[-1][1]])

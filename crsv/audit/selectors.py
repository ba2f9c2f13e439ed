"""Reads of the audit trail done for a user: the auditor's trail page."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from crsv.accounts.roles import Capability
from crsv.audit.models import AuditEvent
from crsv.pagination import Keyset, KeysetPage, keyset_page

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


def _row(event: AuditEvent) -> TrailRow:
    try:
        label = str(AuditEvent.Action(event.action).label)
    except ValueError:
        label = event.action
    return TrailRow(
        occurred_at=event.occurred_at,
        actor=event.actor.username if event.actor else "",  # select_related
        action=event.action,
        action_label=label,
        object_type=event.object_type,
        object_public_id=event.object_public_id,
        ip_address=event.ip_address,
        changes=json.dumps(event.changes, sort_keys=True, ensure_ascii=False) if event.changes else "",
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


def audit_trail_list(
    *, user: User, filters: TrailFilter, cursor: str | None = None, size: int = PAGE_SIZE
) -> tuple[list[TrailRow], str | None]:
    """One keyset page of the trail, newest first, narrowed by `filters` (two queries at most:
    the actor's id, then the page with its actors). BadCursor on a cursor this page did not make."""
    events = audit_events_visible_to(user).select_related("actor")
    if filters.actor:
        events = events.filter(actor__username=filters.actor)
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
    page: KeysetPage[AuditEvent] = keyset_page(events, cursor=cursor, size=size, keyset=NEWEST_FIRST)
    return [_row(event) for event in page.rows], page.next_cursor

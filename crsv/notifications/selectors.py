"""Reads of the outbox done for a user: her own notifications, and the failed ones a senior WPA sees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

from crsv.notifications.models import Notification
from crsv.notifications.registry import notification_kinds
from crsv.pagination import Keyset, KeysetPage, keyset_page

if TYPE_CHECKING:
    from crsv.accounts.models import User

PAGE_SIZE = 50
# The badge says "99+" beyond this: the count stops reading there.
UNREAD_COUNT_CAP = 99
NEWEST_FIRST = Keyset.of(Notification, ("-created_at", "-id"))


@dataclass(frozen=True)
class NotificationRow:
    """One line of a list: what happened (the kind's label), where to go, when; no survivor value."""

    public_id: UUID
    kind: str
    label: str
    link: str
    created_at: datetime
    read: bool
    status: str
    attempts: int
    last_error: str
    recipient: str


def _row(notification: Notification, recipient: str = "") -> NotificationRow:
    kind = notification_kinds.get(notification.kind)
    return NotificationRow(
        public_id=notification.public_id,
        kind=notification.kind,
        label=str(kind.label) if kind else notification.kind,
        link=kind.link(notification) if kind else "",
        created_at=notification.created_at,
        read=notification.read_at is not None,
        status=notification.status,
        attempts=notification.attempts,
        last_error=notification.last_error,
        recipient=recipient,
    )


def notification_list(
    *, user: User, cursor: str | None = None, size: int = PAGE_SIZE
) -> tuple[list[NotificationRow], str | None]:
    """The user's own notifications, newest first, one keyset page; BadCursor on a bad cursor."""
    page: KeysetPage[Notification] = keyset_page(
        Notification.objects.visible_to(user), cursor=cursor, size=size, keyset=NEWEST_FIRST
    )
    return [_row(n) for n in page.rows], page.next_cursor


def notification_failed_list(
    *, user: User, cursor: str | None = None, size: int = PAGE_SIZE
) -> tuple[list[NotificationRow], str | None]:
    """The failed deliveries of the senior WPA's missions, newest first (none for anyone else)."""
    rows = Notification.objects.failed_visible_to(user).select_related("recipient")
    page: KeysetPage[Notification] = keyset_page(rows, cursor=cursor, size=size, keyset=NEWEST_FIRST)
    return [_row(n, _recipient(n)) for n in page.rows], page.next_cursor


def _recipient(notification: Notification) -> str:
    user = notification.recipient  # select_related
    return user.username if user is not None else notification.recipient_email


def notification_unread_count(*, user: User) -> int:
    """How many of her notifications she has not read, up to UNREAD_COUNT_CAP + 1 (one query;
    none when the request's authentication read it: crsv.accounts.scope)."""
    primed: int | None = getattr(user, "_unread_count", None)
    if primed is not None:
        return primed
    unread = Notification.objects.visible_to(user).filter(read_at__isnull=True)
    return unread.order_by().values("id")[: UNREAD_COUNT_CAP + 1].count()


class ListReader(Protocol):
    def __call__(
        self, *, user: User, cursor: str | None = ..., size: int = ...
    ) -> tuple[list[NotificationRow], str | None]: ...

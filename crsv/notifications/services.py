"""Writing to the outbox, and marking notifications read.

`notification_enqueue` is what the apps call, inside the transaction of the change that causes
the notification::

    notification_enqueue(
        kind="referral.sent",                      # registered by the app (registry.py)
        recipients=[*provider_users, provider.contact_email],
        obj=referral,                              # or object_type= and object_public_id=
        idempotency_key=f"referral.sent:{referral.public_id}:{event.public_id}",
    )

Each recipient gets one row whose key is `<idempotency_key>:<recipient>` (a user's public id, or
the lower-cased address); a key already in the outbox is skipped (INSERT ... ON CONFLICT DO
NOTHING), so the same event never enqueues twice. After commit, one delivery task is published
with the ids of every row the transaction wrote (ids only); if the broker is unreachable (Redis
down) that is logged and the request goes on: the rows stay pending and the sweep (beat, every
minute) delivers them. A rolled-back transaction leaves no row and publishes nothing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from crsv.notifications.models import Notification
from crsv.notifications.registry import notification_kind_get

if TYPE_CHECKING:
    from crsv.accounts.models import User

logger = logging.getLogger(__name__)

_INSERT_COLUMNS = (
    "public_id",
    "recipient_id",
    "recipient_email",
    "language",
    "kind",
    "object_type",
    "object_public_id",
    "mission_id",
    "idempotency_key",
    "status",
    "attempts",
    "last_error",
    "message_id",
    "created_at",
)


def recipient_language(user: User | None) -> str:
    """The language a recipient reads: her own setting if the user model has one, else the site's."""
    language = getattr(user, "language", None) if user is not None else None
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


def notification_enqueue(
    *,
    kind: str,
    recipients: Iterable[User | str],
    idempotency_key: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_public_id: uuid.UUID | None = None,
    mission_id: int | None = None,
    email_language: str = "",
    request: HttpRequest | None = None,
) -> list[Notification]:
    """Write one pending notification per recipient (a user, or an e-mail address) in the
    caller's transaction, and publish their delivery after commit. Returns the rows created
    (those whose key was already in the outbox are not). `obj` gives the object's type, public
    id and mission (`obj.mission_id`, whose senior WPAs see a failed delivery); a user recipient
    who is inactive is skipped; an e-mail address reads `email_language` (a code of
    settings.LANGUAGES; otherwise the site's). `request` is accepted for symmetry with the
    services; nothing of it is stored."""
    del request  # nothing of the request belongs in the outbox
    notification_kind_get(kind)  # an unknown kind is a programming error: fail the caller now
    if obj is not None:
        object_type = obj._meta.label_lower
        object_public_id = getattr(obj, "public_id", None)
        if mission_id is None:
            mission_id = getattr(obj, "mission_id", None)
    address_language = (
        email_language if email_language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    )
    now = timezone.now()
    rows: dict[str, list[Any]] = {}
    for recipient in recipients:
        if isinstance(recipient, str):
            email = recipient.strip().lower()
            if not email:
                continue
            user_id, language, who = None, address_language, email
        else:
            if not recipient.is_active:
                continue
            email, user_id, language, who = (
                "",
                recipient.pk,
                recipient_language(recipient),
                str(recipient.public_id),
            )
        key = f"{idempotency_key}:{who}"
        rows[key] = [
            uuid.uuid4(),
            user_id,
            email,
            language,
            kind,
            object_type,
            object_public_id,
            mission_id,
            key,
            Notification.Status.PENDING,
            0,
            "",
            "",
            now,
        ]
    if not rows:
        return []
    created = _insert_new(list(rows.values()))
    notifications = []
    for key, values in rows.items():
        if key in created:
            fields = dict(zip(_INSERT_COLUMNS, values, strict=True))
            notification = Notification(id=created[key], next_attempt_at=now, **fields)
            notification._state.adding = False
            notifications.append(notification)
    if notifications:
        _publish_on_commit([n.id for n in notifications])
    return notifications


class _CommitPublish:
    """The ids a transaction wrote to the outbox, published together after its commit."""

    def __init__(self) -> None:
        self.ids: list[int] = []

    def __call__(self) -> None:
        notification_publish(self.ids)


def _publish_on_commit(ids: list[int]) -> None:
    """Add `ids` to the current transaction's one publish, registering it on first use. If the
    savepoint that registered it rolled back (Django dropped the callback), a new one is
    registered; ids written in a rolled-back savepoint may still be published with the rest:
    their task finds no row and returns."""
    pending: _CommitPublish | None = getattr(connection, "_notification_publish", None)
    registered = pending is not None and any(entry[1] is pending for entry in connection.run_on_commit)
    if pending is not None and registered and connection.in_atomic_block:
        pending.ids.extend(ids)
        return
    pending = _CommitPublish()
    pending.ids.extend(ids)
    connection._notification_publish = pending  # type: ignore[attr-defined]  # per connection: per thread
    transaction.on_commit(pending)


def _insert_new(rows: Sequence[Sequence[Any]]) -> dict[str, int]:
    """INSERT the rows, skipping keys already in the outbox; {idempotency key: id} of those written."""
    table = Notification._meta.db_table
    # Due at the database's now(), the clock the claim reads: an application server whose clock
    # runs ahead cannot make the delivery task find its row not yet due.
    columns = ", ".join([*_INSERT_COLUMNS, "next_attempt_at"])
    row = "(" + ", ".join(["%s"] * len(_INSERT_COLUMNS)) + ", now())"
    placeholders = ", ".join([row] * len(rows))
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES {placeholders} "  # noqa: S608  # nosec B608  # constant names
        "ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key, id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])
        return dict(cursor.fetchall())


def notification_publish(ids: Sequence[int]) -> int:
    """Queue one delivery task for all the ids (a commit's); returns how many ids were queued.
    Never raises: a broker that cannot be reached (Redis down) is logged and the rows are left to
    the sweep, so that a request never waits on Redis more than one connection attempt."""
    from crsv.notifications.tasks import notification_deliver

    if not ids:
        return 0
    try:
        # retry=False: no retry loop in a web request; the sweep is the retry.
        notification_deliver.apply_async(args=list(ids), retry=False)
    except Exception as exc:  # any broker failure: the rows are durable, the sweep sends them
        logger.warning("notification publish failed (%s); %d left to the sweep", type(exc).__name__, len(ids))
        return 0
    return len(ids)


def notifications_mark_read(*, user: User, public_ids: Iterable[uuid.UUID] | None = None) -> int:
    """Mark the user's unread notifications read (all of them, or those of `public_ids` among
    hers; others' ids are ignored). Returns how many changed."""
    rows = Notification.objects.visible_to(user).filter(read_at__isnull=True)
    if public_ids is not None:
        rows = rows.filter(public_id__in=list(public_ids))
    user.__dict__.pop("_unread_count", None)  # the count the request's authentication read
    return rows.update(read_at=timezone.now())

"""The outbox's claims and outcomes, a batch at a time, in SQL (delivery.py says why it is safe).

A claim is one UPDATE of the rows a sub-SELECT picked `FOR UPDATE SKIP LOCKED`: two workers, two
sweeps, or a worker and a sweep never both hold a row, and never wait on each other (no
deadlock, whatever order their ids come in). Claiming counts the attempt. Outcomes are written
with one UPDATE per outcome per batch, each only on rows still `sending`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection

from crsv.notifications.models import Notification

_TABLE = Notification._meta.db_table
_EXPIRED = "status = 'sending' AND claimed_until < now()"
_DUE_PENDING = "status = 'pending' AND next_attempt_at <= now()"
_DUE = f"({_DUE_PENDING}) OR ({_EXPIRED})"
_CLAIM_SET = "status = 'sending', claimed_until = now() + make_interval(secs => %s), attempts = attempts + 1"


def claim_lease_seconds() -> int:
    """How long a claim lasts (`NOTIFICATION_CLAIM_SECONDS`)."""
    return int(settings.NOTIFICATION_CLAIM_SECONDS)


def _claim(condition: str, order: str, params: list[Any], limit: int) -> list[int]:
    # `id = ANY(ARRAY(...))`: the pick runs once (an InitPlan) and the UPDATE finds its rows by
    # primary key. `id IN (...) AND <condition>` let the planner, misled by the statistics of a
    # table that was empty a moment ago, rescan the pick (or every due row) for each batch: a
    # 10,000-row burst cost seconds of database CPU. No recheck is needed outside: FOR UPDATE
    # rechecks the condition on the row's latest version as it locks it, and the lock holds
    # until this statement's UPDATE.
    sql = (
        f"UPDATE {_TABLE} SET {_CLAIM_SET} WHERE id = ANY(ARRAY("  # noqa: S608  # nosec B608  # constant names
        f" SELECT id FROM {_TABLE} WHERE {condition} ORDER BY {order} LIMIT %s"
        f" FOR UPDATE SKIP LOCKED)) RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [claim_lease_seconds(), *params, limit])
        return sorted(int(row[0]) for row in cursor.fetchall())


def claim_given(ids: Sequence[int], limit: int) -> list[int]:
    """Claim those of `ids` that are due (at most `limit`); the ids this caller now holds. A row
    another claimant is writing at this instant is skipped: that claimant, or the sweep, has it."""
    if not ids:
        return []
    return _claim(f"id = ANY(%s) AND ({_DUE})", "id", [list(ids)], limit)


def claim_next(limit: int) -> list[int]:
    """Claim up to `limit` due rows no one else is claiming: claims whose worker died first (the
    oldest), then due pending rows, most overdue first."""
    claimed = _claim(_EXPIRED, "claimed_until", [], limit)
    if len(claimed) < limit:
        claimed += _claim(_DUE_PENDING, "next_attempt_at", [], limit - len(claimed))
    return claimed


@dataclass(frozen=True)
class Sent:
    id: int
    message_id: str  # "" for an in-app-only notification (no address)
    sent_at: datetime  # when the server accepted it, as the worker's clock read it


@dataclass(frozen=True)
class Failed:
    id: int
    error: str
    retry_in: timedelta | None  # None: failed for good


def record_sent(rows: Sequence[Sent]) -> None:
    if not rows:
        return
    sql = (
        f"UPDATE {_TABLE} AS n SET status = 'sent', claimed_until = NULL, last_error = '',"  # noqa: S608  # nosec B608
        " message_id = v.message_id, sent_at = v.sent_at"
        " FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[]) AS v(id, message_id, sent_at)"
        " WHERE n.id = v.id AND n.status = 'sending'"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [[r.id for r in rows], [r.message_id for r in rows], [r.sent_at for r in rows]])


def record_failed(rows: Sequence[Failed]) -> None:
    """Transient failures back to pending after their delay; the others failed for good."""
    retried = [row for row in rows if row.retry_in is not None]
    final = [row for row in rows if row.retry_in is None]
    with connection.cursor() as cursor:
        if retried:
            cursor.execute(
                f"UPDATE {_TABLE} AS n SET status = 'pending', claimed_until = NULL,"  # noqa: S608  # nosec B608
                " last_error = v.error, next_attempt_at = now() + make_interval(secs => v.delay)"
                " FROM unnest(%s::bigint[], %s::text[], %s::float8[]) AS v(id, error, delay)"
                " WHERE n.id = v.id AND n.status = 'sending'",
                [
                    [r.id for r in retried],
                    [r.error for r in retried],
                    [r.retry_in.total_seconds() for r in retried if r.retry_in is not None],
                ],
            )
        if final:
            cursor.execute(
                f"UPDATE {_TABLE} AS n SET status = 'failed', claimed_until = NULL,"  # noqa: S608  # nosec B608
                " last_error = v.error"
                " FROM unnest(%s::bigint[], %s::text[]) AS v(id, error)"
                " WHERE n.id = v.id AND n.status = 'sending'",
                [[r.id for r in final], [r.error for r in final]],
            )


def release(ids: Sequence[int]) -> None:
    """Give back claims this caller did not try (its time ran out): pending again, due as they
    were, the attempt their claim counted uncounted."""
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_TABLE} SET status = 'pending', claimed_until = NULL,"  # noqa: S608  # nosec B608
            " attempts = GREATEST(attempts - 1, 0) WHERE id = ANY(%s) AND status = 'sending'",
            [list(ids)],
        )

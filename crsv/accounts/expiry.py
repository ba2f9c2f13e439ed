"""Field-office memberships past their end date end by themselves (issue 12, item 2).

A membership's `ends_on` is the last day it counts, in its office's time zone. From the next day
the user's scope already leaves it out (`membership_current_q`, and the scope statement of
crsv.accounts.scope), so nothing waits for this module; the beat task (`membership_end_due`,
hourly: crsv.access.tasks) then deletes the row, ends the user's sessions and API tokens, and
writes the audit row an administrator's change would have written, with no actor.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Value

from crsv.accounts.models import Membership, OfficeDate, User
from crsv.accounts.services import user_credentials_end
from crsv.audit.models import AuditEvent
from crsv.audit.services import audit_record


def _ended(moment: datetime) -> Any:
    """Memberships whose end date is before `moment`'s date in their office's time zone."""
    return Membership.objects.filter(ends_on__lt=OfficeDate(Value(moment), "field_office__time_zone"))


def memberships_ended_user_ids(*, now: datetime, limit: int) -> list[int]:
    """Ids of (at most `limit`) users holding a membership that has ended at `now`."""
    users = _ended(now).order_by("user_id").values_list("user_id", flat=True).distinct()
    return list(users[:limit])


def _label(membership: Membership) -> str:
    office = membership.field_office
    return f"{office.mission.code}-{office.code}"


@transaction.atomic
def user_memberships_end(*, user_id: int, now: datetime) -> AuditEvent | None:
    """Delete `user_id`'s memberships that have ended at `now`, end her sessions and API tokens,
    and audit it (no actor; `changes`: the offices before and after, by name, and each ended
    office with its end date). Returns the audit row, or None when there was nothing to end.

    The user's row is locked first, as an administrator's change of her access locks it
    (crsv.accounts.services), so the two never interleave; a row another transaction holds is
    skipped (None) and the next run takes it. Two runs at once end each membership once: the
    second waits for nothing, and finds nothing left once the first has committed."""
    user = User.objects.select_for_update(skip_locked=True).filter(pk=user_id).first()
    if user is None:
        return None
    memberships = list(
        Membership.objects.filter(user=user).select_related("field_office__mission").order_by("id")
    )
    ended_ids = set(_ended(now).filter(user=user).values_list("id", flat=True))
    ended = [m for m in memberships if m.pk in ended_ids]
    if not ended:
        return None
    Membership.objects.filter(pk__in=[m.pk for m in ended]).delete()
    user_credentials_end(user=user)
    return audit_record(
        actor=None,
        action=AuditEvent.Action.MEMBERSHIP_ENDED,
        obj=user,
        changes={
            "offices": {
                "before": sorted(_label(m) for m in memberships),
                "after": sorted(_label(m) for m in memberships if m.pk not in ended_ids),
            },
            "ended": [{"office": _label(m), "ends_on": m.ends_on.isoformat()} for m in ended if m.ends_on],
        },
    )


def memberships_end_due(*, now: datetime, batch: int = 200) -> int:
    """End every membership that has ended at `now`, one user per transaction, `batch` users
    per read. Returns for how many users it ended memberships. A user whose row is locked is
    left to the next run (and stops the loop when a whole batch is, rather than spin on it)."""
    total = 0
    while True:
        user_ids = memberships_ended_user_ids(now=now, limit=batch)
        done = sum(user_memberships_end(user_id=user_id, now=now) is not None for user_id in user_ids)
        total += done
        if len(user_ids) < batch or done < len(user_ids):
            return total

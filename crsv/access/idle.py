"""Accounts idle for `ACCESS_IDLE_DAYS` (90 by default) are deactivated, and the administrators
are told (issue 12, item 2).

An account is idle when the latest of these is older than the threshold: its last activity
(crsv.accounts.activity), its last sign-in (a browser's `last_login`, or an API token issued: both
take two factors), its creation, its latest invitation, and its latest reactivation by an
administrator (so that reactivating an idle account gives it a new period
rather than having the next run deactivate it again). Exempt: superuser accounts (managed on the
server only), and nobody else.

Each deactivation ends the user's sessions and API tokens and writes an audit row with no actor;
each run that deactivates someone writes one notification to every active administrator
(kind `access.idle_deactivated`), naming the accounts: usernames are not survivor data.

This lives in `crsv.access`, not in `crsv.accounts` with the other account services, because it
writes to the notification outbox, and `crsv.notifications` imports `crsv.accounts`: the
platform's packages may not import each other in a circle (pyproject.toml, import-linter).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crsv.accounts.models import ApiToken, Invitation, User
from crsv.accounts.roles import Role
from crsv.accounts.services import user_credentials_end
from crsv.audit.models import AuditEvent
from crsv.audit.services import audit_record
from crsv.notifications.models import Notification
from crsv.notifications.registry import NotificationKind
from crsv.notifications.services import notification_enqueue

KIND = "access.idle_deactivated"
# The notification's object: the run, whose audit rows name the accounts (see `_context`).
RUN_OBJECT_TYPE = "access.idle_run"


def _latest(queryset: QuerySet[Any], field: str) -> Subquery:
    return Subquery(queryset.order_by(f"-{field}").values(field)[:1], output_field=DateTimeField())


def users_with_idle_since() -> QuerySet[User]:
    """Users annotated with `idle_since`: the latest sign of life (module docstring).
    PostgreSQL's GREATEST ignores NULLs."""
    invited = Invitation.objects.filter(user=OuterRef("pk"))
    tokens = ApiToken.objects.filter(user=OuterRef("pk"))
    reactivated = AuditEvent.objects.filter(
        object_type="accounts.user",
        object_public_id=OuterRef("public_id"),
        action=AuditEvent.Action.USER_ACTIVATED,
    )
    return User.objects.annotate(
        idle_since=Greatest(
            "last_active_at",
            "last_login",
            "date_joined",
            _latest(tokens, "created_at"),
            _latest(invited, "created_at"),
            _latest(reactivated, "occurred_at"),
        )
    )


def users_idle(*, now: datetime, idle_days: int) -> QuerySet[User]:
    """Active, non-superuser accounts idle for more than `idle_days` days at `now`."""
    # Q and F: django-stubs checks keyword lookups against the model's fields, not annotations.
    return users_with_idle_since().filter(
        Q(idle_since__lt=Value(now - timedelta(days=idle_days))), is_active=True, is_superuser=False
    )


@transaction.atomic
def users_idle_deactivate(*, now: datetime, idle_days: int, limit: int) -> list[User]:
    """Deactivate at most `limit` idle accounts (oldest activity first) in one transaction: each
    one's sessions and API tokens end and one audit row records it; the active administrators
    get one notification naming them all. Returns the users deactivated.

    The rows are claimed `FOR UPDATE SKIP LOCKED` (an administrator's change of a user locks her
    row too): two runs at once deactivate disjoint sets, and a row the first has deactivated no
    longer matches for the second, so each account is deactivated and audited once."""
    idle = list(
        users_idle(now=now, idle_days=idle_days)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by(F("idle_since").asc(), "id")[:limit]
    )
    if not idle:
        return []
    User.objects.filter(pk__in=[user.pk for user in idle]).update(is_active=False)
    run = uuid.uuid4()
    for user in idle:
        user.is_active = False
        user_credentials_end(user=user)
        since: Any = user.idle_since  # type: ignore[attr-defined]  # the annotation
        audit_record(
            actor=None,
            action=AuditEvent.Action.USER_IDLE_DEACTIVATED,
            obj=user,
            changes={
                "is_active": {"before": True, "after": False},
                "idle_days": idle_days,
                "idle_since": since.isoformat() if since else None,
                "run": str(run),
            },
        )
    administrators = User.objects.filter(is_active=True, groups__name=Role.ADMIN).order_by("id")
    notification_enqueue(
        kind=KIND,
        recipients=list(administrators),
        object_type=RUN_OBJECT_TYPE,
        object_public_id=run,
        idempotency_key=f"{KIND}:{run}",
    )
    return idle


def users_idle_deactivate_all(*, now: datetime, idle_days: int | None = None, batch: int = 200) -> int:
    """Deactivate every account idle at `now`, a batch (one transaction, one notification) at a
    time. Returns how many were deactivated."""
    days = settings.ACCESS_IDLE_DAYS if idle_days is None else idle_days
    total = 0
    while True:
        done = len(users_idle_deactivate(now=now, idle_days=days, limit=batch))
        total += done
        if done < batch:
            return total


def _context(notification: Notification) -> dict[str, Any]:
    """The accounts the run deactivated (from its audit rows) and the threshold: usernames and a
    number of days, nothing else."""
    events = list(
        AuditEvent.objects.filter(
            action=AuditEvent.Action.USER_IDLE_DEACTIVATED, changes__run=str(notification.object_public_id)
        ).values_list("object_public_id", "changes")
    )
    usernames = sorted(
        User.objects.filter(public_id__in=[public_id for public_id, _changes in events]).values_list(
            "username", flat=True
        )
    )
    idle_days = events[0][1].get("idle_days") if events else settings.ACCESS_IDLE_DAYS
    return {"usernames": usernames, "count": len(usernames), "idle_days": idle_days}


def _link(notification: Notification) -> str:
    return f"{reverse('access:review')}?active=no"


IDLE_DEACTIVATED_KIND = NotificationKind(
    name=KIND,
    label=_("Accounts were deactivated after a long inactivity"),
    context=_context,
    link=_link,
    same_for_object=True,  # the e-mail depends on the run only
)

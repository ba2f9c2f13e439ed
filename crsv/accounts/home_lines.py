"""The home page's "What needs you now": the to-do lines the apps register (crsv.registry), and
the platform's own (an administrator's accounts that cannot sign in, an auditor's latest events).

Each app writes one small function per line (`LineMaker`: the line for this user, or None when it
is not for her) and counts all of its lines in one aggregate over its `visible_to(user)` with
`lines_count`, so the page's queries do not grow with the rows, and a row the user may not see
is never counted. Adding a line is one function, listed in the app's tuple of makers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Model, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from crsv.accounts import selectors, services
from crsv.accounts.models import User
from crsv.accounts.roles import Capability
from crsv.audit.models import AccessEvent, AuditEvent
from crsv.registry import HomeLines, TodoLine, home_lines, home_lines_register

# An auditor's "latest events": those of the last day.
RECENT_EVENTS = timedelta(hours=24)


@dataclass(frozen=True)
class LineCount:
    """A line to count among an app's visible rows: `rows` is the filter of the list at `url`.

    `urgent`: True for a line that is urgent whenever it counts anything (an overdue referral);
    a Q for one that is urgent when one of its rows also matches it (counted in the same query).
    """

    name: str
    label: str | Promise
    url: str
    rows: Q
    urgent: bool | Q = False


LineMaker = Callable[[Any], LineCount | None]


def list_url(route: str, **query: str) -> str:
    """A list page's address with its filters (no value that identifies anyone: codes and
    states only)."""
    url = reverse(route)
    return f"{url}?{urlencode(query)}" if query else url


def lines_count(visible: QuerySet[Any], lines: Sequence[LineCount]) -> list[TodoLine]:
    """Count every line among `visible` in one query (`COUNT(...) FILTER (WHERE ...)` per line),
    or none when `visible` is empty by scope (Django answers 0 without asking)."""
    if not lines:
        return []
    aggregates: dict[str, Any] = {}
    for index, line in enumerate(lines):
        # distinct: a scope that joins (grants, memberships) must not count a row twice.
        aggregates[f"n{index}"] = Count("pk", filter=line.rows, distinct=True)
        if isinstance(line.urgent, Q):
            aggregates[f"u{index}"] = Count("pk", filter=line.rows & line.urgent, distinct=True)
    counts = visible.order_by().aggregate(**aggregates)
    todo = []
    for index, line in enumerate(lines):
        count = counts[f"n{index}"] or 0
        urgent = bool(counts[f"u{index}"]) if isinstance(line.urgent, Q) else line.urgent
        todo.append(TodoLine(line.name, str(line.label), count, line.url, urgent=urgent and count > 0))
    return todo


def lines_for(user: Any, visible: QuerySet[Any], makers: Iterable[LineMaker]) -> list[TodoLine]:
    """The lines of `makers` that are for `user`, counted among `visible` in one query."""
    return lines_count(visible, [line for make in makers if (line := make(user)) is not None])


def todo_lines(user: Any) -> list[TodoLine]:
    """Every registered line for `user`, zero counts included, in the apps' order."""
    found: list[TodoLine] = []
    for source in sorted(home_lines.values(), key=lambda source: (source.order, source.name)):
        found.extend(source.lines(user))
    return found


# --- the platform's own lines -------------------------------------------------------------------


def _one(name: str, label: Promise, url: str, rows: QuerySet[Any], *, urgent: bool = False) -> TodoLine:
    count = rows.count()
    return TodoLine(name, str(label), count, url, urgent=urgent and count > 0)


def _changelist(model: type[Model], **query: str) -> str:
    meta = model._meta
    return list_url(f"admin:{meta.app_label}_{meta.model_name}_changelist", **query)


def platform_lines(user: Any, *, now: datetime | None = None) -> list[TodoLine]:
    """An administrator's accounts that cannot sign in (no second factor yet, locked out now),
    and an auditor's events of the last day; each links to the admin site's list of them."""
    lines: list[TodoLine] = []
    if not isinstance(user, User):
        return lines
    if services.user_management_allowed(user):
        from axes.models import AccessAttempt

        lines.append(
            _one(
                "accounts.no_second_factor",
                _("Active accounts without a second factor"),
                _changelist(User, is_active__exact="1", second_factor="none"),
                selectors.users_without_second_factor(),
            )
        )
        lines.append(
            _one(
                "accounts.locked",
                _("Accounts locked out of sign-in"),
                _changelist(AccessAttempt, locked="yes"),
                selectors.lockouts_in_force(now=now),
                urgent=True,
            )
        )
    if user.can(Capability.READ_AUDIT_TRAIL):
        # To the minute, so that the link lists exactly the rows counted (the same bound).
        since = ((now or timezone.now()) - RECENT_EVENTS).replace(second=0, microsecond=0)
        query = {"occurred_at__gte": since.isoformat()}
        lines.append(
            _one(
                "audit.recent_events",
                _("Audit events in the last 24 hours"),
                _changelist(AuditEvent, **query),
                AuditEvent.objects.filter(occurred_at__gte=since),
            )
        )
        lines.append(
            _one(
                "audit.recent_reads",
                _("Reads of survivor data in the last 24 hours"),
                _changelist(AccessEvent, **query),
                AccessEvent.objects.filter(occurred_at__gte=since),
            )
        )
    return lines


def platform_lines_register() -> None:
    home_lines_register(HomeLines(name="accounts", order=90, lines=platform_lines))

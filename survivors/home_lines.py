"""The survivor cases' lines of the home page's "What needs you now" (registered in `apps.py`).

One function per line: the line for this user (its rows among `Survivor.objects.visible_to`,
the case list filtered to exactly those rows by `?assignment=`), or None when the line is not
for her. A user's case lines are counted in one query; a senior WPA's break-glass openings are
another table, counted in a second.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crsv.accounts.home_lines import LineCount, LineMaker, lines_for, list_url
from crsv.accounts.roles import Capability, Role
from crsv.registry import TodoLine
from survivors.clock import awaiting_medical_care_q
from survivors.models import Survivor
from survivors.selectors import AssignmentFilter, break_glass_recent

LIST = "survivors:list"


def _assigned(user: Any) -> LineCount | None:
    """The cases she holds (every case line is the list's own filter: `survivor_list`)."""
    if not user.can(Capability.HOLD_SURVIVOR_CASES):
        return None
    return LineCount(
        name="survivors.assigned",
        label=_("Cases assigned to you"),
        url=list_url(LIST, assignment=AssignmentFilter.MINE),
        rows=Q(assigned_wpa=user),
    )


def _unassigned(user: Any) -> LineCount | None:
    """A senior WPA's cases of her missions that no WPA holds (registered by a reporter)."""
    if not user.has_role(Role.SENIOR_WPA):
        return None
    return LineCount(
        name="survivors.unassigned",
        label=_("Cases not assigned to a WPA"),
        url=list_url(LIST, assignment=AssignmentFilter.UNASSIGNED),
        rows=Q(assigned_wpa__isnull=True, erased_at__isnull=True),
        urgent=True,
    )


def _dormant(user: Any) -> LineCount | None:
    """A senior WPA's cases whose WPA left the case's office (or was deactivated)."""
    if not user.has_role(Role.SENIOR_WPA):
        return None
    return LineCount(
        name="survivors.dormant",
        label=_("Cases whose WPA left their office"),
        url=list_url(LIST, assignment=AssignmentFilter.DORMANT),
        # The queryset's own rule, as a subquery of the same aggregate.
        rows=Q(pk__in=Survivor.objects.dormant().values("pk")),
        urgent=True,
    )


def _medical_window(user: Any) -> LineCount | None:
    """A WPA's cases inside the 72-hour window for post-rape care with no medical referral
    accepted (survivors/clock.py): urgent, the window closes."""
    if not user.can(Capability.HOLD_SURVIVOR_CASES):
        return None
    return LineCount(
        name="survivors.medical_window",
        label=_("Survivors inside the 72-hour window without accepted medical care"),
        url=list_url(LIST, assignment=AssignmentFilter.MEDICAL_WINDOW),
        rows=awaiting_medical_care_q(timezone.now()),
        urgent=True,
    )


LINES: tuple[LineMaker, ...] = (_medical_window, _assigned, _unassigned, _dormant)


def _break_glass(user: Any) -> list[TodoLine]:
    """A senior WPA's: the other senior WPAs' recent openings, listed by the home page's panel."""
    if not user.has_role(Role.SENIOR_WPA):
        return []
    count = break_glass_recent(user=user).order_by().count()
    url = reverse("home") + "#break-glass-heading"
    return [TodoLine("survivors.break_glass", str(_("Recent break-glass openings of cases")), count, url)]


def survivor_lines(user: Any) -> list[TodoLine]:
    return lines_for(user, Survivor.objects.visible_to(user), LINES) + _break_glass(user)

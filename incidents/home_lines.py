"""The incidents' lines of the home page's "What needs you now" (registered in `apps.py`).

One function per line: the line for this user (its rows among `Incident.objects.visible_to`,
the list page filtered to exactly those rows), or None when the line is not for her. All of a
user's lines are counted in one query (`crsv.accounts.home_lines.lines_for`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crsv.accounts.home_lines import LineCount, LineMaker, lines_for, list_url
from crsv.accounts.roles import Capability
from crsv.registry import TodoLine
from incidents.forms.listing import ME
from incidents.models import Incident

LIST = "incidents:list"


def _drafts(user: Any) -> LineCount | None:
    """Her drafts (a draft is seen by its reporter only)."""
    if not user.can(Capability.CREATE_INCIDENT):
        return None
    return LineCount(
        name="incidents.drafts",
        label=_("Your draft incidents, not yet submitted"),
        url=list_url(LIST, status=Incident.Status.DRAFT, reported=ME),
        rows=Q(status=Incident.Status.DRAFT, reported_by=user),
    )


def _returned(user: Any) -> LineCount | None:
    """Her incidents a reviewer returned to her, to complete and submit again."""
    if not user.can(Capability.CREATE_INCIDENT):
        return None
    return LineCount(
        name="incidents.returned",
        label=_("Your incidents returned to you"),
        url=list_url(LIST, status=Incident.Status.RETURNED, reported=ME),
        rows=Q(status=Incident.Status.RETURNED, reported_by=user),
        urgent=True,
    )


def _submitted(user: Any) -> LineCount | None:
    """Submitted in her scope (her offices; a senior WPA's missions) and not yet taken up."""
    if not user.can(Capability.REVIEW_INCIDENTS):
        return None
    return LineCount(
        name="incidents.submitted",
        label=_("Submitted incidents waiting for a reviewer"),
        url=list_url(LIST, status=Incident.Status.SUBMITTED),
        rows=Q(status=Incident.Status.SUBMITTED),
    )


def _under_review(user: Any) -> LineCount | None:
    """Under review by her."""
    if not user.can(Capability.REVIEW_INCIDENTS):
        return None
    return LineCount(
        name="incidents.under_review",
        label=_("Incidents under your review"),
        url=list_url(LIST, status=Incident.Status.UNDER_REVIEW, assigned=ME),
        rows=Q(status=Incident.Status.UNDER_REVIEW, assigned_wpa=user),
    )


LINES: tuple[LineMaker, ...] = (_drafts, _returned, _submitted, _under_review)


def incident_lines(user: Any) -> list[TodoLine]:
    return lines_for(user, Incident.objects.visible_to(user), LINES)

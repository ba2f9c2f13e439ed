"""The referrals' lines of the home page's "What needs you now" (registered in `apps.py`).

One function per line: the line for this user (its rows among `Referral.objects.visible_to`, the
referral list filtered to exactly those rows), or None when the line is not for her. All of a
user's lines are counted in one query.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crsv.accounts.home_lines import LineCount, LineMaker, lines_for, list_url
from crsv.accounts.roles import Capability
from crsv.registry import TodoLine
from referrals.models import Referral, provider_id_of
from referrals.views.listing import provider_view_only

LIST = "referrals:list"


def _overdue_q() -> Q:
    """`ReferralQuerySet.overdue`, as a filter: still waiting for the service past the due time."""
    return Q(state__in=Referral.AWAITING_STATES, due_at__lt=timezone.now())


def _awaiting_answer(user: Any) -> LineCount | None:
    """A case worker's referrals sent and not yet accepted or declined by the provider."""
    if not user.can(Capability.MAKE_REFERRALS):
        return None
    return LineCount(
        name="referrals.awaiting_answer",
        label=_("Referrals waiting for the provider's answer"),
        url=list_url(LIST, state=Referral.State.SENT),
        rows=Q(state=Referral.State.SENT),
    )


def _overdue(user: Any) -> LineCount | None:
    """A case worker's referrals past their due time without the service having begun."""
    if not user.can(Capability.MAKE_REFERRALS):
        return None
    return LineCount(
        name="referrals.overdue",
        label=_("Overdue referrals"),
        url=list_url(LIST, overdue="1"),
        rows=_overdue_q(),
        urgent=True,
    )


def _to_answer(user: Any) -> LineCount | None:
    """A provider's user: the referrals sent to her organisation that wait for her answer;
    urgent when one of them is overdue or an emergency."""
    if not provider_view_only(user):
        return None
    return LineCount(
        name="referrals.to_answer",
        label=_("Referrals to answer"),
        url=list_url(LIST, state=Referral.State.SENT),
        rows=Q(state=Referral.State.SENT, provider_id=provider_id_of(user)),
        urgent=_overdue_q() | Q(urgency=Referral.Urgency.EMERGENCY),
    )


LINES: tuple[LineMaker, ...] = (_awaiting_answer, _overdue, _to_answer)


def referral_lines(user: Any) -> list[TodoLine]:
    return lines_for(user, Referral.objects.visible_to(user), LINES)

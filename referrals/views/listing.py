"""The referral list: a case worker's (the referrals of her cases, or of her missions for a senior
WPA; "made by me" as a filter) or a provider user's (sent to her organisation, minimal rows).

An adapter: the filter form parses the query, the selectors read one keyset page as the user may
see it, and the rows are built here once as plain values (labels translated once, the detail
address reversed once), so the template only prints them and the query count does not grow
with the rows. A cursor this page did not make shows the first page.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypedDict

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.timezone import localtime
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from crsv.accounts.http import AuthenticatedHttpRequest
from crsv.pagination import BadCursor, keyset_page
from referrals import permissions, selectors
from referrals.forms import ReferralFilterForm, SentByMeForm
from referrals.models import Referral, ServiceType
from survivors.models import Survivor

_ANY_ID = uuid.UUID(int=0)


class ReferralRow(TypedDict):
    """One row of the list, ready to print. `provider` and `made_by` are "" in a provider's
    rows (her own organisation; she does not need the WPA's name)."""

    url: str
    reference: str
    survivor_code: str
    profile: str  # sex and age band: a provider's rows only
    service_type: str
    provider: str
    urgency: str
    emergency: bool
    state: str
    due: str
    overdue: bool
    made_by: str


class _Labels:
    """The choice labels and the detail address, computed once per page."""

    def __init__(self) -> None:
        self.states = dict(Referral.State.choices)
        self.urgencies = dict(Referral.Urgency.choices)
        self.services = dict(ServiceType.choices)
        self.detail = reverse("referrals:detail", args=[_ANY_ID])
        self.placeholder = str(_ANY_ID)

    def url(self, public_id: uuid.UUID) -> str:
        return self.detail.replace(self.placeholder, str(public_id))

    def when(self, moment: datetime) -> str:
        return date_format(localtime(moment), "SHORT_DATETIME_FORMAT")


def referral_rows(referrals: Iterable[Referral], *, now: datetime) -> list[ReferralRow]:
    """A case worker's rows (referrals read by `selectors.referral_list`, with their case,
    provider and author)."""
    labels = _Labels()
    return [
        {
            "url": labels.url(r.public_id),
            "reference": r.reference,
            "survivor_code": r.survivor.code,
            "profile": "",
            "service_type": str(labels.services.get(r.service_type, r.service_type)),
            "provider": r.provider.name,
            "urgency": str(labels.urgencies.get(r.urgency, r.urgency)),
            "emergency": r.urgency == Referral.Urgency.EMERGENCY,
            "state": str(labels.states.get(r.state, r.state)),
            "due": labels.when(r.due_at),
            "overdue": r.state in Referral.AWAITING_STATES and r.due_at < now,
            "made_by": r.created_by.display_name,
        }
        for r in referrals
    ]


def provider_rows(views: Iterable[selectors.ProviderReferralView]) -> list[ReferralRow]:
    """A provider user's rows: the minimal views, nothing else."""
    labels = _Labels()
    sexes, bands = dict(Survivor.Sex.choices), dict(Survivor.AgeBand.choices)
    return [
        {
            "url": labels.url(v.public_id),
            "reference": v.reference,
            "survivor_code": v.survivor_code,
            "profile": f"{sexes.get(v.sex, v.sex)}, {bands.get(v.age_band, v.age_band)}",
            "service_type": str(labels.services.get(v.service_type, v.service_type)),
            "provider": "",
            "urgency": str(labels.urgencies.get(v.urgency, v.urgency)),
            "emergency": v.urgency == Referral.Urgency.EMERGENCY,
            "state": str(labels.states.get(v.state, v.state)),
            "due": labels.when(v.due_at),
            "overdue": v.overdue,
            "made_by": "",
        }
        for v in views
    ]


def page_url(params: Iterable[tuple[str, Any]], *, after: str | None) -> str:
    """This page's query with another cursor: the filters stay."""
    kept = [(key, str(value)) for key, value in params if key != "after" and value]
    if after:
        kept.append(("after", after))
    return "?" + urlencode(kept)


def provider_view_only(user: Any) -> bool:
    """She reads referrals as a provider's user (the minimal view), not as a case worker."""
    return permissions.reads_as_provider(user)


def _case_worker_page(
    user: Any, form: SentByMeForm, cursor: str | None
) -> tuple[list[ReferralRow], str | None]:
    filters = form.filters()
    rows = selectors.referral_list(user=user, **filters)
    if form.cleaned_data["mine"]:
        rows = rows.filter(created_by_id=user.pk)
    try:
        page = keyset_page(rows, cursor=cursor, size=selectors.PAGE_SIZE, keyset=selectors.NEWEST_FIRST)
    except BadCursor:
        page = keyset_page(rows, cursor=None, size=selectors.PAGE_SIZE, keyset=selectors.NEWEST_FIRST)
    return referral_rows(page.rows, now=timezone.now()), page.next_cursor


def _provider_page(
    user: Any, form: ReferralFilterForm, cursor: str | None
) -> tuple[list[ReferralRow], str | None]:
    try:
        page = selectors.provider_referral_page(user=user, cursor=cursor, **form.filters())
    except BadCursor:
        page = selectors.provider_referral_page(user=user, **form.filters())
    return provider_rows(page.rows), page.next_cursor


@never_cache
@require_GET
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    permissions.list_authorize(user)  # 403 for a role with no referrals at all
    as_provider = provider_view_only(user)
    form: ReferralFilterForm = ReferralFilterForm(request.GET) if as_provider else SentByMeForm(request.GET)
    rows: list[ReferralRow] = []
    next_cursor = None
    if form.is_valid():
        cursor = request.GET.get("after") or None
        if as_provider:
            rows, next_cursor = _provider_page(user, form, cursor)
        else:
            assert isinstance(form, SentByMeForm)
            rows, next_cursor = _case_worker_page(user, form, cursor)
    params = list(request.GET.items())
    context = {
        "form": form,
        "rows": rows,
        "as_provider": as_provider,
        "next_url": page_url(params, after=next_cursor) if next_cursor else None,
        "first_url": page_url(params, after=None) if request.GET.get("after") else None,
    }
    return render(request, "referrals/list.html", context)

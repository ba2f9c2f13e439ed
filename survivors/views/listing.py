"""The case list and the search page: rows of codes, profiles and (revealed, logged) names.

The list is the page a WPA opens most, 50 rows with decrypted names. The selector reads its
rows as values (`survivors.list_rows.CaseRow`); they are made printable here once per request
(`ListedCase`): the labels translated once, the detail address reversed once, the date formatted
once per day shown; the template then only prints them. Through model instances,
`get_*_display`, `{% url %}` and `{% translate %}` per row, rendering the rows cost more than
the query and the decryption together (~40 ms of ~90).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import get_current_timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from crsv.accounts.http import AuthenticatedHttpRequest
from crsv.accounts.roles import Role
from crsv.audit.models import AccessEvent
from crsv.pagination import BadCursor
from survivors import permissions, selectors
from survivors.forms import SearchForm
from survivors.list_rows import CaseRow
from survivors.models import Survivor

# At most this many search results (a code matches one case; an exact name, a handful).
SEARCH_LIMIT = 50

_ANY_ID = uuid.UUID(int=0)


@dataclass(frozen=True, slots=True)
class ListedCase:
    """One row of the case list or the search results, ready to print."""

    url: str
    code: str
    name: str  # the revealed name; "" when `note` says why none is shown
    note: str  # "erased", "hidden" or "restricted", or ""
    erased: bool
    office: str
    sex: str
    age_band: str
    assigned: str  # the assigned WPA's display name, or ""
    registered: str

    def __getitem__(self, name: str) -> Any:
        """`row[name]` is `row.name`: a Django template (the search page) looks `row.name` up
        as `row["name"]` first, and answering it spares the TypeError raised and caught per cell."""
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None


def case_rows(cases: list[CaseRow], names: dict[int, str], *, hide_names: bool = False) -> list[ListedCase]:
    """The printed rows of `cases` (from `survivor_page`, `survivor_search_reveal`); `names` as
    `survivor_names_reveal` returned them."""
    detail = reverse("survivors:detail", args=[_ANY_ID])
    placeholder = str(_ANY_ID)
    sexes = {value: str(label) for value, label in Survivor.Sex.choices}
    bands = {value: str(label) for value, label in Survivor.AgeBand.choices}
    erased, hidden, restricted = _("erased"), _("hidden"), _("restricted")
    zone = get_current_timezone()
    days: dict[date, str] = {}
    rows: list[ListedCase] = []
    for case in cases:
        day = case.created_at.astimezone(zone).date()
        if day not in days:
            days[day] = date_format(day, "SHORT_DATE_FORMAT")
        name = names.get(case.pk)
        if case.is_erased:
            note = erased
        elif hide_names:
            note = hidden
        else:
            note = "" if name is not None else restricted
        rows.append(
            ListedCase(
                detail.replace(placeholder, case.public_id),
                case.code,
                name or "",
                note,
                case.is_erased,
                case.field_office,
                sexes.get(case.sex, case.sex),
                bands.get(case.age_band, case.age_band),
                case.assigned_wpa_name,
                days[day],
            )
        )
    return rows


# The list's heading for a filter the home page links to ("Cases to reassign" is the template's).
_ASSIGNMENT_HEADINGS: dict[str, object] = {
    selectors.AssignmentFilter.MINE: gettext_lazy("Cases assigned to you"),
    selectors.AssignmentFilter.UNASSIGNED: gettext_lazy("Cases not assigned to a WPA"),
}


@never_cache
def survivor_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Newest cases first. `?names=hide` shows codes only (for a screen others can see): then
    nothing identifying is decrypted and no access event is written. `?assignment=dormant`:
    the cases whose assigned WPA left the case's office, for a senior WPA to reassign;
    `mine`, `unassigned`: the cases assigned to her, to no WPA (`selectors.AssignmentFilter`).
    A cursor this page did not make shows the first page."""
    user = request.user
    assignment = request.GET.get("assignment", "")
    if assignment not in selectors.AssignmentFilter.values:
        assignment = selectors.AssignmentFilter.ALL
    try:
        page = selectors.survivor_page(user=user, assignment=assignment, cursor=request.GET.get("after"))
    except BadCursor:
        page = selectors.survivor_page(user=user, assignment=assignment)
    hide_names = request.GET.get("names") == "hide"
    names: dict[int, str] = {}
    if not hide_names:
        names = selectors.survivor_names_reveal(
            user=user, survivors=page.rows, kind=AccessEvent.Kind.LIST, request=request
        )
    return render(
        request,
        "survivors/list.html",
        {
            "rows": case_rows(page.rows, names, hide_names=hide_names),
            "hide_names": hide_names,
            "dormant": assignment == selectors.AssignmentFilter.DORMANT,
            # Kept by the paging and names links; the heading says which cases (home page links).
            "assignment": assignment,
            "assignment_heading": _ASSIGNMENT_HEADINGS.get(assignment, ""),
            "can_filter_dormant": user.has_role(Role.SENIOR_WPA),
            "next_cursor": page.next_cursor,
            "first_page": not request.GET.get("after"),
        },
    )


@never_cache
@sensitive_post_parameters("name", "phone")
@require_http_methods(["GET", "POST"])
def survivor_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Search by code, exact name or phone. POST only, so nothing typed sits in a URL (server
    logs, browser history, the Referer header). Names found are shown, and logged, only for the
    cases the user may identify; name and phone searches look only among those."""
    user = request.user
    permissions.list_authorize(user)  # the form itself is refused to a role without cases
    form = SearchForm(request.POST if request.method == "POST" else None)
    rows: list[ListedCase] | None = None
    if request.method == "POST" and form.is_valid():
        found, names = selectors.survivor_search_reveal(
            user=user,
            code=form.cleaned_data["code"],
            name=form.cleaned_data["name"],
            phone=form.cleaned_data["phone"],
            limit=SEARCH_LIMIT,
            request=request,
        )
        rows = case_rows(found, names)
        form = SearchForm()  # nothing typed is shown back
    return render(request, "survivors/search.html", {"form": form, "rows": rows, "limit": SEARCH_LIMIT})

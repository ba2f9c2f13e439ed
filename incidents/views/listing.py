"""The incident list page: filters, ordering, keyset pagination, de-identified for analysts.

An adapter: the filter form parses the query, `selectors.incident_page` reads the page as the user
may see it (the same selector, scope and redaction as the list API), the template renders the
rows. A filter the selector refuses is shown beside its field; a stale or edited `after` link
shows the first page.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from crsv.accounts.http import AuthenticatedHttpRequest
from crsv.accounts.models import FieldOffice
from crsv.accounts.selectors import field_office_options
from incidents import permissions, selectors
from incidents.forms import IncidentFilterForm, add_service_errors
from incidents.forms.listing import DEFAULT_ORDERING

PAGE_SIZE = 50
_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def _page_url(params: Iterable[tuple[str, Any]], *, after: str | None) -> str:
    """This page's query with another cursor: the filters and ordering stay."""
    kept = [(key, str(value)) for key, value in params if key != "after" and value]
    if after:
        kept.append(("after", after))
    return "?" + urlencode(kept)


def _page(user: Any, form: IncidentFilterForm, cursor: str | None) -> selectors.IncidentPage | None:
    """The page the form asks for; None, with the refusals beside their fields, if refused."""
    arguments = {"user": user, "filters": form.filters(), "ordering": form.ordering_name(), "size": PAGE_SIZE}
    try:
        return selectors.incident_page(cursor=cursor, **arguments)
    except ValidationError as error:
        if cursor is not None and "cursor" in error.message_dict:
            return _page(user, form, None)  # a stale or edited link: the first page
        add_service_errors(form, error)
        return None


@functools.lru_cache(maxsize=256)
def _blank_filter_fields(
    language: str, offices: tuple[tuple[int, str], ...], references: bool, people: bool
) -> str:
    """The filter fields of a list asked with no query at all (the usual visit), rendered once
    per language, offices and flags: the same markup as a bound form's, without building and
    rendering eleven fields on every visit. The offices' names are in the key, so a renamed
    office is shown renamed. `language` is the active one (part of the key only)."""
    form = IncidentFilterForm(
        {},
        offices=[FieldOffice(pk=pk, name=name) for pk, name in offices],
        references=references,
        people=people,
    )
    form.is_valid()
    return render_to_string("incidents/_filter_fields.html", {"form": form})


@never_cache
@require_GET
def incident_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    permissions.list_authorize(user)  # before the filter form (its choices are her offices)
    offices = field_office_options(user=user)
    show_reference = permissions.can_view_references(user)
    people = not permissions.is_deidentified_viewer(user)
    form: IncidentFilterForm | None = None
    if request.GET:
        form = IncidentFilterForm(request.GET, offices=offices, references=show_reference, people=people)
        page = _page(user, form, request.GET.get("after") or None) if form.is_valid() else None
    else:  # no filter asked: the default page, and the blank form's markup as rendered before
        page = selectors.incident_page(
            user=user, filters=selectors.IncidentFilters(), ordering=DEFAULT_ORDERING, size=PAGE_SIZE
        )
        blank_fields = _blank_filter_fields(
            get_language(), tuple((o.pk, o.name) for o in offices), show_reference, people
        )
    params = list(request.GET.items())
    # Each row's link is this prefix, its public id and this suffix: one reverse() per page.
    link_head, link_tail = reverse("incidents:detail", args=[_PLACEHOLDER]).split(_PLACEHOLDER)
    context = {
        "form": form,
        "blank_fields": None if form else blank_fields,
        "rows": page.rows if page else [],
        "link_head": link_head,
        "link_tail": link_tail,
        "deidentified": permissions.is_deidentified_viewer(user),
        "show_reference": show_reference,
        "can_create": permissions.can_create_incident(user),
        "next_url": _page_url(params, after=page.next_cursor) if page and page.next_cursor else None,
        "first_url": _page_url(params, after=None) if request.GET.get("after") else None,
    }
    return render(request, "incidents/list.html", context)

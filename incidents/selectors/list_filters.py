"""The incident list's query: which incidents a user may list, filtered and ordered.

`incident_list` starts from `Incident.objects.visible_to(user)` and refuses (ValidationError
keyed by filter) a value it does not know or a filter the user may not use; `list_page` reads a
page of it as rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from crsv.accounts.models import FieldOffice, User
from incidents import permissions
from incidents.models import Incident, Location, PartyToConflict, Perpetrator, Violation

# Analysts see locations down to this admin level.
DEIDENTIFIED_MAX_ADMIN_LEVEL = 2

# What a list row needs, in one query: the location with two ancestors (to coarsen it).
LIST_RELATIONS = (
    "mission",
    "field_office",
    "reported_by",
    "assigned_wpa",
    "location__parent__parent",
)
# A list row loads no ciphertext, so nothing is decrypted (or decryptable) for a list.
ENCRYPTED_COLUMNS = ("narrative_ct", "latitude_ct", "longitude_ct")

# Public ordering names -> ORDER BY; every one ends on the primary key, so pages are stable.
ORDERINGS: dict[str, tuple[str, ...]] = {
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "-incident_date": ("-incident_date_end", "-id"),
    "incident_date": ("incident_date_start", "id"),
    "-reported_on": ("-reported_on", "-id"),
    "reported_on": ("reported_on", "id"),
    "reference": ("reference", "id"),
    "-reference": ("-reference", "-id"),
}
REFERENCE_ORDERINGS = frozenset({"reference", "-reference"})


@dataclass(frozen=True)
class IncidentFilters:
    """The list filters (issue 3 item 6). None or empty means "any".

    Only unrestricted fields are offered, so nothing here can reveal a narrative, a point or
    a perpetrator's identity; a location finer than admin level 2 is refused to those some of
    whose rows hide it (analysts, reporters), and the reference to those who do not see
    references (analysts).
    """

    status: Sequence[str] = ()
    verification_status: Sequence[str] = ()
    field_office: FieldOffice | None = None
    date_from: date | None = None  # incidents whose dates overlap [date_from, date_to]
    date_to: date | None = None
    violation_form: str | None = None
    perpetrator_category: str | None = None
    party: PartyToConflict | None = None
    location: Location | None = None  # the location and every place within it
    reference: str = ""  # free text within the reference, case-insensitive
    is_sea: bool | None = None
    assigned_to_me: bool = False  # under review by the user (the home page's "under your review")
    reported_by_me: bool = False  # logged by the user (her drafts, those returned to her)


def _filters_check(user: User, filters: IncidentFilters, ordering: str) -> None:
    problems: dict[str, list[str]] = {}
    unknown = set(filters.status) - set(Incident.Status.values)
    if unknown:
        problems["status"] = [_("Unknown status: %s.") % ", ".join(sorted(unknown))]
    unknown = set(filters.verification_status) - set(Incident.VerificationStatus.values)
    if unknown:
        problems["verification_status"] = [_("Unknown verification: %s.") % ", ".join(sorted(unknown))]
    if filters.violation_form and filters.violation_form not in Violation.Form.values:
        problems["violation_form"] = [_("Unknown form of violation.")]
    if filters.perpetrator_category and filters.perpetrator_category not in Perpetrator.Category.values:
        problems["perpetrator_category"] = [_("Unknown perpetrator category.")]
    if (
        filters.location is not None
        and filters.location.admin_level > DEIDENTIFIED_MAX_ADMIN_LEVEL
        and not permissions.may_filter_by_exact_location(user)
    ):
        problems["location"] = [_("Choose a province or a territory.")]
    if not permissions.can_view_references(user):  # searching or ordering would reveal them
        if filters.reference.strip():
            problems["reference"] = [_("References are not shown to you: search by other filters.")]
        if ordering in REFERENCE_ORDERINGS:
            problems["ordering"] = [_("References are not shown to you: choose another order.")]
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        problems["date_to"] = [_("The end of the period cannot be before its start.")]
    if ordering not in ORDERINGS and "ordering" not in problems:
        problems["ordering"] = [_("Unknown ordering.")]
    if problems:
        raise ValidationError(problems)


def _within(location: Location) -> Q:
    """The location and its descendants (up to three levels down, admin 1 to 4)."""
    return (
        Q(location=location)
        | Q(location__parent=location)
        | Q(location__parent__parent=location)
        | Q(location__parent__parent__parent=location)
    )


def incident_list(
    *, user: User, filters: IncidentFilters | None = None, ordering: str = "-created_at"
) -> QuerySet[Incident]:
    """The incidents `user` may see, filtered and ordered (newest first by default).

    Lazy: paginate it (keyset on the ordering, or a capped count). Rows carry their office,
    mission, reporter, assignee and location with two ancestors, without the narrative; add
    `prefetch_related("violations")` when a page shows them. Raises ValidationError (keyed by
    filter name) on an unknown value or a filter the user may not use.
    """
    filters = filters or IncidentFilters()
    _filters_check(user, filters, ordering)
    rows = Incident.objects.visible_to(user)
    if filters.status:
        rows = rows.filter(status__in=filters.status)
    if filters.verification_status:
        rows = rows.filter(verification_status__in=filters.verification_status)
    if filters.field_office is not None:
        rows = rows.filter(field_office=filters.field_office)
    if filters.date_from is not None:
        rows = rows.filter(incident_date_end__gte=filters.date_from)
    if filters.date_to is not None:
        rows = rows.filter(incident_date_start__lte=filters.date_to)
    if filters.violation_form:
        rows = rows.filter(
            Exists(Violation.objects.filter(incident=OuterRef("pk"), form=filters.violation_form))
        )
    if filters.perpetrator_category:
        rows = rows.filter(
            Exists(Perpetrator.objects.filter(incident=OuterRef("pk"), category=filters.perpetrator_category))
        )
    if filters.party is not None:
        rows = rows.filter(Exists(Perpetrator.objects.filter(incident=OuterRef("pk"), party=filters.party)))
    if filters.location is not None:
        rows = rows.filter(_within(filters.location))
    if filters.reference.strip():
        rows = rows.filter(reference__icontains=filters.reference.strip())
    if filters.is_sea is not None:
        rows = rows.filter(is_sea=filters.is_sea)
    if filters.assigned_to_me:
        rows = rows.filter(assigned_wpa=user)
    if filters.reported_by_me:
        rows = rows.filter(reported_by=user)
    return rows.select_related(*LIST_RELATIONS).defer(*ENCRYPTED_COLUMNS).order_by(*ORDERINGS[ordering])

"""Every read of incidents done for a user, starting from `Incident.objects.visible_to(user)`.

Instances handed out by `incident_get` are *for display*: restricted details the user may not
see (narrative, exact point and fine location, perpetrators' identification, and for analysts
the reference) are blanked on them, and saving them is refused. Lists never load the narrative.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from incidents import permissions
from incidents.models import (
    Incident,
    IncidentEvent,
    Location,
    PartyToConflict,
    Perpetrator,
    Violation,
)

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
    return rows.select_related(*LIST_RELATIONS).defer(*ENCRYPTED_COLUMNS).order_by(*ORDERINGS[ordering])


def _references_hide(incident: Incident) -> None:
    """No reference on a display instance for a user who sees none (and no saving it)."""
    incident.reference = None
    incident._redacted = True  # type: ignore[attr-defined]  # read by Incident.save()


def _redact(incident: Incident) -> None:
    """Blank the restricted details on a display instance (and forbid saving it)."""
    incident.narrative_ct = None
    incident.latitude = incident.longitude = None
    if incident.location is not None:
        incident.location = incident.location.ancestor_at_level(DEIDENTIFIED_MAX_ADMIN_LEVEL)
    for perpetrator in incident.perpetrators.all():  # prefetched: no query
        perpetrator.unit = perpetrator.commander = perpetrator.names = ""
    incident._redacted = True  # type: ignore[attr-defined]  # read by Incident.save()


def incident_get(*, user: User, public_id: uuid.UUID | str) -> Incident:
    """One incident with its violations and perpetrators, or Http404 if out of scope.

    Restricted details are blanked for a user who may not see them (see the module doc);
    hand `permissions.incident_permissions(user, incident)` to the page or serializer.
    """
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError as error:
        raise Http404("No incident matches the given query.") from error
    try:
        incident = (
            Incident.objects.visible_to(user)
            .select_related(*LIST_RELATIONS, "verified_by", "data_key")
            .prefetch_related(
                "violations",
                Prefetch("perpetrators", queryset=Perpetrator.objects.select_related("party")),
            )
            .get(public_id=key)
        )
    except Incident.DoesNotExist:
        raise Http404("No incident matches the given query.") from None
    if not permissions.can_view_restricted(user, incident):
        _redact(incident)
    if not permissions.can_view_references(user):
        _references_hide(incident)
    return incident


def incident_narrative(*, user: User, incident: Incident) -> str | None:
    """The narrative, decrypted, if `user` may read it, else None. Pages and the API read it
    here and nowhere else."""
    if not permissions.can_view_narrative(user, incident):
        return None
    return incident.narrative


def incident_location_for(*, user: User, incident: Incident) -> Location | None:
    """The incident's location as `user` may see it: coarsened to admin level 2 unless they
    may see restricted details. Free of queries on rows from `incident_list`."""
    if incident.location is None or permissions.can_view_exact_location(user, incident):
        return incident.location
    return incident.location.ancestor_at_level(DEIDENTIFIED_MAX_ADMIN_LEVEL)


@dataclass(frozen=True)
class IncidentHistoryEntry:
    """One history line as `user` may see it. `reason` is None when hidden from them."""

    occurred_at: datetime
    action: str
    actor_name: str
    from_status: str
    to_status: str
    verification_status: str
    assignee_name: str
    reason: str | None

    @property
    def action_label(self) -> str:
        return str(IncidentEvent.Action(self.action).label)

    @property
    def to_status_label(self) -> str:
        return str(Incident.Status(self.to_status).label)

    @property
    def verification_label(self) -> str:
        return str(Incident.VerificationStatus(self.verification_status).label)


def incident_history(*, user: User, incident: Incident) -> list[IncidentHistoryEntry]:
    """The incident's history, oldest first; reasons only for those who may read the
    narrative. Http404 if the incident is out of the user's scope."""
    if not Incident.objects.visible_to(user).filter(pk=incident.pk).exists():
        raise Http404("No incident matches the given query.")
    show_reasons = permissions.can_view_narrative(user, incident)
    events = list(IncidentEvent.objects.filter(incident_id=incident.pk).select_related("actor", "assignee"))
    for event in events:
        event.incident = incident  # its data key decrypts the reasons: no query per event
    return [
        IncidentHistoryEntry(
            occurred_at=event.occurred_at,
            action=event.action,
            actor_name=event.actor.display_name,
            from_status=event.from_status,
            to_status=event.to_status,
            verification_status=event.verification_status,
            assignee_name=event.assignee.display_name if event.assignee else "",
            reason=event.reason if show_reasons else None,
        )
        for event in events
    ]


def incident_assignee_candidates(*, incident: Incident) -> QuerySet[User]:
    """Who may be assigned the incident: active WPAs of its office (not for SEA) and senior
    WPAs of its mission. Same rule as `permissions.may_review`."""
    reviewers = Q(groups__name=Role.SENIOR_WPA, memberships__field_office__mission=incident.mission_id)
    if not incident.is_sea:
        reviewers |= Q(groups__name=Role.WPA, memberships__field_office=incident.field_office_id)
    return User.objects.filter(reviewers, is_active=True).distinct().order_by("username")


def location_list(
    *, user: User, parent: Location | None = None, admin_level: int | None = None
) -> QuerySet[Location]:
    """Locations for pickers and the reference API.

    Analysts get admin levels 1-2 only, unless they may also log incidents (which needs the
    finer places).
    """
    rows = Location.objects.select_related("parent")
    if parent is not None:
        rows = rows.filter(parent=parent)
    if admin_level is not None:
        rows = rows.filter(admin_level=admin_level)
    if permissions.is_deidentified_viewer(user) and not permissions.can_create_incident(user):
        rows = rows.filter(admin_level__lte=DEIDENTIFIED_MAX_ADMIN_LEVEL)
    return rows.order_by("pcode")


def party_list(*, include_inactive: bool = False) -> QuerySet[PartyToConflict]:
    """Parties to the conflict, by name (reference data, not sensitive)."""
    rows = PartyToConflict.objects.all()
    return rows if include_inactive else rows.filter(active=True)

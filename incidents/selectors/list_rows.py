"""A row of the incident list as a user may see it: `IncidentRow`, and `row_redaction`, the one
decision of what each user sees of a row (page and API alike).

A stored row is what `list_page.PAGE_SQL` reads, column by column as `COLUMNS` lists them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, cast

from django.utils.translation import get_language

from crsv.accounts.models import User
from incidents import permissions
from incidents.models import TALLY_FIELDS, Incident, Location, Violation
from incidents.selectors.list_filters import DEIDENTIFIED_MAX_ADMIN_LEVEL


@dataclass(frozen=True, slots=True)
class Place:
    """A location as a list row shows it."""

    public_id: str
    pcode: str
    name: str
    admin_level: int


@dataclass(frozen=True, slots=True)
class ViolationRow:
    form: str
    form_label: str


@dataclass(frozen=True, slots=True)
class IncidentRow:
    """An incident in the list as the user may see it (`row_redaction`): never its narrative,
    coordinates or perpetrators' identification; the location coarsened to admin level 2 where
    she may not see the exact place; `reference` None before the first submission and for a
    user who sees no references (`IncidentPage.shows_references`).

    The fields are the list API's item, key for key and in its order
    (`api.serializers.IncidentListItemOutput`; a test compares them)."""

    public_id: str
    reference: str | None
    status: str
    status_label: str
    verification_status: str
    verification_status_label: str
    mission: str
    field_office: str
    reported_by: str
    assigned_wpa: str | None
    source_channel: str
    reported_on: date
    date_precision: str
    incident_date_start: date | None
    incident_date_end: date | None
    reporting_delay_band: str
    location: Place | None
    tally_women: int
    tally_girls: int
    tally_men: int
    tally_boys: int
    tally_unknown_sex: int
    violations: tuple[ViolationRow, ...]
    gbvims_core_type: str
    is_sea: bool
    is_late_verification: bool
    created_at: datetime
    updated_at: datetime

    def __getitem__(self, name: str) -> Any:
        """`row[name]` is `row.name`: a template looks `row.name` up as `row["name"]` first, and
        answering it spares the TypeError Django raises and catches per cell otherwise (50 rows
        of 10 cells on a page with a throughput budget)."""
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None

    @property
    def survivors(self) -> int:
        return self.tally_women + self.tally_girls + self.tally_men + self.tally_boys + self.tally_unknown_sex

    @property
    def incident_dates(self) -> str:
        """The incident's date as precise as it is known: 2026-03-02, 2026-03, or a range."""
        start, end = self.incident_date_start, self.incident_date_end
        if start is None:
            return "—"
        if self.date_precision == Incident.DatePrecision.MONTH:
            return start.isoformat()[:7]
        if end is None or end == start:
            return start.isoformat()
        return f"{start.isoformat()} – {end.isoformat()}"

    @property
    def violation_labels(self) -> str:
        return ", ".join(violation.form_label for violation in self.violations)

    @property
    def location_name(self) -> str:
        return self.location.name if self.location is not None else "—"

    @property
    def assignee(self) -> str:
        return self.assigned_wpa or "—"


ROW_FIELDS = tuple(field.name for field in fields(IncidentRow))


# --- the stored row ------------------------------------------------------------------------------

# Read from each row, as (name, SQL expression); `i` is the incident. Public ids are read as text
# (PostgreSQL writes the canonical form): psycopg2 would otherwise build UUID objects only for
# them to be printed back.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("public_id", "i.public_id::text"),
    ("reference", "i.reference"),
    ("status", "i.status"),
    ("verification_status", "i.verification_status"),
    ("mission", "m.code"),
    ("field_office", "o.code"),
    ("reported_by", "ru.username"),
    ("assigned_wpa", "au.username"),
    *(
        (name, f"i.{name}")
        for name in (
            "source_channel",
            "reported_on",
            "date_precision",
            "incident_date_start",
            "incident_date_end",
            "reporting_delay_band",
            *TALLY_FIELDS,
            "gbvims_core_type",
            "is_sea",
            "is_late_verification",
            "created_at",
            "updated_at",
            # What the redaction rule and the cursor read.
            "id",
            "mission_id",
            "field_office_id",
            "reported_by_id",
            "location_id",
        )
    ),
    (
        "violation_forms",
        "ARRAY(SELECT v.form FROM incidents_violation v WHERE v.incident_id = i.id ORDER BY v.id)",
    ),
    # The location (l1), its parent (l2) and grandparent (l3): with admin levels 1-4, the
    # grandparent of the finest place is at level 2, so these are enough to coarsen any location.
    *(
        (f"{alias}_{attribute}", f"{alias}.{attribute}" + ("::text" if attribute == "public_id" else ""))
        for alias in ("l1", "l2", "l3")
        for attribute in ("public_id", "pcode", "name", "admin_level")
    ),
)
AT = {name: index for index, (name, _expression) in enumerate(COLUMNS)}
# The runs of columns an IncidentRow takes as they are read; the rest is labelled or redacted.
_MISSION_TO_DELAY_BAND = slice(AT["mission"], AT["tally_women"])
_TALLIES = slice(AT["tally_women"], AT["gbvims_core_type"])
_CORE_TYPE_TO_UPDATED_AT = slice(AT["gbvims_core_type"], AT["id"])
assert (
    "public_id",
    "reference",
    "status",
    "status_label",
    "verification_status",
    "verification_status_label",
    *(name for name, _expression in COLUMNS[_MISSION_TO_DELAY_BAND]),
    "location",
    *(name for name, _expression in COLUMNS[_TALLIES]),
    "violations",
    *(name for name, _expression in COLUMNS[_CORE_TYPE_TO_UPDATED_AT]),
) == ROW_FIELDS


# --- redaction ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Labels:
    status: dict[str, str]
    verification: dict[str, str]
    violation: dict[str, str]


@functools.cache
def _labels(language: str | None) -> _Labels:
    """The choice labels in the active language (the cache key; called while it is active)."""
    return _Labels(
        status={value: str(label) for value, label in Incident.Status.choices},
        verification={value: str(label) for value, label in Incident.VerificationStatus.choices},
        violation={value: str(label) for value, label in Violation.Form.choices},
    )


@dataclass(frozen=True, slots=True)
class _RowFacts:
    """What `permissions.can_view_exact_location` reads of an incident, for a list row.

    Building an Incident (50 fields, defaults) costs more than the rule itself; this stands in
    for one. If the rule ever reads another attribute, this raises AttributeError (a 500, never
    a leak), and the list tests, which compare with real instances, fail.
    """

    reported_by_id: int
    field_office_id: int
    mission_id: int
    is_sea: bool


@dataclass(slots=True)
class _PlaceNode:
    """What `Location.ancestor_at_level` reads and what a row shows of a place, for the stored
    location and its ancestors (a Location instance costs more to build than a row)."""

    public_id: str
    pcode: str
    name: str
    admin_level: int
    parent: _PlaceNode | None


def _place_chain(row: tuple[Any, ...]) -> _PlaceNode | None:
    """The row's location linked to its parent and grandparent, as stored."""
    node: _PlaceNode | None = None
    for alias in ("l3", "l2", "l1"):
        start = AT[f"{alias}_public_id"]
        public_id, pcode, name, level = row[start : start + 4]
        if public_id is None:  # no such ancestor (or no location)
            node = None
            continue
        node = _PlaceNode(public_id, pcode, name, level, node)
    return node


def row_redaction(user: User) -> Callable[[tuple[Any, ...]], IncidentRow]:
    """What `user` may see of a list row: the one decision for the page and the API.

    - the reference, unless she sees none (`permissions.can_view_references`: an analyst);
    - the exact location where `permissions.can_view_exact_location` allows it (her own
      incidents and those she reviews), else `Location.ancestor_at_level(2)` (an analyst
      everywhere; a reporter on a colleague's incident);
    - never the narrative, coordinates or perpetrators (the statement does not read them).

    The rule is asked once per distinct combination of what it reads (own row?, office, mission,
    SEA), and each location coarsened once per page: a page has a handful of each, not fifty.
    """
    labels = _labels(get_language())
    references = permissions.can_view_references(user)
    exact_answers: dict[tuple[bool, int, int, bool], bool] = {}
    places: dict[tuple[int, bool], Place | None] = {}

    def exact(row: tuple[Any, ...]) -> bool:
        facts = _RowFacts(
            row[AT["reported_by_id"]],
            row[AT["field_office_id"]],
            row[AT["mission_id"]],
            row[AT["is_sea"]],
        )
        key = (facts.reported_by_id == user.pk, facts.field_office_id, facts.mission_id, facts.is_sea)
        answer = exact_answers.get(key)
        if answer is None:
            probe = cast(Incident, facts)  # duck-typed: see _RowFacts
            answer = exact_answers[key] = permissions.can_view_exact_location(user, probe)
        return answer

    def place(row: tuple[Any, ...], exact: bool) -> Place | None:
        location_id = row[AT["location_id"]]
        if location_id is None:
            return None
        key = (location_id, exact)
        if key not in places:
            node = _place_chain(row)
            assert node is not None
            if not exact:  # duck-typed: _PlaceNode has what the method reads
                node = cast(
                    _PlaceNode, Location.ancestor_at_level(cast(Location, node), DEIDENTIFIED_MAX_ADMIN_LEVEL)
                )
            places[key] = Place(node.public_id, node.pcode, node.name, node.admin_level)
        return places[key]

    def redact(row: tuple[Any, ...]) -> IncidentRow:
        status, verification = row[AT["status"]], row[AT["verification_status"]]
        # Positional, from runs of columns (the ROW_FIELDS assertion above checks the order).
        return IncidentRow(  # type: ignore[call-arg]  # mypy cannot count starred runs
            row[0],
            row[1] if references else None,
            status,
            labels.status.get(status, status),
            verification,
            labels.verification.get(verification, verification),
            *row[_MISSION_TO_DELAY_BAND],
            place(row, exact(row)),
            *row[_TALLIES],
            tuple(
                ViolationRow(form, labels.violation.get(form, form)) for form in row[AT["violation_forms"]]
            ),
            *row[_CORE_TYPE_TO_UPDATED_AT],
        )

    return redact

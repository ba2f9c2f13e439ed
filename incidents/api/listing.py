"""The incident list's fast path (issue 3, "Speed"): one query for the page, plain rows, orjson.

GET /api/v1/incidents/ is what API clients poll, and it has a throughput budget against a bare
WSGI app answering the same page straight from SQL. Measured on a 50-row page, the ways the
ORM offers each cost several times the database work: a serializer instance per row; or one
`values()` query over a dozen joined lookups, which Django takes ~2.5 ms to compile and
PostgreSQL ~2 ms to plan (8 relations) on every request. So the page is read in two parts
that travel as one statement:

- *which* rows, in what order: `selectors.incident_list(user=..., filters=..., ordering=...)`,
  the same scope (`visible_to`) and filter checks as every list, cut to the page after the
  cursor and compiled by Django selecting the id only (cheap to compile);
- *what* each row shows: `PAGE_SQL`, a constant statement that reads the display columns of
  those ids (the page's ids first, as a materialised CTE, so the joins only ever see 51 rows;
  codes and usernames joined, the location with two ancestors to
  coarsen it, the violations' forms as an array), in the same order. It decides nothing about
  access: it only reads rows the selector chose.

Then, in Python: choice labels from dicts built once per language; whether a row's exact
location may be shown is asked of `permissions.can_view_exact_location` once per distinct
combination of what that rule reads (own row?, office, mission, SEA), not once per row; the
location is coarsened as `Location.ancestor_at_level` does. No caching: every request reads
the database.

Each row is what `serializers.IncidentListItemOutput` (the documented schema) makes of the same
incident; `tests/incidents/test_api_list.py` compares the two for every persona.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.utils.translation import get_language

from crsv.accounts.models import User
from incidents import permissions, selectors
from incidents.api.pagination import KEYSETS, Position, after
from incidents.models import TALLY_FIELDS, Incident, Violation
from incidents.selectors import DEIDENTIFIED_MAX_ADMIN_LEVEL, IncidentFilters

PAGE_SIZE = 50

# What a list row shows as it is stored: (output key, SQL expression), in the order of
# `IncidentListItemOutput`; `i` is the incident. Public ids are read as text (PostgreSQL writes
# the canonical form, as orjson writes a UUID): psycopg2 would otherwise build UUID objects
# only for orjson to print them back.
_SHOWN: tuple[tuple[str, str], ...] = (
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
        )
    ),
)
# The cursor is read from the last row: its ordering column must be shown.
assert all(keyset.column in dict(_SHOWN) for keyset in KEYSETS.values())

# What the permission rule and the cursor read, and the violations: (key, SQL expression).
_USED: tuple[tuple[str, str], ...] = (
    ("id", "i.id"),
    ("mission_id", "i.mission_id"),
    ("field_office_id", "i.field_office_id"),
    ("reported_by_id", "i.reported_by_id"),
    (
        "violation_forms",
        "ARRAY(SELECT v.form FROM incidents_violation v WHERE v.incident_id = i.id ORDER BY v.id)",
    ),
)
# The incident's location (l1), its parent (l2) and grandparent (l3), each as these four values:
# with admin levels 1-4, the grandparent of the finest place is at level 2, so these are enough
# to coarsen any location.
_LOCATION_ATTRIBUTES = ("public_id", "pcode", "name", "admin_level")
_PLACES: tuple[tuple[str, str], ...] = tuple(
    (f"{alias}_{attr}", f"{alias}.{attr}::text" if attr == "public_id" else f"{alias}.{attr}")
    for alias in ("l1", "l2", "l3")
    for attr in _LOCATION_ATTRIBUTES
)
SHOWN_KEYS = tuple(key for key, _expression in _SHOWN)
USED_KEYS = tuple(key for key, _expression in _USED)
_SHOWN_END = len(_SHOWN)
_USED_END = _SHOWN_END + len(_USED)
# Where the location, its parent and its grandparent start in a row, and where they end.
_L1, _L2, _L3, _PLACES_END = (_USED_END + n * len(_LOCATION_ATTRIBUTES) for n in range(4))

# `{page}`: the selector's query for the page's ids (SQL compiled by Django, its values passed
# as parameters); `{order}`: its ordering on `i`, from ORDERINGS. No value is ever formatted into
# the statement.
PAGE_SQL = """
WITH page AS MATERIALIZED ({{page}})
SELECT {columns}
FROM page
JOIN incidents_incident i ON i.id = page.id
JOIN accounts_mission m ON m.id = i.mission_id
JOIN accounts_fieldoffice o ON o.id = i.field_office_id
JOIN accounts_user ru ON ru.id = i.reported_by_id
LEFT JOIN accounts_user au ON au.id = i.assigned_wpa_id
LEFT JOIN incidents_location l1 ON l1.id = i.location_id
LEFT JOIN incidents_location l2 ON l2.id = l1.parent_id
LEFT JOIN incidents_location l3 ON l3.id = l2.parent_id
ORDER BY {{order}}
""".format(columns=", ".join(f"{expression} AS {key}" for key, expression in (*_SHOWN, *_USED, *_PLACES)))


def _order_sql(ordering: str) -> str:
    """`ORDERINGS[ordering]` on the alias `i`: the same directions, so the same NULL placement."""
    keyset = KEYSETS[ordering]
    direction = "DESC" if keyset.descending else "ASC"
    return f"i.{keyset.db_column} {direction}, i.id {direction}"


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


def _exact_location_rule(user: User) -> Callable[[_RowFacts], bool]:
    """`permissions.can_view_exact_location(user, row)` for list rows, asked once per distinct
    combination of the attributes that rule reads (is_owner: the reporter, office; may_review:
    the office, mission, SEA flag). A page has a handful of combinations, not fifty."""
    answers: dict[tuple[bool, int, int, bool], bool] = {}

    def allowed(facts: _RowFacts) -> bool:
        key = (facts.reported_by_id == user.pk, facts.field_office_id, facts.mission_id, facts.is_sea)
        answer = answers.get(key)
        if answer is None:
            probe = cast(Incident, facts)  # duck-typed: see _RowFacts
            answer = answers[key] = permissions.can_view_exact_location(user, probe)
        return answer

    return allowed


Place = tuple[Any, ...]  # (public_id, pcode, name, admin_level), all None when there is none


def _location(places: tuple[Place, Place, Place], exact: bool) -> dict[str, Any] | None:
    """The row's location as the user may see it (as `selectors.incident_location_for`):
    the place, or when she may not see it exactly, its first ancestor at admin level 2 or above."""
    chosen: Place | None = None
    for place in places:
        level = place[-1]
        if level is None:  # no location, or no parent: stay where we are
            break
        chosen = place
        if exact or level <= DEIDENTIFIED_MAX_ADMIN_LEVEL:
            break
    return None if chosen is None else dict(zip(_LOCATION_ATTRIBUTES, chosen, strict=True))


def _row(
    shown: dict[str, Any],
    used: dict[str, Any],
    places: tuple[Place, Place, Place],
    exact: bool,
    labels: _Labels,
) -> dict[str, Any]:
    """One list item: what `IncidentListItemOutput` says, key for key (the shown columns, then
    the labels, the location as the user may see it and the violations)."""
    shown["status_label"] = labels.status.get(shown["status"], shown["status"])
    shown["verification_status_label"] = labels.verification.get(
        shown["verification_status"], shown["verification_status"]
    )
    shown["location"] = _location(places, exact)
    shown["violations"] = [
        {"form": form, "form_label": labels.violation.get(form, form)} for form in used["violation_forms"]
    ]
    return shown


@dataclass(frozen=True)
class IncidentPage:
    results: list[dict[str, Any]]  # JSON-ready once dumped with orjson.OPT_UTC_Z
    next: Position | None  # where the next page starts; None on the last page


def incident_page(
    *,
    user: User,
    filters: IncidentFilters,
    ordering: str,
    start_after: Position | None = None,
    size: int = PAGE_SIZE,
) -> IncidentPage:
    """One page of the incidents `user` may see. One query (plus the user's roles and offices,
    read once per request by the scope). Raises ValidationError like `incident_list`."""
    chosen = selectors.incident_list(user=user, filters=filters, ordering=ordering)
    if start_after is not None:
        chosen = after(chosen, ordering, start_after)
    try:
        # One more than a page, to know whether another follows.
        page_sql, params = chosen.values("id")[: size + 1].query.sql_with_params()
    except EmptyResultSet:  # the scope or a filter can match nothing (Django skips the query)
        return IncidentPage(results=[], next=None)
    with connections[chosen.db].cursor() as cursor:
        # The statement is written in the order to run it (the page's ids, then one lookup per
        # row); letting the planner search every join order of its nine relations took longer
        # (~2.5 ms) than running it (~1.5 ms). Sent with it as one simple query, the SET LOCAL
        # lasts for that implicit transaction only (inside an explicit one, until its end:
        # it changes only how plans are searched, never a result).
        cursor.execute(
            "SET LOCAL join_collapse_limit = 1; "
            + PAGE_SQL.format(page=page_sql, order=_order_sql(ordering)),
            params,
        )
        rows = cursor.fetchall()
    more = len(rows) > size
    del rows[size:]
    labels = _labels(get_language())
    exact = _exact_location_rule(user)
    references = permissions.can_view_references(user)
    results = []
    used: dict[str, Any] = {}
    for row in rows:
        shown = dict(zip(SHOWN_KEYS, row[:_SHOWN_END], strict=True))
        used = dict(zip(USED_KEYS, row[_SHOWN_END:_USED_END], strict=True))
        places = (row[_L1:_L2], row[_L2:_L3], row[_L3:_PLACES_END])
        facts = _RowFacts(
            used["reported_by_id"], used["field_office_id"], used["mission_id"], shown["is_sea"]
        )
        if not references:  # as IncidentListItemOutput: the key is absent
            del shown["reference"]
        results.append(_row(shown, used, places, exact(facts), labels))
    position = None
    if more:  # the cursor: the last row's value in the ordering's column (shown), and its id
        position = Position(value=results[-1][KEYSETS[ordering].column], id=used["id"])
    return IncidentPage(results=results, next=position)

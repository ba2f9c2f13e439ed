"""A case of the list or of the search as it is stored: `CaseRow`, read as values for the case
list and the search, page and API alike (`selectors.survivor_page`, `survivor_search_reveal`),
which only render it.

Why SQL rather than model instances (issue 9, "Speed": the list page has a throughput budget
against the incident list page). Read with `select_related` (data key, office, assigned WPA) and
`.only()`, a page of 50 cases built about 160 model instances and compiled a four-join statement
on every request: a third of the page's time. So the page is read in two parts that travel as
one statement, as the incident list is (`incidents.selectors.list_page`):

- *which* cases, in what order, and whether `user` may identify each: the selector's queryset
  (`visible_to` and the filters), compiled by Django selecting the id and the `identifying`
  flag `survivor_list` computes; or, for a WPA's or a reporter's list, `newest_heads`: the
  newest of each arm of `identifying_arms`, every one a case she may identify;
- *what* each row holds: `PAGE_SQL`, a constant statement reading the columns of those ids (the
  page's ids materialised first, so the joins only ever see 51 rows). It decides nothing about
  access: it reads the rows the selector chose, and their flag as the selector computed it.

A row carries no plaintext identifying value: the name's ciphertext and the case's data key as
stored (`sealed_name`), which only `selectors.survivor_names_reveal` opens, and logs.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Q

from crsv.accounts.models import User
from crsv.crypto import Sealed
from crsv.pagination import NEWEST_FIRST
from survivors.querysets import identifying_arms


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One case: its code and non-identifying profile (what a senior WPA sees of every case of
    her missions), `identifying` (may this user read its identifying fields?) and the sealed
    name. The fields the list API shows are `api.serializers.SurvivorListItemOutput`'s."""

    pk: int
    public_id: str
    code: str
    field_office: str  # the office's code
    sex: str
    age: int | None
    age_band: str
    disability: str
    displacement_status: str
    interview_count: int
    do_not_reinterview: bool
    assigned_wpa: str | None  # the assigned WPA's username
    assigned_wpa_name: str  # her `display_name`; "" when the case is not assigned
    is_erased: bool
    created_at: datetime
    identifying: bool
    sealed_name: Sealed = dataclasses.field(repr=False)

    def __getitem__(self, name: str) -> Any:
        """`row[name]` is `row.name`: a Django template looks `row.name` up as `row["name"]`
        first, and answering it spares the TypeError raised and caught per cell otherwise."""
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None


# Read from each row, in the order `case_rows_read` unpacks them; `s` is the case, `o` its office,
# `u` its assigned WPA, `k` its data key. Public ids are read as text (PostgreSQL writes the
# canonical form): psycopg2 would otherwise build UUID objects only for them to be printed back.
_COLUMNS = (
    "s.id",
    "s.public_id::text",
    "s.code",
    "o.code",
    "s.sex",
    "s.age",
    "s.age_band",
    "s.disability",
    "s.displacement_status",
    "s.interview_count",
    "s.do_not_reinterview",
    "u.username",
    "u.first_name",
    "u.last_name",
    "s.erased_at IS NOT NULL",
    "s.created_at",
    "{identifying}",
    "s.name_ct",
    "k.public_id::text",
    "k.master_key_id",
    "k.wrapped_key",
)

# `{page}`: the selector's query for the page's ids (SQL compiled by Django, its values passed as
# parameters), with a column `identifying` unless every row is one she may identify. The order
# is the lists' (`crsv.pagination.NEWEST_FIRST`). No value is ever formatted into the statement.
_PAGE_SQL = """
WITH page AS MATERIALIZED ({{page}})
SELECT {columns}
FROM page
JOIN survivors_survivor s ON s.id = page.id
JOIN accounts_fieldoffice o ON o.id = s.field_office_id
JOIN keys_datakey k ON k.id = s.data_key_id
LEFT JOIN accounts_user u ON u.id = s.assigned_wpa_id
ORDER BY s.created_at DESC, s.id DESC
""".format(columns=", ".join(_COLUMNS))  # nosec B608  # constant columns
# The flag as the selector computed it, or TRUE for a page of `identifying_arms` (each arm is a
# source of `identifying_access_q`: every row of it is one she may identify).
PAGE_SQL = {
    False: _PAGE_SQL.replace("{identifying}", "page.identifying"),
    True: _PAGE_SQL.replace("{identifying}", "TRUE"),
}


# --- which cases: the newest of each source a WPA or a reporter may identify -------------------


@dataclass(frozen=True)
class _Scope:
    """What `identifying_arms` reads of a user: her id, roles, offices and missions (read afresh
    with her on every request, `crsv.accounts.scope`)."""

    user_id: int
    roles: frozenset[str]
    office_ids: tuple[int, ...]
    mission_ids: tuple[int, ...]


def newest_heads(user: Any, *, after: Q | None, size: int) -> tuple[str, tuple[Any, ...]] | None:
    """The compiled query for the newest `size` cases among those of `identifying_arms(user)`
    after `after` (a keyset condition; None: the first page), selecting `id` and `created_at`:
    the newest `size` of each arm (each through its own index), then the newest of those. None
    when no arm can match (no source, no membership).

    The arms are Django querysets, and building and compiling them costs about 5 ms, a quarter
    of the list page. The first page's query is the same for every request of a user until
    her scope changes, so it is compiled once per scope (`_first_heads`). Only the statement is
    kept, never a result: which cases are assigned or granted to her, and whether a grant or a
    break-glass has expired, PostgreSQL decides again on every request."""
    if not user.is_authenticated or not user.is_active:
        return None
    if after is None:
        scope = _Scope(
            user.pk,
            frozenset(user.role_names()),
            tuple(user.office_ids()),
            tuple(user.mission_ids()),
        )
        return _first_heads(scope, size)
    return _heads(user, after, size)


@functools.lru_cache(maxsize=1024)
def _first_heads(scope: _Scope, size: int) -> tuple[str, tuple[Any, ...]] | None:
    """`newest_heads` of the first page, for a user made of `scope` and nothing else: the
    statement is a function of the key by construction (a rule that read anything else of the
    user would read a blank here, and fail its tests, rather than serve another user's query)."""
    user = User(pk=scope.user_id, is_active=True)
    user.scope_prime(roles=scope.roles, office_ids=scope.office_ids, mission_ids=scope.mission_ids)
    heads = _heads(user, Q(), size)
    if heads is not None and any(isinstance(value, date) for value in heads[1]):
        # A time taken in Python would be kept with the statement: a grant would never expire.
        raise RuntimeError("identifying_arms must compare times with the database's clock (Now())")
    return heads


def _heads(user: Any, after: Q, size: int) -> tuple[str, tuple[Any, ...]] | None:
    heads = [
        arm.filter(after).order_by(*NEWEST_FIRST).values_list("id", "created_at")[:size]
        for arm in identifying_arms(user)
    ]
    if not heads:
        return None
    first, *others = heads
    newest = first.union(*others).order_by(*NEWEST_FIRST)[:size] if others else first
    try:
        sql, params = newest.query.sql_with_params()
    except EmptyResultSet:  # every arm matches nothing (Django skips the query)
        return None
    return sql, tuple(params)


# --- what each row holds -------------------------------------------------------------------------


def case_rows_read(
    page_sql: str, params: Sequence[Any], *, all_identifying: bool, using: str = "default"
) -> list[CaseRow]:
    """The rows of the cases `page_sql` selects (a compiled queryset of the selector), newest
    first. `all_identifying`: every case it selects is one the user may identify (it has no
    `identifying` column)."""
    with connections[using].cursor() as db:
        db.execute(PAGE_SQL[all_identifying].replace("{page}", page_sql), params)
        stored = db.fetchall()
    display_names: dict[tuple[str, str, str], str] = {}
    rows = []
    for (
        pk,
        public_id,
        code,
        office,
        sex,
        age,
        age_band,
        disability,
        displacement,
        interviews,
        do_not_reinterview,
        username,
        first_name,
        last_name,
        is_erased,
        created_at,
        identifying,
        name_ct,
        key_owner,
        key_id,
        wrapped_key,
    ) in stored:
        name = ""
        if username is not None:
            wpa = (username, first_name, last_name)
            if wpa not in display_names:  # once per WPA of the page, by the model's own rule
                display_names[wpa] = User(
                    username=username, first_name=first_name, last_name=last_name
                ).display_name
            name = display_names[wpa]
        rows.append(
            CaseRow(
                pk,
                public_id,
                code,
                office,
                sex,
                age,
                age_band,
                disability,
                displacement,
                interviews,
                do_not_reinterview,
                username,
                name,
                is_erased,
                created_at,
                identifying,
                Sealed(name_ct, public_id, key_owner, key_id, wrapped_key),
            )
        )
    return rows

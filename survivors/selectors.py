"""Every read of survivor cases done for a user. Identifying values leave only through the
`*_reveal` functions, which write one AccessEvent per survivor revealed in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import models, transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Now
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crsv.accounts.models import User
from crsv.accounts.roles import Capability, Role, roles_for
from crsv.audit.models import AccessEvent
from crsv.audit.services import access_record
from crsv.pagination import NEWEST_FIRST, keyset_after, keyset_cursor_decode, keyset_cursor_encode
from incidents.models import Incident
from survivors import blind_index, permissions
from survivors.clock import awaiting_medical_care_q
from survivors.identity import SurvivorIdentity
from survivors.list_rows import CaseRow, case_rows_read, newest_heads
from survivors.models import (
    BreakGlass,
    Consent,
    Survivor,
    SurvivorSearchEntry,
    SurvivorUserObjectPermission,
)
from survivors.querysets import identifying_access_q

# How far back the home page shows the mission's break-glass openings.
BREAK_GLASS_RECENT = timedelta(days=7)
BREAK_GLASS_RECENT_LIMIT = 100
# Cases per page of the list (page and API).
PAGE_SIZE = 50


class AssignmentFilter(models.TextChoices):
    """Which cases of the list, by their assignment (`?assignment=` on the list page and API)."""

    ALL = "", _("All cases")
    DORMANT = "dormant", _("Assigned WPA no longer in the case's office")
    MINE = "mine", _("Assigned to me")
    UNASSIGNED = "unassigned", _("Not assigned to a WPA")
    MEDICAL_WINDOW = "medical_window", _("Inside the 72-hour window without accepted medical care")


# What a case read for its page (`survivor_get`) needs besides itself.
_LIST_RELATED = ("data_key", "field_office", "assigned_wpa")


@dataclass(frozen=True)
class CasePage:
    rows: list[CaseRow]
    next_cursor: str | None  # the cursor of the next page; None on the last page


def survivor_list(*, user: Any, assignment: str = AssignmentFilter.ALL) -> QuerySet[Survivor]:
    """Cases `user` may see, newest first, each annotated with `identifying` (may she read the
    identifying fields?) so a list page needs no query per row. `assignment="dormant"` keeps
    the cases whose assigned WPA left the case's office (or was deactivated): the senior WPA's
    list of cases to reassign; `"mine"` the cases assigned to her; `"unassigned"` the cases no
    WPA holds (erased ones left out: nothing is left to do on them)."""
    rows = Survivor.objects.visible_to(user)
    identifying: Any = Value(True)  # everyone but a senior WPA sees only the cases she may identify
    if user.has_role(Role.SENIOR_WPA):
        q = identifying_access_q(user)
        identifying = ExpressionWrapper(q, output_field=BooleanField()) if q else Value(False)
    if assignment == AssignmentFilter.DORMANT:
        rows = rows.dormant()
    elif assignment == AssignmentFilter.MINE:
        rows = rows.filter(assigned_wpa=user)
    elif assignment == AssignmentFilter.UNASSIGNED:
        rows = rows.filter(assigned_wpa__isnull=True, erased_at__isnull=True)
    elif assignment == AssignmentFilter.MEDICAL_WINDOW:
        rows = rows.filter(awaiting_medical_care_q(timezone.now()))
    return (
        rows.select_related(*_LIST_RELATED).annotate(identifying=identifying).order_by("-created_at", "-id")
    )


def survivor_page(
    *, user: Any, assignment: str = AssignmentFilter.ALL, cursor: str | None = None, size: int = PAGE_SIZE
) -> CasePage:
    """One newest-first page of `survivor_list` after `cursor` (None: the first), as `CaseRow`s,
    for the list page and the list API. Raises BadCursor on a cursor this ordering did not make.

    A WPA's or a reporter's list (every case she may identify) is chosen source by source
    (`list_rows.newest_heads` of `identifying_arms`, the sources of `visible_to`, bounded
    alike): the newest `size + 1` of each (assigned, registered, granted), each through its own
    index, then the newest of those heads. The single semi-join of `survivor_list` fetched and
    joined every case she may read before sorting them (the benchmark WPA: 1,000 cases for a
    page of 50; 13-20 ms against 8 at 100,000 cases). A senior WPA's list is her missions'
    cases through the (mission, newest) index, and the dormant filter is rare: both page
    `survivor_list` as is. Either way the rows of the page are read by `list_rows.PAGE_SQL`,
    in the same statement as their choice."""
    permissions.list_authorize(user)
    after = keyset_after(NEWEST_FIRST, keyset_cursor_decode(NEWEST_FIRST, cursor)) if cursor else None
    if assignment != AssignmentFilter.ALL or user.has_role(Role.SENIOR_WPA):
        listed: QuerySet[Any] = survivor_list(user=user, assignment=assignment).filter(after or Q())
        rows = _case_rows(listed.values("id", "identifying")[: size + 1])
    else:
        heads = newest_heads(user, after=after, size=size + 1)
        rows = case_rows_read(*heads, all_identifying=True) if heads else []
    last = rows[size - 1] if len(rows) > size else None
    next_cursor = keyset_cursor_encode(NEWEST_FIRST, [last.created_at, last.pk]) if last else None
    return CasePage(rows=rows[:size], next_cursor=next_cursor)


def _case_rows(chosen: QuerySet[Any]) -> list[CaseRow]:
    """The `CaseRow`s of the cases `chosen` selects (`id` and `identifying`), in one statement."""
    try:
        page_sql, params = chosen.query.sql_with_params()
    except EmptyResultSet:  # the scope can match nothing (Django skips the query)
        return []
    return case_rows_read(page_sql, params, all_identifying=False, using=chosen.db)


def survivor_get(*, user: Any, public_id: uuid.UUID | str) -> Survivor:
    """The case, or 404 when it does not exist for `user`."""
    return get_object_or_404(survivor_list(user=user), public_id=public_id)


@transaction.atomic
def survivor_names_reveal(
    *, user: Any, survivors: Sequence[CaseRow], kind: str, request: HttpRequest | None = None
) -> dict[int, str]:
    """Decrypted names of the rows `user` may identify (erased cases are skipped), keyed by pk,
    and one access event for each, in this transaction."""
    shown = [row for row in survivors if row.identifying and not row.is_erased]
    names = Survivor.name.decrypt_many(Survivor, [row.sealed_name for row in shown])
    access_record(
        actor=user,
        survivor_public_ids=[uuid.UUID(row.public_id) for row in shown],
        kind=kind,
        request=request,
    )
    return {row.pk: name for row, name in zip(shown, names, strict=True)}


@transaction.atomic
def survivor_reveal(
    *, user: Any, survivor: Survivor, kind: str, request: HttpRequest | None = None
) -> SurvivorIdentity | None:
    """Every identifying field of one case, or None if `user` may not read them or it is erased."""
    if not getattr(survivor, "identifying", False) or survivor.erased_at is not None:
        return None
    identity = SurvivorIdentity.of(survivor)
    access_record(actor=user, survivor_public_ids=[survivor.public_id], kind=kind, request=request)
    return identity


def consent_list(*, user: Any, survivor: Survivor) -> QuerySet[Consent]:
    """The ledger of a case `user` can see (no identifying values in it), newest first."""
    visible = Survivor.objects.visible_to(user).filter(pk=survivor.pk)
    return (
        Consent.objects.filter(survivor__in=visible)
        .select_related("consent_text", "recorded_by", "withdraws", "provider")
        .prefetch_related(Prefetch("withdrawal"))
        .order_by("-given_at", "-id")
    )


def consent_providers(*, active: bool = True) -> QuerySet[Any]:
    """The directory's providers a consent may name (`referrals.ServiceProvider`), by name;
    `active=False`: every one, to find the one an API client names and refuse it if inactive.
    The model is reached through the consent's foreign key: survivors imports no referrals."""
    model = Consent._meta.get_field("provider").related_model
    assert isinstance(model, type) and issubclass(model, models.Model)
    rows = model._default_manager.order_by("name", "id")
    return rows.filter(active=True) if active else rows


def consent_get(*, user: Any, survivor: Survivor, public_id: uuid.UUID | str) -> Consent:
    return get_object_or_404(consent_list(user=user, survivor=survivor), public_id=public_id)


def survivor_search(*, user: Any, code: str = "", name: str = "", phone: str = "") -> QuerySet[Survivor]:
    """Exact search within scope. By code: among the cases `user` can see. By name or phone:
    only among the cases she may identify (otherwise a match would tell her who a code is),
    through the blind index: the value itself is never stored or compared in the clear."""
    rows = survivor_list(user=user)
    if code.strip():
        return rows.filter(code=code.strip().upper())
    entries: list[tuple[str, bytes]] = []
    if name.strip():
        entries.append(("name", blind_index.digest("name", blind_index.normalise_name(name))))
    if phone.strip():
        normalised = blind_index.normalise_phone(phone)
        if not normalised:
            return rows.none()
        entries.append(("phone", blind_index.digest("phone", normalised)))
    if not entries:
        return rows.none()
    rows = rows.filter(identifying_access_q(user))
    for kind, digest in entries:
        rows = rows.filter(
            Exists(SurvivorSearchEntry.objects.filter(survivor=OuterRef("pk"), kind=kind, digest=digest))
        )
    return rows


@transaction.atomic
def survivor_search_reveal(
    *,
    user: Any,
    code: str = "",
    name: str = "",
    phone: str = "",
    limit: int,
    request: HttpRequest | None = None,
) -> tuple[list[CaseRow], dict[int, str]]:
    """The search use case of the page and the API: the role gate, at most `limit` cases found
    by `survivor_search`, and the names of those she may identify, revealed and logged (kind
    SEARCH) in this transaction."""
    permissions.list_authorize(user)
    found: QuerySet[Any] = survivor_search(user=user, code=code, name=name, phone=phone)
    rows = _case_rows(found.values("id", "identifying")[:limit])
    names = survivor_names_reveal(user=user, survivors=rows, kind=AccessEvent.Kind.SEARCH, request=request)
    return rows, names


def survivor_incidents(*, user: Any, survivor: Survivor) -> list[Incident] | None:
    """The case's linked incidents that `user` can see herself (an SEA incident may not be one
    of them), or None when the links are withheld from her.

    The link between a case and an incident names who the incident happened to, so it is shown
    only with the identifying fields: to someone who may identify the survivor (`identifying`,
    from `survivor_list`) and while the case is not erased. A senior WPA without a grant or a
    break-glass sees the code and profile, never which incidents are hers. The one rule for
    the case page and the API."""
    if not getattr(survivor, "identifying", False) or survivor.erased_at is not None:
        return None
    return list(Incident.objects.visible_to(user).filter(survivors=survivor).order_by("created_at", "id"))


class AccessWhy(models.TextChoices):
    """Why someone may read a case's identifying fields."""

    ASSIGNED = "assigned", _("Assigned WPA")
    REGISTERED = "registered", _("Registered the case (until a WPA takes it)")
    GRANT = "grant", _("Granted access")
    BREAK_GLASS = "break_glass", _("Break-glass")


@dataclass(frozen=True)
class AccessEntry:
    """One person who may read a case's identifying fields now, and why."""

    user: User
    why: AccessWhy
    granted_by: User | None = None
    since: datetime | None = None
    until: datetime | None = None  # None: no expiry


def survivor_access(*, user: Any, survivor: Survivor) -> list[AccessEntry]:
    """Who may read the identifying fields of a case `user` can see, and why: the assigned WPA,
    the registrar while no WPA has the case, each live grant, each live break-glass. No survivor
    value in it. Three queries, however many grants (the caller checks `can_view_access`)."""
    visible = Survivor.objects.visible_to(user).filter(pk=survivor.pk)
    row = visible.select_related("assigned_wpa", "registered_by").first()
    if row is None:
        return []
    entries: list[AccessEntry] = []
    if row.assigned_wpa is not None:
        entries.append(AccessEntry(user=row.assigned_wpa, why=AccessWhy.ASSIGNED))
    else:
        entries.append(AccessEntry(user=row.registered_by, why=AccessWhy.REGISTERED, since=row.created_at))
    grants = (
        SurvivorUserObjectPermission.objects.filter(content_object__in=visible)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=Now()))
        .select_related("user", "granted_by")
        .order_by("granted_at", "id")
    )
    entries += [
        AccessEntry(
            user=g.user, why=AccessWhy.GRANT, granted_by=g.granted_by, since=g.granted_at, until=g.expires_at
        )
        for g in grants
    ]
    openings = (
        BreakGlass.objects.filter(survivor__in=visible, expires_at__gt=Now())
        .select_related("user")
        .order_by("opened_at", "id")
    )
    entries += [
        AccessEntry(user=b.user, why=AccessWhy.BREAK_GLASS, since=b.opened_at, until=b.expires_at)
        for b in openings
    ]
    return entries


def survivor_grant_candidates(*, user: Any, survivor: Survivor) -> QuerySet[User]:
    """Whom a senior WPA may give access to the case: active WPAs and reporters of its mission
    (`survivor_grant` checks the same)."""
    if not user.has_role(Role.SENIOR_WPA) or survivor.mission_id not in user.mission_ids():
        return User.objects.none()
    return (
        User.objects.filter(
            is_active=True,
            groups__name__in=roles_for(Capability.RECEIVE_SURVIVOR_GRANT),
            memberships__field_office__mission_id=survivor.mission_id,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def survivor_assign_candidates(*, survivor: Survivor) -> QuerySet[User]:
    """Whom the case may be assigned to: active WPAs and senior WPAs of its field office
    (`survivor_assign` checks the same)."""
    return (
        User.objects.filter(
            is_active=True,
            groups__name__in=roles_for(Capability.HOLD_SURVIVOR_CASES),
            memberships__field_office_id=survivor.field_office_id,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def break_glass_recent(*, user: Any) -> QuerySet[BreakGlass]:
    """The break-glass openings of the last `BREAK_GLASS_RECENT` on cases of `user`'s missions,
    by the other senior WPAs (her own are not news to her), newest first. Senior WPAs only."""
    if not user.has_role(Role.SENIOR_WPA):
        return BreakGlass.objects.none()
    return (
        BreakGlass.objects.filter(
            survivor__in=Survivor.objects.visible_to(user),
            opened_at__gte=timezone.now() - BREAK_GLASS_RECENT,
        )
        .exclude(user=user)
        .select_related("user", "survivor", "survivor__data_key")
        .order_by("-opened_at", "-id")
    )


@transaction.atomic
def break_glass_reasons_reveal(
    *, user: Any, accesses: list[BreakGlass], request: HttpRequest | None = None
) -> dict[int, str]:
    """The stated reasons, keyed by BreakGlass pk. A reason may name people, so it is treated as
    identifying: one AccessEvent per survivor whose reason is shown, in this transaction. An
    erased case's reason is gone with its key and left out. Senior WPAs of the case's mission only."""
    if not user.has_role(Role.SENIOR_WPA):
        return {}
    missions = set(user.mission_ids())
    shown = [a for a in accesses if a.survivor.erased_at is None and a.survivor.mission_id in missions]
    reasons = {a.pk: a.reason for a in shown}
    access_record(
        actor=user,
        survivor_public_ids=[a.survivor.public_id for a in shown],
        kind=AccessEvent.Kind.LIST,
        request=request,
    )
    return reasons

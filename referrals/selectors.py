"""Every read of referrals and of the service directory done for a user.

Lists start from `Referral.objects.visible_to(user)` and page with the one keyset paginator
(`crsv.pagination`). What a provider's user reads of a referral is `ProviderReferralView`: the
minimum of issue 10 item 5, never the survivor's name, narrative or incident; the safe contact
method and times only under a sharing consent naming her organisation, and then with an
AccessEvent (they identify the survivor).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from crsv.accounts.models import FieldOffice
from crsv.audit.models import AccessEvent
from crsv.audit.services import access_record
from crsv.pagination import Keyset, KeysetPage, keyset_page
from incidents.models import Location
from referrals import permissions
from referrals.models import Referral, ReferralEvent, ReferralQuerySet, ServiceProvider, provider_id_of
from survivors.consent import consent_grants_in_force
from survivors.models import Consent, Survivor

PAGE_SIZE = 50
NEWEST_FIRST = Keyset.of(Referral, ("-created_at", "-id"))
BY_NAME = Keyset.of(ServiceProvider, ("name", "id"))

# Read with every row of a list: the case (code, profile, data key for the note), its office,
# the provider. A constant number of queries whatever the page's length.
_LIST_RELATED = ("survivor__data_key", "survivor__field_office__mission", "provider", "created_by")


def referral_list(
    *,
    user: Any,
    state: str = "",
    urgency: str = "",
    overdue: bool = False,
    provider: ServiceProvider | None = None,
    survivor: Survivor | None = None,
    now: datetime | None = None,
) -> QuerySet[Referral]:
    """The referrals `user` may see, newest first, filtered by state, urgency, overdue (still
    waiting for the service to begin past the due time), provider or case. Raises
    PermissionDenied for a role with no referral list (analysts, admins, auditors, reporters)."""
    permissions.list_authorize(user)
    rows = Referral.objects.visible_to(user)
    if state:
        rows = rows.filter(state=state)
    if urgency:
        rows = rows.filter(urgency=urgency)
    if overdue:
        rows = rows.overdue(now or timezone.now())
    if provider is not None:
        rows = rows.filter(provider_id=provider.pk)
    if survivor is not None:
        rows = rows.filter(survivor_id=survivor.pk)
    return rows.select_related(*_LIST_RELATED).order_by(*NEWEST_FIRST.order_by)


def referral_page(
    *, user: Any, cursor: str | None = None, size: int = PAGE_SIZE, **filters: Any
) -> KeysetPage[Referral]:
    """One newest-first page of `referral_list(user=user, **filters)` after `cursor` (None: the
    first). Raises BadCursor on a cursor this ordering did not make."""
    return keyset_page(referral_list(user=user, **filters), cursor=cursor, size=size, keyset=NEWEST_FIRST)


def referral_get(*, user: Any, public_id: uuid.UUID | str) -> Referral:
    """The referral, or 404 when it does not exist for `user` (out of scope, or a role with no
    referrals at all)."""
    if not permissions.can_list(user):
        raise Http404("No referral matches the given query.")
    return get_object_or_404(
        Referral.objects.visible_to(user).select_related(*_LIST_RELATED), public_id=public_id
    )


def referral_history(*, referral: Referral) -> QuerySet[ReferralEvent]:
    """The referral's events, oldest first, with their actors (for a referral already read
    through `referral_get`)."""
    return referral.events.select_related("actor").order_by("occurred_at", "id")


def contact_shared_q() -> Exists:
    """For a referral row: a sharing consent in force names its provider (issue 10 item 2)."""
    grants = consent_grants_in_force(
        purpose=Consent.Purpose.SHARE_IDENTIFIABLE, provider=OuterRef("provider_id")
    ).filter(survivor_id=OuterRef("survivor_id"))
    return Exists(grants)


@dataclass(frozen=True)
class ProviderReferralView:
    """What a provider's user reads of a referral sent to her organisation: the minimum.
    `safe_contact_method` and `safe_contact_times` are None unless a sharing consent in force
    names her organisation; never the name, the narrative or the incident."""

    public_id: uuid.UUID
    reference: str
    state: str
    survivor_code: str
    sex: str
    age_band: str
    service_type: str
    urgency: str
    due_at: datetime
    sent_at: datetime | None
    overdue: bool
    note: str
    contact_shared: bool
    safe_contact_method: str | None = None
    safe_contact_times: str | None = None


@dataclass(frozen=True)
class ProviderReferralPage:
    rows: list[ProviderReferralView]
    next_cursor: str | None


def _provider_view(referral: Referral, *, now: datetime, contact: bool) -> ProviderReferralView:
    survivor = referral.survivor
    erased = survivor.erased_at is not None
    shared = bool(getattr(referral, "contact_shared", False)) and not erased
    return ProviderReferralView(
        public_id=referral.public_id,
        reference=referral.reference,
        state=referral.state,
        survivor_code=survivor.code,
        sex=survivor.sex,
        age_band=survivor.age_band,
        service_type=referral.service_type,
        urgency=referral.urgency,
        due_at=referral.due_at,
        sent_at=referral.sent_at,
        overdue=referral.state in Referral.AWAITING_STATES and referral.due_at < now,
        note="" if erased else referral.note,
        contact_shared=shared,
        safe_contact_method=survivor.safe_contact_method if contact and shared else None,
        safe_contact_times=survivor.safe_contact_times if contact and shared else None,
    )


def _provider_rows(user: Any) -> ReferralQuerySet:
    """The referrals sent to `user`'s organisation (never a draft), whatever her other roles."""
    provider_id = provider_id_of(user)
    if provider_id is None or not permissions.is_provider_role(user):
        return Referral.objects.none()
    return (
        Referral.objects.visible_to(user)
        .filter(provider_id=provider_id)
        .exclude(state=Referral.State.DRAFT)
        .annotate(contact_shared=contact_shared_q())
        .select_related(*_LIST_RELATED)
    )


def provider_referral_page(
    *,
    user: Any,
    cursor: str | None = None,
    size: int = PAGE_SIZE,
    state: str = "",
    urgency: str = "",
    overdue: bool = False,
) -> ProviderReferralPage:
    """One newest-first page of the referrals sent to `user`'s organisation, as minimal views
    without the contact details (those are read one referral at a time: `provider_referral_get`)."""
    permissions.list_authorize(user)
    now = timezone.now()
    rows = _provider_rows(user)
    if state:
        rows = rows.filter(state=state)
    if urgency:
        rows = rows.filter(urgency=urgency)
    if overdue:
        rows = rows.overdue(now)
    page = keyset_page(rows, cursor=cursor, size=size, keyset=NEWEST_FIRST)
    return ProviderReferralPage(
        rows=[_provider_view(r, now=now, contact=False) for r in page.rows], next_cursor=page.next_cursor
    )


@transaction.atomic
def provider_referral_get(
    *,
    user: Any,
    public_id: uuid.UUID | str,
    request: HttpRequest | None = None,
    kind: str = AccessEvent.Kind.VIEW,
) -> ProviderReferralView:
    """One referral sent to `user`'s organisation, as she may read it (404 otherwise), with the
    safe contact details when a sharing consent names her organisation; revealing them writes
    one AccessEvent (`kind`: VIEW for a page, API for the API) in this transaction."""
    referral = get_object_or_404(_provider_rows(user), public_id=public_id)
    view = _provider_view(referral, now=timezone.now(), contact=True)
    if view.contact_shared:
        access_record(
            actor=user, survivor_public_ids=[referral.survivor.public_id], kind=kind, request=request
        )
    return view


# --- The service directory -----------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryFlags:
    """The flags a directory search may require (each True: only providers that have it)."""

    pep_available: bool = False
    emergency_contraception: bool = False
    child_friendly: bool = False
    serves_male_survivors: bool = False


def provider_list(
    *,
    user: Any,
    service_type: str = "",
    office: FieldOffice | None = None,
    location: Location | None = None,
    flags: DirectoryFlags | None = None,
    include_inactive: bool = False,
) -> QuerySet[ServiceProvider]:
    """The service directory by name: active providers (admins may include the inactive),
    filtered by service type, field office served, coverage location (the location or any of
    its ancestors is covered) and flags. Not survivor data; PermissionDenied for a role without
    the directory (providers' users, analysts, auditors, reporters)."""
    permissions.directory_authorize(user)
    rows = ServiceProvider.objects.all()
    if not (include_inactive and permissions.can_manage_directory(user)):
        rows = rows.active()
    if service_type:
        rows = rows.offering(service_type)
    if office is not None:
        rows = rows.filter(
            Exists(
                ServiceProvider.field_offices.through.objects.filter(
                    serviceprovider_id=OuterRef("pk"), fieldoffice_id=office.pk
                )
            )
        )
    if location is not None:
        covered = [location.pk, *location_ancestor_ids(location)]
        rows = rows.filter(
            Exists(
                ServiceProvider.locations.through.objects.filter(
                    serviceprovider_id=OuterRef("pk"), location_id__in=covered
                )
            )
        )
    for flag, wanted in vars(flags or DirectoryFlags()).items():
        if wanted:
            rows = rows.filter(**{flag: True})
    return rows.prefetch_related("field_offices").order_by(*BY_NAME.order_by)


def provider_page(
    *, user: Any, cursor: str | None = None, size: int = PAGE_SIZE, **filters: Any
) -> KeysetPage[ServiceProvider]:
    """One page of `provider_list(user=user, **filters)`, by name."""
    return keyset_page(provider_list(user=user, **filters), cursor=cursor, size=size, keyset=BY_NAME)


def provider_get(*, user: Any, public_id: uuid.UUID | str) -> ServiceProvider:
    """A provider of the directory (404 if unknown or, for all but admins, inactive)."""
    permissions.directory_authorize(user)
    rows = (
        ServiceProvider.objects.all()
        if permissions.can_manage_directory(user)
        else ServiceProvider.objects.active()
    )
    return get_object_or_404(rows.prefetch_related("field_offices", "locations"), public_id=public_id)


def referral_provider_candidates(*, survivor: Survivor, service_type: str) -> QuerySet[ServiceProvider]:
    """The providers a case may be referred to for `service_type`: active, offering it, serving
    the case's field office (the "Refer" form's choices; `referral_create` checks the same)."""
    return (
        ServiceProvider.objects.active()
        .offering(service_type)
        .filter(field_offices=survivor.field_office_id)
        .order_by(*BY_NAME.order_by)
    )


def location_ancestor_ids(location: Location) -> list[int]:
    """The ids of the locations above `location` (its province, territory...)."""
    ids: list[int] = []
    parent_id = location.parent_id
    while parent_id is not None and parent_id not in ids:
        ids.append(parent_id)
        parent_id = Location.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    return ids

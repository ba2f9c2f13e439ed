"""Every read of survivor cases done for a user. Identifying values leave only through the
`*_reveal` functions, which write one AccessEvent per survivor revealed in the same transaction."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Prefetch, QuerySet, Value
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from crsv.audit.services import access_record
from survivors import blind_index
from survivors.identity import SurvivorIdentity, identity_decrypt, name_decrypt
from survivors.models import Consent, Survivor, SurvivorSearchEntry
from survivors.querysets import identifying_access_q


def survivor_list(*, user: Any) -> QuerySet[Survivor]:
    """Cases `user` may see, newest first, each annotated with `identifying` (may she read the
    identifying fields?) so a list page needs no query per row."""
    q = identifying_access_q(user)
    identifying = ExpressionWrapper(q, output_field=BooleanField()) if q else Value(False)
    return (
        Survivor.objects.visible_to(user)
        .select_related("data_key", "field_office", "assigned_wpa")
        .annotate(identifying=identifying)
        .order_by("-created_at", "-id")
    )


def survivor_get(*, user: Any, public_id: uuid.UUID | str) -> Survivor:
    """The case, or 404 when it does not exist for `user`."""
    return get_object_or_404(survivor_list(user=user), public_id=public_id)


@transaction.atomic
def survivor_names_reveal(
    *, user: Any, survivors: list[Survivor], kind: str, request: HttpRequest | None = None
) -> dict[int, str]:
    """Decrypted names of the rows `user` may identify (erased cases are skipped), keyed by pk."""
    names = {
        s.pk: name_decrypt(s) for s in survivors if getattr(s, "identifying", False) and s.erased_at is None
    }
    revealed = [s.public_id for s in survivors if s.pk in names]
    access_record(actor=user, survivor_public_ids=revealed, kind=kind, request=request)
    return names


@transaction.atomic
def survivor_reveal(
    *, user: Any, survivor: Survivor, kind: str, request: HttpRequest | None = None
) -> SurvivorIdentity | None:
    """Every identifying field of one case, or None if `user` may not read them or it is erased."""
    if not getattr(survivor, "identifying", False) or survivor.erased_at is not None:
        return None
    identity = identity_decrypt(survivor)
    access_record(actor=user, survivor_public_ids=[survivor.public_id], kind=kind, request=request)
    return identity


def consent_list(*, user: Any, survivor: Survivor) -> QuerySet[Consent]:
    """The ledger of a case `user` can see (no identifying values in it), newest first."""
    visible = Survivor.objects.visible_to(user).filter(pk=survivor.pk)
    return (
        Consent.objects.filter(survivor__in=visible)
        .select_related("consent_text", "recorded_by", "withdraws")
        .prefetch_related(Prefetch("withdrawal"))
        .order_by("-given_at", "-id")
    )


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

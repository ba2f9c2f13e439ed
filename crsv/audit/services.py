"""The one way to write to the audit trail."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.db import connection, models
from django.utils import timezone

from crsv.audit.models import AccessEvent, AuditEvent

if TYPE_CHECKING:
    from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str | None:
    """The client address (already corrected for a trusted proxy by the middleware)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_public_id: uuid.UUID | None = None,
    request: HttpRequest | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Runs in the caller's transaction, so it commits or rolls back with it.

    Pass `obj` (any model with a `public_id`) or `object_type`/`object_public_id`. Only the
    type and the public id are kept: never a value of the object. `changes` (JSON) describes a
    privilege change by names only (roles, offices, flags): never a password, a secret or a
    survivor value.
    """
    if obj is not None:
        object_type = obj._meta.label_lower
        object_public_id = obj.public_id  # type: ignore[attr-defined]  # every audited model has one
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        action=action,
        object_type=object_type,
        object_public_id=object_public_id,
        ip_address=client_ip(request),
        changes=changes or {},
    )


def access_record(
    *, actor: Any, survivor_public_ids: list[uuid.UUID], kind: str, request: HttpRequest | None = None
) -> None:
    """One AccessEvent per survivor revealed (duplicates once, in the order given), in one INSERT,
    in the caller's transaction.

    SQL rather than `bulk_create`: a case list writes 50 rows on every page view, and building 50
    model instances and a 250-parameter statement cost more than the rest of the page's queries
    (about 2.5 ms of 11). One array parameter; tests/crsv/test_audit.py checks every column."""
    ids = list(dict.fromkeys(survivor_public_ids))
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AccessEvent._meta.db_table} "  # noqa: S608  # nosec B608  # the model's own table
            "(occurred_at, actor_id, survivor_public_id, kind, ip_address) "
            "SELECT %s, %s, public_id, %s, %s FROM unnest(%s::uuid[]) WITH ORDINALITY AS t(public_id, n) "
            "ORDER BY n",
            [timezone.now(), actor.pk, kind, client_ip(request), ids],
        )

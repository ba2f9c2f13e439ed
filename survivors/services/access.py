"""Who may read a case: grants, revocation, break-glass, and erasure (crypto-shredding)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from crsv.accounts.models import User
from crsv.accounts.roles import Capability
from crsv.audit.services import audit_record
from crsv.keys.services import data_key_destroy
from survivors import permissions
from survivors.models import (
    BreakGlass,
    ErasureReason,
    Survivor,
    SurvivorSearchEntry,
    SurvivorUserObjectPermission,
)
from survivors.notifications import survivor_notify_break_glass
from survivors.permissions import CaseAction


@transaction.atomic
def survivor_grant(
    *,
    actor: User,
    survivor: Survivor,
    grantee: User,
    expires_at: datetime | None = None,
    request: HttpRequest | None = None,
) -> SurvivorUserObjectPermission:
    """A senior WPA gives a WPA or a reporter full access to one case, optionally until a time."""
    permissions.case_authorize(actor=actor, survivor=survivor, action=CaseAction.GRANT)
    errors = {}
    if not (grantee.is_active and grantee.can(Capability.RECEIVE_SURVIVOR_GRANT)):
        errors["grantee"] = _("Access can be granted to an active WPA or reporter only.")
    elif survivor.mission_id not in grantee.mission_ids():
        errors["grantee"] = _("This person works for another mission.")
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = _("The expiry must be in the future.")
    if errors:
        raise ValidationError(errors)
    permission = Permission.objects.get(content_type__app_label="survivors", codename="access_case")
    grant, _created = SurvivorUserObjectPermission.objects.update_or_create(
        user=grantee,
        permission=permission,
        content_object=survivor,
        defaults={"granted_by": actor, "expires_at": expires_at},
    )
    audit_record(actor=actor, action="survivor.grant", obj=survivor, request=request)
    return grant


@transaction.atomic
def survivor_revoke(
    *, actor: User, survivor: Survivor, grantee: User, request: HttpRequest | None = None
) -> None:
    """End a grant now: the grantee's next request no longer finds the case."""
    permissions.case_authorize(actor=actor, survivor=survivor, action=CaseAction.REVOKE)
    deleted, _rows = SurvivorUserObjectPermission.objects.filter(
        content_object=survivor, user=grantee
    ).delete()
    if not deleted:
        raise ValidationError({"grantee": _("This person has no grant on this case.")})
    audit_record(actor=actor, action="survivor.revoke", obj=survivor, request=request)


@transaction.atomic
def survivor_break_glass(
    *, actor: User, survivor: Survivor, reason: str, request: HttpRequest | None = None
) -> BreakGlass:
    """A senior WPA opens a case outside her grants, for `BREAK_GLASS_DURATION`, stating why.
    Audited, and shown to the mission's other senior WPAs. Refused with `AlreadyIdentifiable`
    (a ValidationError) on a case she can already read: there is no glass to break."""
    permissions.case_authorize(actor=actor, survivor=survivor, action=CaseAction.BREAK_GLASS)
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError({"reason": _("State the reason in a sentence (at least 10 characters).")})
    survivor = Survivor.objects.select_related("data_key").get(pk=survivor.pk)
    access = BreakGlass(
        user=actor, survivor=survivor, expires_at=timezone.now() + settings.BREAK_GLASS_DURATION
    )
    access.reason = reason
    access.save()
    audit_record(actor=actor, action="survivor.break_glass", obj=survivor, request=request)
    survivor_notify_break_glass(survivor=survivor, access=access, request=request)
    return access


@transaction.atomic
def survivor_erase(
    *, actor: User, survivor: Survivor, reason: str, request: HttpRequest | None = None
) -> Survivor:
    """Crypto-shred a case: destroy its data key and its blind-index entries. Every encrypted
    field (and break-glass reason) becomes unreadable everywhere, backups included once the
    master key of their epoch is retired; the code, the non-identifying profile and the incident
    statistics remain. Audited; the reason is a choice, never free text."""
    survivor = Survivor.objects.select_for_update().select_related("data_key").get(pk=survivor.pk)
    if survivor.erased_at is not None:
        raise ValidationError(_("This case is already erased."))
    permissions.case_authorize(actor=actor, survivor=survivor, action=CaseAction.ERASE)
    if reason not in ErasureReason.values:
        raise ValidationError({"reason": _("Choose why the case is erased.")})
    data_key_destroy(data_key=survivor.data_key)
    SurvivorSearchEntry.objects.filter(survivor=survivor).delete()
    SurvivorUserObjectPermission.objects.filter(content_object=survivor).delete()
    survivor.erased_at = timezone.now()
    survivor.erasure_reason = reason
    survivor.save(update_fields=["erased_at", "erasure_reason", "updated_at"])
    audit_record(actor=actor, action="survivor.erase", obj=survivor, request=request)
    return survivor

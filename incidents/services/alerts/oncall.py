"""The on-call roster of a field office: who hears of its new alerts at once. Kept by the
office's WPAs and its mission's senior WPAs (`alert_permissions.may_keep_roster`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from crsv.accounts.models import FieldOffice, User
from crsv.audit.services import audit_record
from incidents import alert_permissions, clock
from incidents.exceptions import PermissionDenied
from incidents.models import OnCallAssignment
from incidents.services.validation import full_clean_before_save

# One assignment covers a shift or a rota period, not a standing duty.
ONCALL_MAX_DURATION = timedelta(days=31)


def oncall_authorize(*, actor: User, field_office: FieldOffice) -> None:
    """404 for an office out of her reach, 403 if she does not keep its roster."""
    if not alert_permissions.office_in_reach(actor, field_office):
        raise Http404("No field office matches the given query.")
    if not alert_permissions.may_keep_roster(actor, field_office):
        raise PermissionDenied(
            _("Only a WPA of the field office or a senior WPA of its mission keeps its on-call roster.")
        )


@transaction.atomic
def oncall_assign(
    *,
    actor: User,
    field_office: FieldOffice,
    user: User | None,
    starts_at: datetime | None,
    ends_at: datetime | None,
    request: HttpRequest | None = None,
) -> OnCallAssignment:
    """Put `user`, an active WPA or senior WPA who is a member of the office, on call for it from
    `starts_at` until `ends_at` (at most ONCALL_MAX_DURATION, ending in the future)."""
    oncall_authorize(actor=actor, field_office=field_office)
    problems: dict[str, list[str]] = {}
    if user is None or not alert_permissions.may_be_on_call(user, field_office):
        problems["user"] = [_("Choose an active WPA or senior WPA who is a member of this field office.")]
    if starts_at is None:
        problems["starts_at"] = [_("Give the start of the shift.")]
    if ends_at is None:
        problems["ends_at"] = [_("Give the end of the shift.")]
    elif ends_at <= clock.now():
        problems["ends_at"] = [_("The end of the shift must be in the future.")]
    elif starts_at is not None and ends_at <= starts_at:
        problems["ends_at"] = [_("The end of the shift must be after its start.")]
    elif starts_at is not None and ends_at - starts_at > ONCALL_MAX_DURATION:
        problems["ends_at"] = [_("A shift lasts at most %(days)d days.") % {"days": ONCALL_MAX_DURATION.days}]
    if problems:
        raise ValidationError(problems)
    assert user is not None and starts_at is not None and ends_at is not None  # no problem found
    assignment = OnCallAssignment(
        field_office=field_office,
        user=user,
        starts_at=starts_at,
        ends_at=ends_at,
        assigned_by=actor,
        created_at=clock.now(),
    )
    full_clean_before_save(assignment)
    assignment.save()
    audit_record(actor=actor, action="alert.oncall_assign", obj=assignment, request=request)
    return assignment


@transaction.atomic
def oncall_end(
    *, actor: User, assignment: OnCallAssignment, request: HttpRequest | None = None
) -> OnCallAssignment:
    """End a shift now (one not yet begun ends at its start: it never counts). 404 out of reach,
    403 for who does not keep the roster; a shift already over is refused beside the form."""
    locked = (
        OnCallAssignment.objects.select_related("field_office__mission")
        .select_for_update(of=("self",))
        .filter(pk=assignment.pk)
        .first()
    )
    if locked is None:
        raise Http404("No on-call shift matches the given query.")
    oncall_authorize(actor=actor, field_office=locked.field_office)
    now = clock.now()
    if locked.ends_at <= now:
        raise ValidationError(_("This shift is already over."))
    locked.ends_at = max(now, locked.starts_at)
    locked.ended_by = actor
    full_clean_before_save(locked)
    locked.save(update_fields=["ends_at", "ended_by"])
    audit_record(actor=actor, action="alert.oncall_end", obj=locked, request=request)
    return locked

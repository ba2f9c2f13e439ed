"""Entering an alert: `alert_create` authorizes, validates, writes, records and tells the on-call
focal points, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from crsv.accounts.models import FieldOffice, User
from crsv.audit.services import audit_record
from crsv.keys.services import data_key_provision
from incidents import alert_permissions, clock
from incidents.alert_notifications import alert_notify_received
from incidents.alert_references import alert_reference_next
from incidents.exceptions import PermissionDenied
from incidents.models import ALERT_MAX_ADMIN_LEVEL, Alert, AlertEvent, Location
from incidents.services.alerts.history import alert_event_record
from incidents.services.validation import full_clean_before_save

# The short description: a few lines typed on a phone, not a report.
DESCRIPTION_MAX_LENGTH = 1_000


@dataclass(frozen=True)
class AlertReceived:
    """The saved alert, and who was told: `route` is `alert_notifications.Route` (on call, the
    office's WPAs because nobody is on call, or the mission's senior WPAs because the office has
    no WPA either), `told` how many."""

    alert: Alert
    route: str
    told: int


def alert_create_authorize(*, actor: User) -> None:
    """`PermissionDenied` (403) unless the actor may enter alerts (asked before reading a form or
    a body, so a user who may not learns nothing from her input's errors)."""
    if not alert_permissions.can_create_alert(actor):
        raise PermissionDenied(_("Your role does not allow entering alerts."))


def _indicators(values: Sequence[str], problems: dict[str, list[str]]) -> list[str]:
    """The indicators in the list's order, each once; a message if none, or one is unknown."""
    chosen = set(values)
    if not chosen:
        problems["indicators"] = [_("Choose at least one indicator.")]
    elif chosen - set(Alert.Indicator.values):
        problems["indicators"] = [_("Choose indicators from the list.")]
    return [value for value in Alert.Indicator.values if value in chosen]


def alert_validate(
    *,
    actor: User,
    field_office: FieldOffice | None,
    source: str,
    location: Location | None,
    indicators: Sequence[str],
    urgency: str,
    description: str,
) -> tuple[FieldOffice, list[str], str]:
    """The office, indicators and description as they will be saved, or a ValidationError keyed
    by field with every problem at once (the same rules for the page and the API)."""
    problems: dict[str, list[str]] = {}
    office = field_office
    if office is None:
        office = actor.primary_office() if len(actor.office_ids()) == 1 else None
        if office is None:
            problems["field_office"] = [_("Choose one of your field offices.")]
    elif office.pk not in actor.office_ids():
        problems["field_office"] = [_("Choose one of your field offices.")]
    if source not in Alert.Source.values:
        problems["source"] = [_("Say who raised the alert.")]
    if location is None:
        problems["location"] = [_("Give the place the alert is about.")]
    elif location.admin_level > ALERT_MAX_ADMIN_LEVEL:
        problems["location"] = [_("Give a locality or a wider area, not a village.")]
    ordered = _indicators(indicators, problems)
    if urgency not in Alert.Urgency.values:
        problems["urgency"] = [_("Say how urgent it is.")]
    text = (description or "").strip()
    if len(text) > DESCRIPTION_MAX_LENGTH:
        problems["description"] = [
            _("At most %(max)d characters (it has %(length)d).")
            % {"max": DESCRIPTION_MAX_LENGTH, "length": len(text)}
        ]
    elif not text and Alert.Indicator.OTHER in ordered:
        problems["description"] = [_("Say what the other sign is.")]
    if problems:
        raise ValidationError(problems)
    assert office is not None  # no problem was found
    return office, ordered, text


@transaction.atomic
def alert_create(
    *,
    actor: User,
    source: str,
    location: Location | None,
    indicators: Sequence[str],
    urgency: str,
    description: str = "",
    field_office: FieldOffice | None = None,
    request: HttpRequest | None = None,
) -> AlertReceived:
    """Record an alert raised by a Community Alert Network, a CLA or another source, in one of
    the actor's field offices (default: her only one), and tell who is on call for the office
    now (alert_notifications.py). Raises PermissionDenied (403) for a role that may not enter
    alerts, ValidationError keyed by field for bad input."""
    alert_create_authorize(actor=actor)
    office, ordered, text = alert_validate(
        actor=actor,
        field_office=field_office,
        source=source,
        location=location,
        indicators=indicators,
        urgency=urgency,
        description=description,
    )
    assert location is not None  # validated
    now = clock.now()
    office = FieldOffice.objects.select_related("mission").get(pk=office.pk)
    alert = Alert(
        field_office=office,
        reported_by=actor,
        source=source,
        location=location,
        indicators=ordered,
        urgency=urgency,
        received_at=now,
        reference=alert_reference_next(field_office=office, at=now),
    )
    data_key_provision(alert)
    alert.description = text  # encrypted under the alert's own data key
    full_clean_before_save(alert)
    alert.save()
    alert_event_record(actor=actor, alert=alert, action=AlertEvent.Action.CREATE, from_state="", at=now)
    audit_record(actor=actor, action="alert.create", obj=alert, request=request)
    route, told = alert_notify_received(alert=alert, request=request)
    return AlertReceived(alert=alert, route=route, told=told)

"""Early-warning alerts (DESIGN §4, issue 13 item 4): what a Community Alert Network or a
Community Liaison Assistant reports *before* violence happens, and the response clock on it.

An alert is not an incident: no survivor, no tally. What it holds is non-identifying by design
(a place down to admin level 3, indicators from a fixed list, an urgency), except its short
description, which may name people and is therefore encrypted under the alert's own data key.
Who sees what: incidents/alert_permissions.py; which rows: `Alert.objects.visible_to(user)`.
"""

from __future__ import annotations

import uuid
from typing import Any, Self, TypeVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Capability
from crsv.crypto import EncryptedText
from crsv.keys.models import DataKey
from incidents import clock
from incidents.models.incident import Incident
from incidents.models.locations_and_parties import Location

_Model = TypeVar("_Model", bound=models.Model)
# An alert names a place no finer than a locality (admin level 3): a village could point at a
# family, and the response needs no more.
ALERT_MAX_ADMIN_LEVEL = 3


def alert_scope(user: Any) -> Q | None:
    """The alerts `user` may see at all, as one filter (None: none).

    - who may enter alerts sees those she entered, in her current offices;
    - a WPA: every alert of her offices;
    - a senior WPA and an analyst: every alert of her offices' missions (an analyst de-identified:
      alert_permissions.py);
    - provider, admin, auditor, no role, inactive or anonymous: nothing.
    """
    if not isinstance(user, User) or not user.is_active:
        return None
    offices = user.office_ids()
    if not offices:
        return None
    parts: list[Q] = []
    if user.can(Capability.CREATE_ALERT):
        parts.append(Q(reported_by=user, field_office__in=offices))
    if user.can(Capability.SEE_ALERTS) and user.can(Capability.SEE_WHOLE_MISSION):
        parts.append(Q(field_office__mission__in=user.mission_ids()))
    elif user.can(Capability.HANDLE_ALERTS):
        parts.append(Q(field_office__in=offices))
    if not parts:
        return None
    scope = parts[0]
    for part in parts[1:]:
        scope |= part
    return scope


class AlertQuerySet(models.QuerySet[_Model]):
    def visible_to(self, user: Any) -> Self:
        """Alerts `user` may see at all (what she may see *of* each: alert_permissions.py)."""
        scope = alert_scope(user)
        return self.none() if scope is None else self.filter(scope)


class Alert(models.Model):
    """One early-warning alert, entered on behalf of a Community Alert Network or a CLA.

    `new -> acknowledged -> response_dispatched -> closed` (incidents/alert_workflow.py), each
    step's time kept here (`acknowledged_at`, `dispatched_at`, `closed_at`: the time to
    acknowledge and to respond, counted from `received_at`) and in the append-only history
    (AlertEvent, with who). `escalated_at` is set once, by the beat task that tells the mission's
    senior WPAs about an alert still new after ALERT_ESCALATION_MINUTES.
    """

    class Source(models.TextChoices):
        COMMUNITY_ALERT_NETWORK = "community_alert_network", _("Community Alert Network")
        CLA = "cla", _("Community Liaison Assistant")
        OTHER = "other", _("Other")

    class Urgency(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        CRITICAL = "critical", _("Critical")

    class State(models.TextChoices):
        NEW = "new", _("New")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESPONSE_DISPATCHED = "response_dispatched", _("Response dispatched")
        CLOSED = "closed", _("Closed")

    class Indicator(models.TextChoices):
        """After the UN Action matrix of early-warning indicators of CRSV (2011), as a community
        can report them: signs in the conduct of armed actors, in the movement of women and
        girls, and in the population."""

        ARMED_PRESENCE = "armed_presence", _("Armed group or forces close to civilians")
        FIGHTING = "fighting", _("Fighting or military operations nearby")
        ATTACK_ON_LOCALITY = "attack_on_locality", _("Attack, looting or burning of a locality")
        ABDUCTIONS = "abductions", _("Abductions of women, girls or boys")
        THREATS = "threats", _("Threats or incitement of sexual violence")
        RECENT_SEXUAL_VIOLENCE = "recent_sexual_violence", _("Recent sexual violence in the area")
        DISPLACEMENT = "displacement", _("Displacement or flight of the population")
        RESTRICTED_MOVEMENT = (
            "restricted_movement",
            _("Women and girls avoiding fields, markets, water points or school"),
        )
        CHECKPOINTS = "checkpoints", _("New checkpoints, roadblocks or illegal taxes")
        ARRESTS = "arrests", _("Arbitrary arrests or detention of civilians")
        FORCED_RECRUITMENT = "forced_recruitment", _("Forced recruitment or forced marriage")
        OTHER = "other", _("Other (say in the description)")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=48, unique=True, editable=False)
    field_office = models.ForeignKey(
        FieldOffice, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("field office")
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="alerts_reported",
        verbose_name=_("entered by"),
    )
    source = models.CharField(_("source"), max_length=32, choices=Source.choices)
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("location")
    )
    indicators = ArrayField(
        models.CharField(max_length=32, choices=Indicator.choices),
        verbose_name=_("indicators"),
        size=len(Indicator.values),
    )
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices)
    state = models.CharField(
        _("state"), max_length=24, choices=State.choices, default=State.NEW, editable=False
    )
    # The short description may name people: encrypted under this alert's own data key (which
    # also encrypts its history's notes), read through `description` below.
    data_key = models.OneToOneField(
        DataKey, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="alert"
    )
    description_ct = models.BinaryField(_("description (encrypted)"), null=True, editable=False)

    received_at = models.DateTimeField(_("received"), default=clock.now, editable=False)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True, editable=False)
    dispatched_at = models.DateTimeField(_("response dispatched"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True, editable=False)

    incidents = models.ManyToManyField(
        Incident,
        through="AlertIncidentLink",
        related_name="alerts",
        blank=True,
        verbose_name=_("linked incidents"),
    )

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [
            models.Index(fields=["field_office", "-received_at", "-id"], name="alert_office_newest"),
            models.Index(fields=["-received_at", "-id"], name="alert_newest"),
            # The escalation task's search: still new, not yet escalated, oldest first.
            models.Index(
                fields=["received_at"],
                name="alert_awaiting_escalation",
                condition=Q(state="new", escalated_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(indicators__len__gte=1), name="alert_has_indicators"),
            # Each step's time is set when, and only when, the alert has reached it.
            models.CheckConstraint(
                condition=Q(state="new", acknowledged_at__isnull=True)
                | (~Q(state="new") & Q(acknowledged_at__isnull=False)),
                name="alert_acknowledged_iff_past_new",
            ),
            models.CheckConstraint(
                condition=Q(state="response_dispatched", dispatched_at__isnull=False)
                | Q(state="closed")
                | Q(state__in=("new", "acknowledged"), dispatched_at__isnull=True),
                name="alert_dispatched_time_iff_dispatched",
            ),
            models.CheckConstraint(
                condition=Q(state="closed", closed_at__isnull=False)
                | (~Q(state="closed") & Q(closed_at__isnull=True)),
                name="alert_closed_iff_closed_at",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    description = EncryptedText("description_ct", key="data_key")

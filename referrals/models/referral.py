"""A referral of a survivor to a service provider, its history, and its reference counters."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crsv.accounts.models import FieldOffice
from crsv.accounts.roles import Capability, Role
from crsv.crypto import EncryptedText
from incidents.models import Incident
from referrals.models.choices import (
    AWAITING_STATES,
    OPEN_STATES,
    ReferralAction,
    ReferralState,
    ReferralUrgency,
)
from referrals.models.membership import provider_id_of
from referrals.models.providers import ServiceProvider, ServiceType
from survivors.models import Consent, Survivor


class ReferralQuerySet(models.QuerySet["Referral"]):
    def visible_to(self, user: Any) -> ReferralQuerySet:
        """Referrals `user` may know exist:

        - a senior WPA: every referral of her missions' cases;
        - a WPA: the referrals of the cases whose identifying fields she may read (assigned,
          granted: `Survivor.objects.identifying_to`), so losing the case loses its referrals;
        - a provider's user: the referrals sent to her organisation, never a draft;
        - anyone else (analysts, admins, auditors, reporters): none.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        q = Q(pk__in=[])
        if user.has_role(Role.SENIOR_WPA):
            q |= Q(survivor__mission_id__in=user.mission_ids())
        elif user.can(Capability.MAKE_REFERRALS):
            q |= Q(survivor__in=Survivor.objects.identifying_to(user).order_by().values("id"))
        provider_id = provider_id_of(user) if user.can(Capability.RESPOND_TO_REFERRALS) else None
        if provider_id is not None:
            q |= Q(provider_id=provider_id) & ~Q(state=ReferralState.DRAFT)
        return self.filter(q)

    def open(self) -> ReferralQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, now: Any) -> ReferralQuerySet:
        """Past their due time while still waiting for the service to begin (sent, accepted)."""
        return self.filter(state__in=AWAITING_STATES, due_at__lt=now)


class Referral(models.Model):
    """One survivor referred to one provider for one service (DESIGN §4, issue 10).

    The workflow is `referrals.workflow`; every change goes through `referrals.services`. The
    note, the reasons and the outcome may describe the survivor: they are encrypted under her
    case's data key, bound to this row, and die with her case's erasure.
    """

    State = ReferralState
    Urgency = ReferralUrgency

    # Open: a state the workflow can still move on from.
    OPEN_STATES = OPEN_STATES
    # Waiting for the service to begin: past `due_at` in one of these, a referral is overdue.
    AWAITING_STATES = AWAITING_STATES

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=48, unique=True)
    survivor = models.ForeignKey(
        Survivor,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("survivor"),
        db_index=False,  # led by referral_survivor_newest
    )
    provider = models.ForeignKey(
        ServiceProvider,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("provider"),
        db_index=False,  # led by referral_provider_newest
    )
    service_type = models.CharField(_("service type"), max_length=16, choices=ServiceType.choices)
    urgency = models.CharField(_("urgency"), max_length=12, choices=Urgency.choices)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    due_at = models.DateTimeField(_("due"))
    incident = models.ForeignKey(
        Incident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("incident"),
    )
    consent = models.ForeignKey(
        Consent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("consent relied on"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    note_ct = models.BinaryField(null=True, editable=False)
    reason_ct = models.BinaryField(null=True, editable=False)
    outcome_ct = models.BinaryField(null=True, editable=False)
    # Under the case's data key; empty: none given. The provider reads the note.
    note = EncryptedText("note_ct", key="survivor.data_key")
    # Why it was declined (by the provider) or cancelled (by the WPA).
    reason = EncryptedText("reason_ct", key="survivor.data_key")
    outcome = EncryptedText("outcome_ct", key="survivor.data_key")

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["provider", "-created_at", "-id"], name="referral_provider_newest"),
            models.Index(fields=["survivor", "-created_at", "-id"], name="referral_survivor_newest"),
            models.Index(fields=["-created_at", "-id"], name="referral_newest"),
            models.Index(fields=["state", "due_at"], name="referral_state_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[value for value, _label in ReferralState.choices]),
                name="referral_state_known",
            ),
            models.CheckConstraint(
                condition=Q(urgency__in=[value for value, _label in ReferralUrgency.choices]),
                name="referral_urgency_known",
            ),
            models.CheckConstraint(
                condition=Q(service_type__in=[value for value, _label in ServiceType.choices]),
                name="referral_service_type_known",
            ),
            # Sent: when, and the consent it relied on, together (a draft cancelled has neither).
            models.CheckConstraint(
                condition=Q(consent__isnull=True, sent_at__isnull=True)
                | Q(consent__isnull=False, sent_at__isnull=False),
                name="referral_sent_with_consent",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "cancelled", "revoked"]) | Q(sent_at__isnull=False),
                name="referral_answered_once_sent",
            ),
            models.CheckConstraint(
                condition=~Q(state="draft") | Q(consent__isnull=True, sent_at__isnull=True),
                name="referral_draft_not_sent",
            ),
            models.CheckConstraint(
                condition=Q(due_at__gt=models.F("created_at")), name="referral_due_after_created"
            ),
        ]

    def __str__(self) -> str:
        return self.reference  # never a name: this string reaches admin lists and logs

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class ReferralEvent(models.Model):
    """One step in a referral's life: who did what, from which state to which, when.
    Append-only (the database refuses UPDATE, DELETE and TRUNCATE: migration 0001). No reason
    or note here: they are on the referral, encrypted. `actor` is empty for the system (a
    revocation on consent withdrawal is recorded with the user who withdrew it)."""

    Action = ReferralAction

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="events", db_index=False
    )  # led by referralevent_timeline
    occurred_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    from_state = models.CharField(_("from state"), max_length=12, choices=Referral.State.choices, blank=True)
    to_state = models.CharField(_("to state"), max_length=12, choices=Referral.State.choices)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")
        indexes = [models.Index(fields=["referral", "occurred_at", "id"], name="referralevent_timeline")]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=[value for value, _label in ReferralAction.choices]),
                name="referralevent_action_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action}"


class ReferralReferenceCounter(models.Model):
    """The last number given in a field office's referral references for one year
    (`MONUSCO-GOM-2026-R-00012`); incremented like the incidents' (`referrals.reference_numbers`)."""

    field_office = models.ForeignKey(FieldOffice, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("referral reference counter")
        verbose_name_plural = _("referral reference counters")
        constraints = [
            models.UniqueConstraint(fields=["field_office", "year"], name="referralcounter_office_year"),
        ]

    def __str__(self) -> str:
        return f"{self.field_office_id}/{self.year}: {self.last}"

"""An incident's violations (1..n) and perpetrators (0..n)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crsv.crypto import EncryptedText
from incidents.models.incident import Incident
from incidents.models.locations_and_parties import PartyToConflict

ARMED_ACTOR_CATEGORIES = (
    "state_armed_forces",
    "national_police",
    "other_state_security",
    "pro_government_militia",
    "non_state_armed_group",
)


class Violation(models.Model):
    """One form of conflict-related sexual violence in an incident (UN CRSV forms, MARA)."""

    class Form(models.TextChoices):
        RAPE = "rape", _("Rape")
        SEXUAL_SLAVERY = "sexual_slavery", _("Sexual slavery")
        FORCED_PROSTITUTION = "forced_prostitution", _("Forced prostitution")
        FORCED_PREGNANCY = "forced_pregnancy", _("Forced pregnancy")
        FORCED_ABORTION = "forced_abortion", _("Forced abortion")
        ENFORCED_STERILIZATION = "enforced_sterilization", _("Enforced sterilization")
        FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
        TRAFFICKING = "trafficking", _("Trafficking for sexual purposes")
        OTHER_SEXUAL_VIOLENCE = "other_sexual_violence", _("Other sexual violence of comparable gravity")

    # Children are replaced as a whole by incident_update, hence CASCADE; incidents are never
    # deleted (PROTECT from their history).
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="violations", verbose_name=_("incident")
    )
    form = models.CharField(_("form of violation"), max_length=32, choices=Form.choices)

    class Meta:
        ordering = ["id"]
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        constraints = [
            models.UniqueConstraint(fields=["incident", "form"], name="violation_form_once_per_incident"),
        ]
        indexes = [models.Index(fields=["form", "incident"], name="violation_form_incident")]

    def __str__(self) -> str:
        return str(self.get_form_display())


class Perpetrator(models.Model):
    """A perpetrator or group of perpetrators, by MARA category and, where known, named party.

    `unit`, `commander` and `names` identify individuals: restricted, never shown to analysts,
    never filterable, stored encrypted. The named party stays visible, as MARA reporting needs it.
    """

    class Category(models.TextChoices):
        STATE_ARMED_FORCES = "state_armed_forces", _("State armed forces")
        NATIONAL_POLICE = "national_police", _("National police")
        OTHER_STATE_SECURITY = "other_state_security", _("Other state security forces")
        PRO_GOVERNMENT_MILITIA = "pro_government_militia", _("Pro-government militia")
        NON_STATE_ARMED_GROUP = "non_state_armed_group", _("Non-state armed group")
        UNIDENTIFIED_ARMED_MEN = "unidentified_armed_men", _("Unidentified armed men")
        CIVILIANS = "civilians", _("Civilians")
        UN_PERSONNEL = "un_personnel", _("UN personnel (conduct and discipline track)")
        UNKNOWN = "unknown", _("Unknown")

    # Categories that may name a party to the conflict.
    ARMED_ACTOR_CATEGORIES: ClassVar[tuple[str, ...]] = ARMED_ACTOR_CATEGORIES

    class Sex(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")
        MIXED = "mixed", _("Both")
        UNKNOWN = "unknown", _("Unknown")

    class AgeGroup(models.TextChoices):
        ADULT = "adult", _("Adult")
        MINOR = "minor", _("Under 18")
        MIXED = "mixed", _("Adults and minors")
        UNKNOWN = "unknown", _("Unknown")

    class Relationship(models.TextChoices):
        INTIMATE_PARTNER = "intimate_partner", _("Intimate partner or former partner")
        FAMILY = "family", _("Family member")
        ACQUAINTANCE = "acquaintance", _("Neighbour, friend or acquaintance")
        COMMUNITY_MEMBER = "community_member", _("Other member of the community")
        AUTHORITY = "authority", _("Person in authority (teacher, employer, official)")
        NO_RELATION = "no_relation", _("No relation (stranger)")
        OTHER = "other", _("Other")
        UNKNOWN = "unknown", _("Unknown")

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="perpetrators", verbose_name=_("incident")
    )
    count = models.PositiveSmallIntegerField(
        _("number of perpetrators"), null=True, blank=True, help_text=_("Empty when unknown.")
    )
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    age_group = models.CharField(
        _("age group"), max_length=8, choices=AgeGroup.choices, default=AgeGroup.UNKNOWN
    )
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    party = models.ForeignKey(
        PartyToConflict,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="perpetrators",
        verbose_name=_("party to the conflict"),
    )
    relationship = models.CharField(
        _("relationship to the survivor"),
        max_length=24,
        choices=Relationship.choices,
        default=Relationship.UNKNOWN,
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Individual identification: restricted, and encrypted under the incident's data key, bound
    # to this row (the incident services provision the key before they build the rows).
    unit_ct = models.BinaryField(_("unit (encrypted)"), null=True, editable=False)
    commander_ct = models.BinaryField(_("commander (encrypted)"), null=True, editable=False)
    names_ct = models.BinaryField(_("names (encrypted)"), null=True, editable=False)
    unit = EncryptedText("unit_ct", key="incident.data_key")
    commander = EncryptedText("commander_ct", key="incident.data_key")
    names = EncryptedText("names_ct", key="incident.data_key")

    class Meta:
        ordering = ["id"]
        verbose_name = _("perpetrator")
        verbose_name_plural = _("perpetrators")
        constraints = [
            models.CheckConstraint(
                condition=Q(count__isnull=True) | Q(count__gte=1), name="perpetrator_count_positive"
            ),
            models.CheckConstraint(
                condition=Q(party__isnull=True) | Q(category__in=ARMED_ACTOR_CATEGORIES),
                name="perpetrator_party_only_for_armed_actors",
            ),
        ]
        indexes = [models.Index(fields=["category", "incident"], name="perpetrator_category_incident")]

    def __str__(self) -> str:
        return str(self.get_category_display())

"""The service directory: the organisations survivors are referred to, and who works for them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crsv.accounts.models import FieldOffice
from incidents.models import Location
from survivors.models import Consent

# The one list of service types: a referral consent's (survivors' Consent.ServiceType).
ServiceType = Consent.ServiceType
# The languages a provider works in: the ones consent is explained in.
Language = Consent.Language


class ServiceProviderQuerySet(models.QuerySet["ServiceProvider"]):
    def active(self) -> ServiceProviderQuerySet:
        return self.filter(active=True)

    def offering(self, service_type: str) -> ServiceProviderQuerySet:
        return self.filter(service_types__contains=[service_type])


class ServiceProvider(models.Model):
    """An organisation of the service directory (a hospital, an NGO, legal aid), managed by
    admins. Not survivor data: WPAs browse it, providers' users belong to one."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("organisation"), max_length=200, unique=True)
    service_types = ArrayField(
        models.CharField(max_length=16, choices=ServiceType.choices),
        verbose_name=_("service types"),
    )
    field_offices = models.ManyToManyField(
        FieldOffice, related_name="service_providers", verbose_name=_("field offices served")
    )
    locations = models.ManyToManyField(
        Location, related_name="service_providers", blank=True, verbose_name=_("coverage locations")
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    languages = ArrayField(
        models.CharField(max_length=8, choices=Language.choices),
        default=list,
        blank=True,
        verbose_name=_("languages"),
    )
    pep_available = models.BooleanField(_("post-exposure prophylaxis available"), default=False)
    emergency_contraception = models.BooleanField(_("emergency contraception available"), default=False)
    child_friendly = models.BooleanField(_("child-friendly"), default=False)
    serves_male_survivors = models.BooleanField(_("serves male survivors"), default=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServiceProviderQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")
        indexes = [
            models.Index(fields=["active", "name", "id"], name="serviceprovider_active_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(service_types__len__gt=0)
                & Q(service_types__contained_by=[value for value, _label in ServiceType.choices]),
                name="serviceprovider_service_types_known",
            ),
            models.CheckConstraint(
                condition=Q(languages__contained_by=[value for value, _label in Language.choices]),
                name="serviceprovider_languages_known",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def email_language(self) -> str:
        """The language of e-mails to its contact address: the first of its languages the system
        writes in, or "" (the notification outbox then uses the site's)."""
        written = dict(settings.LANGUAGES)
        return next((code for code in self.languages if code in written), "")

    def offers(self, service_type: str) -> bool:
        return service_type in self.service_types


class ProviderMembership(models.Model):
    """A provider user's organisation: one per user (the user model in `crsv/` names no app)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_membership"
    )
    provider = models.ForeignKey(
        ServiceProvider, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("organisation")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("provider membership")
        verbose_name_plural = _("provider memberships")

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.provider_id}"

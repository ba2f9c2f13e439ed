"""Survivor cases (the service track): identifiable, encrypted, consent-gated.

Identifying fields are stored only as AES-256-GCM ciphertext under the survivor's own data key
(`crsv.keys.DataKey`); the pseudonymous code and the non-identifying profile are plain. Reads of
identifying fields go through `survivors.selectors`, which writes one access event per survivor
revealed.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from guardian.models import UserObjectPermissionBase

from crsv.accounts.models import FieldOffice, Mission
from crsv.crypto import EncryptedText
from crsv.keys.models import DataKey
from survivors.querysets import SurvivorQuerySet

# Crockford's base32 without the look-alikes (0/O, 1/I/L, U): easy to read out over a radio.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

# The encrypted fields, in display order. Each is a BinaryField named `<field>_ct`.
ENCRYPTED_FIELDS = (
    "name",
    "date_of_birth",
    "phone",
    "address",
    "caregiver",
    "safe_contact_method",
    "safe_contact_times",
    "notes",
)


def survivor_code_new() -> str:
    """A random code like `S-7KQ4-M2XD` (30^8 ≈ 6.6e11 codes; uniqueness is a DB constraint)."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"S-{chars[:4]}-{chars[4:]}"


def _ciphertext(label: StrOrPromise) -> models.BinaryField[Any, Any]:
    return models.BinaryField(label, null=True, editable=False)


class ErasureReason(models.TextChoices):
    """Why a case was erased: a choice, not free text, so the record itself holds nothing."""

    SURVIVOR_REQUEST = "survivor_request", _("The survivor asked for it")
    SAFETY = "safety", _("Safety risk in keeping the data")
    RETENTION = "retention", _("Retention period ended")
    ERROR = "error", _("Registered in error or duplicate")


class Survivor(models.Model):
    """One survivor's case. Linked to incidents only through this record's pseudonymous code."""

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")
        UNKNOWN = "unknown", _("Unknown")

    class AgeBand(models.TextChoices):
        CHILD_0_11 = "0-11", _("0-11 (child)")
        CHILD_12_17 = "12-17", _("12-17 (child)")
        ADULT_18_25 = "18-25", _("18-25")
        ADULT_26_40 = "26-40", _("26-40")
        ADULT_41_60 = "41-60", _("41-60")
        ADULT_61 = "61+", _("61 and over")
        UNKNOWN = "unknown", _("Unknown")

    class Disability(models.TextChoices):
        NONE = "none", _("No disability")
        PHYSICAL = "physical", _("Physical")
        SENSORY = "sensory", _("Sensory")
        INTELLECTUAL = "intellectual", _("Intellectual or mental")
        UNKNOWN = "unknown", _("Unknown")

    class Displacement(models.TextChoices):
        RESIDENT = "resident", _("Resident (not displaced)")
        IDP = "idp", _("Internally displaced")
        RETURNEE = "returnee", _("Returnee")
        REFUGEE = "refugee", _("Refugee or asylum seeker")
        UNKNOWN = "unknown", _("Unknown")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("survivor code"), max_length=11, unique=True, default=survivor_code_new)
    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="+")
    field_office = models.ForeignKey(
        FieldOffice, on_delete=models.PROTECT, related_name="survivors", verbose_name=_("field office")
    )
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="survivor")

    name_ct = _ciphertext(_("name"))
    date_of_birth_ct = _ciphertext(_("date of birth"))
    phone_ct = _ciphertext(_("phone"))
    address_ct = _ciphertext(_("address or village"))
    caregiver_ct = _ciphertext(_("caregiver"))
    safe_contact_method_ct = _ciphertext(_("safe contact method"))
    safe_contact_times_ct = _ciphertext(_("safe contact times"))
    notes_ct = _ciphertext(_("notes"))
    # Their plaintext (crsv.crypto.EncryptedField), under this case's data key: every value is
    # encrypted, the empty one too, and a missing or erased one raises DecryptionError. Shown
    # only through survivors.selectors, which records the access.
    name = EncryptedText("name_ct", key="data_key", null=False)
    date_of_birth = EncryptedText("date_of_birth_ct", key="data_key", null=False)
    phone = EncryptedText("phone_ct", key="data_key", null=False)
    address = EncryptedText("address_ct", key="data_key", null=False)
    caregiver = EncryptedText("caregiver_ct", key="data_key", null=False)
    safe_contact_method = EncryptedText("safe_contact_method_ct", key="data_key", null=False)
    safe_contact_times = EncryptedText("safe_contact_times_ct", key="data_key", null=False)
    notes = EncryptedText("notes_ct", key="data_key", null=False)

    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, default=AgeBand.UNKNOWN)
    disability = models.CharField(
        _("disability"), max_length=16, choices=Disability.choices, default=Disability.UNKNOWN
    )
    displacement_status = models.CharField(
        _("displacement status"), max_length=16, choices=Displacement.choices, default=Displacement.UNKNOWN
    )
    interview_count = models.PositiveSmallIntegerField(_("interviews"), default=0)
    do_not_reinterview = models.BooleanField(_("do not re-interview"), default=False)

    assigned_wpa = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_survivors",
        verbose_name=_("assigned WPA"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registered_survivors"
    )
    incidents = models.ManyToManyField(
        "incidents.Incident", through="SurvivorIncident", related_name="survivors", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    erasure_reason = models.CharField(
        _("erasure reason"), max_length=24, choices=ErasureReason.choices, blank=True
    )

    objects = SurvivorQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survivor")
        verbose_name_plural = _("survivors")
        # Granted per case only (SurvivorUserObjectPermission); never as a model-wide permission.
        permissions = [("access_case", "Full access to one case (per-case grant)")]
        indexes = [
            models.Index(fields=["assigned_wpa", "-created_at", "-id"], name="survivor_assignee_recent"),
            models.Index(fields=["registered_by", "-created_at", "-id"], name="survivor_registrar_recent"),
            models.Index(fields=["mission", "-created_at", "-id"], name="survivor_mission_recent"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(age__lte=120), name="survivor_age_plausible"),
            models.CheckConstraint(
                condition=Q(code__regex=r"^S-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$"),
                name="survivor_code_format",
            ),
        ]

    def __str__(self) -> str:
        return self.code  # never a name: this string reaches admin lists and logs

    @property
    def is_child(self) -> bool:
        if self.age is not None:
            return self.age < 18
        return self.age_band in (self.AgeBand.CHILD_0_11, self.AgeBand.CHILD_12_17)

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class SurvivorIncident(models.Model):
    """The link between a case and an incident. Analysts never see it."""

    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="incident_links")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(auto_now_add=True)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survivor", "incident"], name="survivorincident_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.survivor} ↔ incident"


class ConsentText(models.Model):
    """A versioned consent text, read to the survivor in her language; managed by admins."""

    version = models.CharField(_("version"), max_length=20)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published at"))
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "language"]
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        constraints = [
            models.UniqueConstraint(fields=["version", "language"], name="consenttext_version_language"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version} ({self.language})"


class Consent(models.Model):
    """One entry of a survivor's consent ledger: a grant, or the withdrawal of a grant.

    Append-only: the database refuses UPDATE and DELETE (migration 0002). A withdrawal is a new
    entry pointing at the grant it ends; `survivors.consent.consent_allows` reads the ledger.
    """

    class Kind(models.TextChoices):
        GRANT = "grant", _("Consent given")
        WITHDRAWAL = "withdrawal", _("Consent withdrawn")

    class Purpose(models.TextChoices):
        CASE_MANAGEMENT = "case_management", _("Case management")
        REFERRAL = "referral", _("Referral to a service")
        SHARE_IDENTIFIABLE = "share_identifiable", _("Sharing identifiable data with a named organisation")
        STATISTICS = "statistics", _("Non-identifiable reporting for statistics")
        LEGAL = "legal", _("Legal use")
        CONTACT = "contact", _("Being contacted")

    class ServiceType(models.TextChoices):
        MEDICAL = "medical", _("Medical")
        PSYCHOSOCIAL = "psychosocial", _("Psychosocial")
        LEGAL_AID = "legal_aid", _("Legal aid")
        SAFETY = "safety", _("Safety and shelter")
        LIVELIHOOD = "livelihood", _("Livelihood and vocational training")
        EDUCATION = "education", _("Education")

    class GivenBy(models.TextChoices):
        SURVIVOR = "survivor", _("The survivor")
        CAREGIVER = "caregiver", _("A caregiver, with the child's assent")

    class Method(models.TextChoices):
        WRITTEN = "written", _("Written")
        ORAL = "oral", _("Oral")
        ORAL_WITNESSED = "oral_witnessed", _("Oral, witnessed")

    class Language(models.TextChoices):
        FRENCH = "fr", _("French")
        ENGLISH = "en", _("English")
        SWAHILI = "sw", _("Swahili")
        LINGALA = "ln", _("Lingala")
        KIKONGO = "kg", _("Kikongo")
        TSHILUBA = "lu", _("Tshiluba")
        KINYARWANDA = "rw", _("Kinyarwanda")
        OTHER = "other", _("Other")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(_("entry"), max_length=12, choices=Kind.choices, default=Kind.GRANT)
    purpose = models.CharField(_("purpose"), max_length=24, choices=Purpose.choices)
    service_type = models.CharField(_("service type"), max_length=16, choices=ServiceType.choices, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    # A directory provider (by string: survivors imports no referrals); see `consent_allows`.
    provider = models.ForeignKey(
        "referrals.ServiceProvider", models.PROTECT, null=True, blank=True, related_name="+"
    )
    given_by = models.CharField(_("given by"), max_length=12, choices=GivenBy.choices, blank=True)
    child_assent = models.BooleanField(_("child's assent obtained"), default=False)
    method = models.CharField(_("how"), max_length=16, choices=Method.choices, blank=True)
    explained_in = models.CharField(_("explained in"), max_length=8, choices=Language.choices, blank=True)
    consent_text = models.ForeignKey(
        ConsentText,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent text"),
    )
    given_at = models.DateTimeField(_("given at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    withdraws = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="withdrawal"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["survivor", "purpose"], name="consent_survivor_purpose")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="grant", withdraws__isnull=True) | Q(kind="withdrawal", withdraws__isnull=False)
                ),
                name="consent_withdrawal_names_its_grant",
            ),
            models.CheckConstraint(
                condition=Q(kind="withdrawal")
                | (~Q(given_by="") & ~Q(method="") & ~Q(explained_in="") & Q(consent_text__isnull=False)),
                name="consent_grant_is_complete",
            ),
            models.CheckConstraint(
                condition=Q(purpose="referral", service_type__gt="")
                | (~Q(purpose="referral") & Q(service_type="")),
                name="consent_service_type_iff_referral",
            ),
            models.CheckConstraint(
                condition=Q(purpose="share_identifiable", organisation__gt="")
                | (~Q(purpose="share_identifiable") & Q(organisation="")),
                name="consent_organisation_iff_sharing",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("given_at")),
                name="consent_expires_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_purpose_display()}"


class SurvivorSearchEntry(models.Model):
    """A blind-index entry for exact search by name or phone (see survivors.blind_index).
    Replaced when the case changes; deleted when the case is erased."""

    class Kind(models.TextChoices):
        NAME = "name", _("Name")
        PHONE = "phone", _("Phone")

    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="search_entries")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    digest = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["kind", "digest"], name="searchentry_lookup")]

    def __str__(self) -> str:
        return f"{self.kind} entry"


class SurvivorUserObjectPermission(UserObjectPermissionBase):
    """A per-case grant: django-guardian's direct foreign-key permission model, plus who granted
    it and until when. Case lists read it through an indexed semi-join
    (`survivors.querysets.identifying_access_q`), never through `get_objects_for_user`, and the
    expiry is checked there on every request."""

    content_object = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="grants")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("case grant")
        verbose_name_plural = _("case grants")
        indexes = [models.Index(fields=["user", "content_object", "expires_at"], name="grant_user_case")]


class BreakGlass(models.Model):
    """A senior WPA opening a case outside her grants, with a stated reason, for a limited time.
    The reason is encrypted under the case's data key (it may name people)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="break_glass")
    reason_ct = models.BinaryField(editable=False)
    # Under the case's data key, bound to this row: the reason dies with the case's erasure.
    reason = EncryptedText("reason_ct", key="survivor.data_key", null=False)
    opened_at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("break-glass access")
        verbose_name_plural = _("break-glass accesses")
        indexes = [models.Index(fields=["user", "survivor", "expires_at"], name="breakglass_user_case")]

    def __str__(self) -> str:
        return f"break-glass {self.public_id}"

"""Users, missions, field offices and memberships: who may act, and where (their scope)."""

from __future__ import annotations

import uuid
import zoneinfo
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Now
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from crsv.accounts.roles import Capability, roles_for
from crsv.crypto import EncryptedBytes

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.db.models import QuerySet


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class OfficeDate(models.Func):
    """The calendar date of `moment` (a timestamp expression) in the time zone named by
    `time_zone` (an expression: a field office's column), computed by PostgreSQL:
    `(moment AT TIME ZONE time_zone)::date`."""

    arg_joiner = " AT TIME ZONE "
    template = "(%(expressions)s)::date"
    output_field = models.DateField()


def membership_current_q(*, prefix: str = "", moment: models.Expression | None = None) -> models.Q:
    """Memberships that still count at `moment` (default: the database's clock): no end date,
    or an end date not before that day in the office's time zone. `prefix` reaches the
    membership from another model (e.g. "memberships__")."""
    today = OfficeDate(moment if moment is not None else Now(), models.F(f"{prefix}field_office__time_zone"))
    return models.Q(**{f"{prefix}ends_on__isnull": True}) | models.Q(**{f"{prefix}ends_on__gte": today})


class Mission(models.Model):
    """A peacekeeping mission (MONUSCO, MINUSCA, ...): the widest scope a user can have."""

    code = models.CharField(
        _("code"),
        max_length=16,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,16}$", _("Use 2-16 capital letters."))],
    )
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("mission")
        verbose_name_plural = _("missions")

    def __str__(self) -> str:
        return self.code


class FieldOffice(models.Model):
    """A mission's field office; dates are entered and shown in its time zone."""

    mission = models.ForeignKey(
        Mission, on_delete=models.PROTECT, related_name="field_offices", verbose_name=_("mission")
    )
    code = models.CharField(
        _("short code"),
        max_length=8,
        validators=[RegexValidator(r"^[A-Z]{3,8}$", _("Use 3-8 capital letters, e.g. GOM."))],
    )
    name = models.CharField(_("name"), max_length=200)
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])

    class Meta:
        ordering = ["mission__code", "code"]
        verbose_name = _("field office")
        verbose_name_plural = _("field offices")
        constraints = [
            models.UniqueConstraint(fields=["mission", "code"], name="fieldoffice_code_unique_in_mission"),
        ]

    def __str__(self) -> str:
        return self.name


# django-stubs cannot type `user.authenticators`: its manager is django-otp's (untyped).
class User(AbstractUser):  # type: ignore[django-manager-missing]
    """A person with an account. Roles are groups; scope is their field-office memberships."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Part of every session's and API token's authentication hash (with the password): a new
    # stamp ends them all on their next request (see `user_credentials_end`).
    security_stamp = models.UUIDField(default=uuid.uuid4, editable=False)
    # The user's own data key: her authenticator's secret is encrypted under it (AuthenticatorDevice).
    data_key = models.OneToOneField(
        "keys.DataKey", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="user"
    )
    # The language she last chose (the language switch saves it): her e-mails are written in it.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # When she last made a request (written at most every few minutes, see crsv.accounts.activity): the
    # access review shows it, and accounts idle for ACCESS_IDLE_DAYS are deactivated.
    last_active_at = models.DateTimeField(_("last activity"), null=True, blank=True, editable=False)
    field_offices = models.ManyToManyField(
        FieldOffice,
        through="Membership",
        related_name="members",
        blank=True,
        verbose_name=_("field offices"),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's session hash (an HMAC of the password hash) extended with the security
        stamp: a password change, a second-factor reset or a change of roles or offices
        invalidates every session and every API token of the user at once."""
        key_salt = "crsv.accounts.User.get_session_auth_hash"
        value = f"{self.password}|{self.security_stamp}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def role_names(self) -> set[str]:
        """The user's roles (group names), read once per request and kept on the instance."""
        cached: set[str] | None = getattr(self, "_role_names", None)
        if cached is None:
            cached = set(self.groups.values_list("name", flat=True))
            self._role_names = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return self.is_active and bool(self.role_names() & set(roles))

    def can(self, capability: Capability) -> bool:
        """Holds a role that allows `capability` (crsv.accounts.roles.CAPABILITIES), and is active."""
        return self.has_role(*roles_for(capability))

    def office_ids(self) -> list[int]:
        """Her field offices' ids: the memberships that still count (`membership_current_q`)."""
        cached: list[int] | None = getattr(self, "_office_ids", None)
        if cached is None:
            cached = list(
                self.memberships.filter(membership_current_q())
                .order_by("id")
                .values_list("field_office_id", flat=True)
            )
            self._office_ids = cached
        return cached

    def scope_prime(
        self,
        *,
        roles: Iterable[str],
        office_ids: Iterable[int],
        mission_ids: Iterable[int] | None = None,
        device_ids: Iterable[str] | None = None,
        mission_offices: Iterable[str] | None = None,
        unread: int | None = None,
    ) -> None:
        """Keep the roles, offices, missions and confirmed two-factor devices a caller read in
        its own query (see crsv.accounts.scope), so that `role_names()`, `office_ids()`,
        `mission_ids()` and the OTP middleware need no query of their own; and her missions'
        offices ("id:mission id:name", by name) and unread notification count for the pages
        (`crsv.accounts.selectors.field_office_options`, `notification_unread_count`)."""
        self._role_names = set(roles)
        self._office_ids = list(office_ids)
        if mission_ids is not None:
            self._mission_ids = sorted(mission_ids)
        if device_ids is not None:
            self._confirmed_device_ids = frozenset(device_ids)
        if mission_offices is not None:
            self._mission_offices = [
                FieldOffice(pk=int(pk), mission_id=int(mission), name=name)
                for pk, mission, name in (entry.split(":", 2) for entry in mission_offices)
            ]
        if unread is not None:
            self._unread_count = unread

    def mission_ids(self) -> list[int]:
        """Missions of the user's offices: the scope of a senior WPA or an analyst."""
        cached: list[int] | None = getattr(self, "_mission_ids", None)
        if cached is None:
            cached = sorted(
                set(FieldOffice.objects.filter(id__in=self.office_ids()).values_list("mission_id", flat=True))
            )
            self._mission_ids = cached
        return cached

    def primary_office(self) -> FieldOffice | None:
        membership = (
            self.memberships.filter(membership_current_q())
            .select_related("field_office")
            .order_by("id")
            .first()
        )
        return membership.field_office if membership else None

    def offices(self) -> QuerySet[FieldOffice]:
        """Her offices: the memberships that still count (a past end date no longer does, even
        before the beat task deletes it: crsv.accounts.expiry)."""
        return FieldOffice.objects.filter(
            membership_current_q(prefix="memberships__"), memberships__user=self
        ).select_related("mission")


class Membership(models.Model):
    """A user's membership of a field office: records there are in their scope."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    field_office = models.ForeignKey(FieldOffice, on_delete=models.PROTECT, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)
    # Temporary staff: the last day (in the office's time zone) the membership counts; a beat task
    # deletes it the day after, audited
    # (crsv.accounts.expiry); until then `membership_current_q` already leaves it out of her scope.
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "field_office"], name="membership_unique_user_office"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.field_office}"


class ApiToken(models.Model):
    """An API bearer token. Only the SHA-256 of the token is stored; the token is shown once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    # The user's session auth hash when the token was issued: a token lives only as long as
    # the password and the security stamp it was issued under.
    auth_hash = models.CharField(max_length=64, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["user", "expires_at"], name="apitoken_user_expiry")]

    def __str__(self) -> str:
        return f"token {self.public_id} of {self.user}"


class Invitation(models.Model):
    """A single-use, expiring link e-mailed (through the notification outbox) to a user an
    administrator invited: she sets her own password and enrols her second factor, so no
    administrator ever knows it. Only the SHA-256 of the link's token is stored."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["user", "-created_at"], name="invitation_user_created")]

    def __str__(self) -> str:
        return f"invitation {self.public_id}"


class UserSession(models.Model):
    """A signed-in browser session, so that an administrator can see a user's sessions and end
    one (deleting its row in django_session) or all of them (the security stamp). Written at
    sign-in; `last_seen_at` follows the session's own activity stamp."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="browser_sessions")
    # django_session's primary key (the cookie's value): the same secret that table already holds.
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(_("signed in"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [models.Index(fields=["user", "-created_at"], name="usersession_user_created")]

    def __str__(self) -> str:
        return f"session {self.pk} of {self.user}"


class RecoveryCode(models.Model):
    """A single-use recovery code of a user's recovery-code device, stored as a salted SHA-256.

    The code (56 random bits) is shown once, at enrolment. A per-code salt means a copy of the
    database gives no shortcut: each code costs ~2^55 hashes to find, and none is shared between
    codes or users. No key is involved on purpose: losing or rotating a key would silently void
    every user's recovery codes, the very thing they are kept for. (A code alone is also useless
    without the user's password.) See crsv.accounts.two_factor.
    """

    device = models.ForeignKey(
        "otp_static.StaticDevice", on_delete=models.CASCADE, related_name="recovery_codes"
    )
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"recovery code {self.pk}"


class AuthenticatorDevice(TimestampMixin, ThrottlingMixin, Device):
    """A user's TOTP authenticator: django-otp's `TOTPDevice` with its shared secret encrypted.

    `TOTPDevice` keeps the secret as clear hex in its table, so a copy of the database (a backup,
    a pg_dump) could generate every user's codes. Here the secret is AES-256-GCM ciphertext under
    the user's data key, bound to this row (`secret`, see crsv.crypto.EncryptedField); the TOTP
    arithmetic, the replay guard (`last_t`) and the throttling are django-otp's own, reused below.
    Created by crsv.accounts.two_factor, which provisions the user's data key first.
    """

    # Device's own field, with a related name of ours.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="authenticators"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    secret_ct = models.BinaryField(_("secret (encrypted)"), editable=False)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    secret = EncryptedBytes("secret_ct", key="user.data_key", null=False)

    class Meta(Device.Meta):
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")

    @property
    def bin_key(self) -> bytes:
        """The secret, decrypted (what django-otp's TOTP code reads)."""
        return self.secret

    # django-otp's TOTP logic, unchanged: it reads only `bin_key` and the fields above.
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings

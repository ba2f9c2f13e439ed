"""Two-factor authentication for every user (TOTP, django-otp), with single-use recovery codes.

A session is "verified" once a TOTP code or a recovery code was accepted in it
(`django_otp.login`), and gets a new session id then; until then
`crsv.middleware.TwoFactorRequiredMiddleware` lets it reach nothing but the verification and
enrolment pages, and the API does not accept it.

A code is checked with the user's device row locked (`select_for_update`), page and API alike:
parallel sessions posting one code are served one after the other, so the code is accepted once
(django-otp refuses a time step not later than the last one used) and every wrong code counts
in the device's failure counter. Wrong codes also count towards the sign-in lockout
(crsv.accounts.lockout). Recovery codes are stored as salted hashes (`RecoveryCode`) and spent by
a conditional UPDATE. The TOTP secret is stored encrypted under the user's data key
(`AuthenticatorDevice`), never in clear.
"""

from __future__ import annotations

import hashlib
import secrets

import segno
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from crsv.accounts import lockout
from crsv.accounts.models import AuthenticatorDevice, RecoveryCode, User
from crsv.accounts.services import user_credentials_end
from crsv.audit.services import audit_record
from crsv.keys.services import data_key_provision

RECOVERY_CODES = 10
_TOTP_NAME = "authenticator"
_RECOVERY_NAME = "recovery codes"


def totp_device(user: User, *, confirmed: bool = True) -> AuthenticatorDevice | None:
    return AuthenticatorDevice.objects.filter(user=user, confirmed=confirmed).first()


def has_two_factor(user: User) -> bool:
    return AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists()


def _authenticator_create(*, user: User, confirmed: bool) -> AuthenticatorDevice:
    """A new authenticator with a random 160-bit secret (as django-otp's default), encrypted
    under the user's data key, provisioned here first. The caller holds a transaction."""
    # The user row is locked so that two enrolments at once provision one key, not two.
    locked = User.objects.select_for_update().only("id", "data_key").get(pk=user.pk)
    if data_key_provision(locked):
        locked.save(update_fields=["data_key"])
    user.data_key = locked.data_key
    device = AuthenticatorDevice(user=user, name=_TOTP_NAME, confirmed=confirmed)
    device.secret = secrets.token_bytes(20)
    device.save()
    return device


@transaction.atomic
def enrolment_start(*, user: User) -> AuthenticatorDevice:
    """The unconfirmed authenticator being set up (the same one until confirmed)."""
    device = totp_device(user, confirmed=False)
    if device is None:
        device = _authenticator_create(user=user, confirmed=False)
    return device


def enrolment_qr_data_uri(device: AuthenticatorDevice) -> str:
    """The otpauth:// URI as an SVG QR code, rendered on the server (no script, no CDN)."""
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2))


def secret_for_typing(device: AuthenticatorDevice) -> str:
    """The base32 secret, in groups of four, for typing into an authenticator by hand."""
    import base64

    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@transaction.atomic
def enrolment_confirm(
    *, request: HttpRequest, user: User, device: AuthenticatorDevice, token: str
) -> list[str] | None:
    """Confirm the authenticator with a first code; returns fresh recovery codes, or None if
    the code is wrong. The session is verified from then on, under a new session id."""
    device = AuthenticatorDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed or not device.verify_token(token.strip()):
        return None
    AuthenticatorDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_replace(user=user)
    otp_login(request, device)
    request.session.cycle_key()
    audit_record(actor=user, action="two_factor.enrolled", obj=user, request=request)
    return codes


def recovery_code_digest(salt: str, code: str) -> str:
    """SHA-256 of a recovery code under its own salt (see `RecoveryCode`)."""
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


@transaction.atomic
def recovery_codes_replace(*, user: User) -> list[str]:
    """New single-use recovery codes (the old ones stop working). Only their hashes are kept."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=_RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.recovery_codes.all().delete()
    StaticToken.objects.filter(device=device).delete()  # clear codes of before, if any
    # 56 random bits each, typed by hand from paper.
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    rows = []
    for code in codes:
        salt = secrets.token_hex(16)
        rows.append(RecoveryCode(device=device, salt=salt, code_hash=recovery_code_digest(salt, code)))
    RecoveryCode.objects.bulk_create(rows)
    return codes


def _recovery_code_spend(*, user: User, token: str) -> StaticDevice | None:
    """Spend an unused recovery code; the caller holds a transaction. The device row is locked
    (its throttle counts every wrong code), and the code is spent by a conditional UPDATE: used
    by two requests at once, it is accepted once."""
    device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if device is None:
        return None
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return None
    match = None
    for code in RecoveryCode.objects.filter(device=device, used_at__isnull=True):
        if constant_time_compare(code.code_hash, recovery_code_digest(code.salt, token)):
            match = code
    spent = (
        match is not None
        and RecoveryCode.objects.filter(pk=match.pk, used_at__isnull=True).update(used_at=timezone.now()) == 1
    )
    if not spent:
        device.throttle_increment()
        return None
    device.throttle_reset(commit=False)
    device.set_last_used_timestamp(commit=False)
    device.save()
    return device


def _code_accept(*, user: User, token: str) -> Device | None:
    """The device that accepts `token` (a TOTP code or a recovery code), or None. The caller
    holds a transaction; the TOTP device row is locked for the check, so one code verifies one
    request and a wrong code's failure count is not lost to a parallel request."""
    token = token.strip().replace(" ", "")
    if "-" in token:  # recovery codes have one; authenticator codes are digits
        return _recovery_code_spend(user=user, token=token)
    device = AuthenticatorDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    return device if device is not None and device.verify_token(token) else None


def verify(*, request: HttpRequest, user: User, token: str) -> bool:
    """Accept a TOTP code (not replayed) or an unused recovery code; mark the session verified
    and give it a new id. Refused while the user is locked out from this address; a wrong code
    counts towards that lockout."""
    locked = lockout.second_factor_locked(request=request, user=user)
    with transaction.atomic():
        accepted = None if locked else _code_accept(user=user, token=token)
        action = "two_factor.verified" if accepted else "two_factor.failed"
        audit_record(actor=user, action=action, obj=user, request=request)
    if accepted is None:
        lockout.second_factor_failed(request=request, user=user)
        return False
    otp_login(request, accepted)
    request.session.cycle_key()
    return True


def verify_for_token(*, request: HttpRequest, user: User, token: str) -> bool:
    """The API token endpoint's check: a TOTP or recovery code, without a session. (The
    endpoint's password check already refused a locked-out user.) A wrong code counts towards
    the lockout."""
    with transaction.atomic():
        accepted = _code_accept(user=user, token=token) is not None
    if not accepted:
        lockout.second_factor_failed(request=request, user=user)
    return accepted


@transaction.atomic
def two_factor_reset(*, actor: User, user: User, request: HttpRequest | None = None) -> None:
    """An admin removes a user's devices (lost phone): every session and API token of the user
    ends, and she enrols again at her next sign-in."""
    AuthenticatorDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()  # and its recovery codes
    user_credentials_end(user=user)
    audit_record(actor=actor, action="two_factor.reset", obj=user, request=request)


@transaction.atomic
def demo_device_ensure(*, user: User) -> AuthenticatorDevice:
    """Development only: a confirmed authenticator for a demo user (its URI is printed)."""
    device = totp_device(user)
    if device is None:
        device = _authenticator_create(user=user, confirmed=True)
    return device

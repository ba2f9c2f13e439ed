"""Two-factor authentication for every user (TOTP, django-otp), with single-use recovery codes.

A session is "verified" once a TOTP code or a recovery code was accepted in it
(`django_otp.login`); until then `crsv.middleware.TwoFactorRequiredMiddleware` lets it reach
nothing but the verification and enrolment pages, and the API does not accept it. Replayed TOTP
codes are refused by django-otp (a code's time step must be later than the last one used).
"""

from __future__ import annotations

import secrets

import segno
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from crsv.accounts.models import User
from crsv.audit.services import audit_record

RECOVERY_CODES = 10
_TOTP_NAME = "authenticator"
_RECOVERY_NAME = "recovery codes"


def totp_device(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).first()


def has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (the same one until confirmed)."""
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_TOTP_NAME, confirmed=False)
    return device


def enrolment_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI as an SVG QR code, rendered on the server (no script, no CDN)."""
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2))


def secret_for_typing(device: TOTPDevice) -> str:
    """The base32 secret, in groups of four, for typing into an authenticator by hand."""
    import base64

    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@transaction.atomic
def enrolment_confirm(
    *, request: HttpRequest, user: User, device: TOTPDevice, token: str
) -> list[str] | None:
    """Confirm the authenticator with a first code; returns fresh recovery codes, or None if
    the code is wrong. The session is verified from then on."""
    if not device.verify_token(token.strip()):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_replace(user=user)
    otp_login(request, device)
    audit_record(actor=user, action="two_factor.enrolled", obj=user, request=request)
    return codes


@transaction.atomic
def recovery_codes_replace(*, user: User) -> list[str]:
    """New single-use recovery codes (the old ones stop working)."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=_RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    # 56 random bits each; django-otp keeps at most 16 characters per code.
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify(*, request: HttpRequest, user: User, token: str) -> bool:
    """Accept a TOTP code (not replayed) or an unused recovery code; mark the session verified."""
    token = token.strip().replace(" ", "")
    with transaction.atomic():
        device = totp_device(user)
        accepted = device if device is not None and device.verify_token(token) else None
        if accepted is None and "-" in token:
            recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
            accepted = recovery if recovery is not None and recovery.verify_token(token) else None
        action = "two_factor.verified" if accepted else "two_factor.failed"
        audit_record(actor=user, action=action, obj=user, request=request)
    if accepted is None:
        return False
    otp_login(request, accepted)
    return True


def verify_for_token(*, user: User, token: str) -> bool:
    """The API token endpoint's check: a TOTP or recovery code, without a session."""
    token = token.strip().replace(" ", "")
    with transaction.atomic():
        device = totp_device(user)
        if device is not None and device.verify_token(token):
            return True
        recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
        return bool("-" in token and recovery is not None and recovery.verify_token(token))


@transaction.atomic
def two_factor_reset(*, actor: User, user: User, request: HttpRequest | None = None) -> None:
    """An admin removes a user's devices (lost phone): she enrols again at her next sign-in."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(actor=actor, action="two_factor.reset", obj=user, request=request)


@transaction.atomic
def demo_device_ensure(*, user: User) -> TOTPDevice:
    """Development only: a confirmed authenticator for a demo user (its URI is printed)."""
    device = totp_device(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_TOTP_NAME, confirmed=True)
    return device

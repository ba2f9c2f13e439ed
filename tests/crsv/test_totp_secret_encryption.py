"""Each user's TOTP secret is ciphertext under a data key of hers (AuthenticatorDevice), never
clear hex as django-otp's TOTPDevice kept it; enrolment and verification work as before, and the
data migration (accounts 0004) moves existing secrets over and, backward, restores them."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from crsv.accounts import two_factor
from crsv.accounts.models import AuthenticatorDevice, User
from crsv.crypto import DecryptionError

pytestmark = pytest.mark.django_db


def _code(secret: bytes) -> str:
    return f"{TOTP(secret).token():06d}"


def _secret_ct(device: AuthenticatorDevice) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_ct FROM accounts_authenticatordevice WHERE id = %s", [device.pk])
        return bytes(cursor.fetchone()[0])


def test_the_secret_is_ciphertext_under_the_users_own_key(wpa: User, reporter: User) -> None:
    device = two_factor.demo_device_ensure(user=wpa)
    other = two_factor.demo_device_ensure(user=reporter)
    secret = device.bin_key
    assert len(secret) == 20
    blob = _secret_ct(device)
    assert secret not in blob and secret.hex().encode() not in blob
    assert base64.b32encode(secret).rstrip(b"=") not in blob
    wpa.refresh_from_db()
    reporter.refresh_from_db()
    assert wpa.data_key_id and reporter.data_key_id and wpa.data_key_id != reporter.data_key_id
    assert not TOTPDevice.objects.exists()  # django-otp's clear table stays empty
    # Bound to its row: another user's secret copied over does not decrypt.
    AuthenticatorDevice.objects.filter(pk=device.pk).update(secret_ct=_secret_ct(other))
    with pytest.raises(DecryptionError):
        _ = AuthenticatorDevice.objects.select_related("user__data_key").get(pk=device.pk).bin_key


def test_enrolment_provisions_her_key_and_a_code_is_accepted_once(wpa: User) -> None:
    assert wpa.data_key_id is None
    device = two_factor.enrolment_start(user=wpa)
    assert User.objects.get(pk=wpa.pk).data_key_id is not None
    assert two_factor.enrolment_start(user=wpa).pk == device.pk  # the same one until confirmed
    code = _code(device.bin_key)
    assert AuthenticatorDevice.objects.get(pk=device.pk).verify_token(code) is True
    assert AuthenticatorDevice.objects.get(pk=device.pk).verify_token(code) is False  # replay


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_moves_secrets_and_backward_restores(wpa: User) -> None:
    device = two_factor.demo_device_ensure(user=wpa)
    secret = device.bin_key
    executor = MigrationExecutor(connection)
    before = [("accounts", "0003_recovery_code_hashes")]
    after = [("accounts", "0004_encrypt_totp_secrets")]
    try:
        executor.migrate(before)
        with connection.cursor() as cursor:
            cursor.execute("SELECT key, confirmed FROM otp_totp_totpdevice WHERE user_id = %s", [wpa.pk])
            assert cursor.fetchall() == [(secret.hex(), True)]  # backward: clear again, as before
            cursor.execute("SELECT to_regclass('accounts_authenticatordevice')")
            assert cursor.fetchone() == (None,)
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM otp_totp_totpdevice")
            assert cursor.fetchone() == (0,)
            cursor.execute("SELECT secret_ct FROM accounts_authenticatordevice WHERE user_id = %s", [wpa.pk])
            (blob,) = cursor.fetchone()
            assert secret.hex().encode() not in bytes(blob)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    migrated = two_factor.totp_device(User.objects.get(pk=wpa.pk))
    assert migrated is not None and migrated.bin_key == secret
    assert migrated.verify_token(_code(secret))


def test_the_demo_code_command_reads_the_encrypted_secret(wpa: User, capsys: Any) -> None:
    from django.core.management import call_command

    device = two_factor.demo_device_ensure(user=wpa)
    call_command("totp_code", wpa.username)
    assert _code(device.bin_key) in capsys.readouterr().out


def test_login_helper_still_passes_the_second_factor(login: Callable[[User], Client], wpa: User) -> None:
    assert login(wpa).get("/").status_code == 200

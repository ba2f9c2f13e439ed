"""Issue 8 item 7: recovery codes are stored as salted hashes (read from the database itself),
still work once, and the codes stored in clear before are migrated to hashes."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from crsv.accounts import two_factor
from crsv.accounts.models import RecoveryCode, User

pytestmark = pytest.mark.django_db
VERIFY = "/accounts/two-factor/"


@pytest.fixture(autouse=True)
def _no_backoff(settings: Any) -> None:
    """django-otp's backoff after a wrong code (1 s, 2 s, ...) is not what is tested here."""
    settings.OTP_STATIC_THROTTLE_FACTOR = 1e-9


def _tables_holding(text: str) -> list[str]:
    """Every table with a row whose text form contains `text`."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT 1 FROM {quoted} AS t WHERE t::text LIKE %s LIMIT 1", [f"%{text}%"])  # noqa: S608
            if cursor.fetchone():
                found.append(table)
    return found


def _uses(user: User, code: str) -> bool:
    client = Client()
    client.force_login(user)
    return (
        client.post(VERIFY, {"token": code, "next": "/"}).status_code == 302
        and client.get("/").status_code == 200
    )


def test_no_recovery_code_is_stored_in_clear(wpa: User) -> None:
    two_factor.demo_device_ensure(user=wpa)
    codes = two_factor.recovery_codes_replace(user=wpa)
    assert len(codes) == 10
    assert RecoveryCode.objects.filter(device__user=wpa).count() == 10
    for code in codes:
        assert _tables_holding(code) == []
        assert _tables_holding(code.split("-")[0]) == []
    # Still single-use, and a wrong code fails, after being typed in (the attempt rows too).
    assert not _uses(wpa, "0000aaaa-bbbbbb")
    assert _uses(wpa, codes[3])
    assert not _uses(wpa, codes[3])
    assert _uses(wpa, codes[4])
    for code in codes:
        assert _tables_holding(code.split("-")[0]) == []


def test_new_codes_replace_the_old_ones(wpa: User) -> None:
    two_factor.demo_device_ensure(user=wpa)
    old = two_factor.recovery_codes_replace(user=wpa)
    new = two_factor.recovery_codes_replace(user=wpa)
    assert not _uses(wpa, old[0])
    assert _uses(wpa, new[0])
    assert RecoveryCode.objects.filter(device__user=wpa).count() == 10


def test_the_migration_hashes_the_codes_kept_in_clear(wpa: User) -> None:
    two_factor.demo_device_ensure(user=wpa)
    device = StaticDevice.objects.create(user=wpa, name="recovery codes", confirmed=True)
    StaticToken.objects.create(device=device, token="1234abcd-ef5678")
    StaticToken.objects.create(device=device, token="99998888-777766")
    migration = importlib.import_module("crsv.accounts.migrations.0003_recovery_code_hashes")
    migration.hash_clear_codes(apps, None)
    assert not StaticToken.objects.exists()
    assert _tables_holding("1234abcd") == []
    assert RecoveryCode.objects.filter(device=device).count() == 2
    assert _uses(wpa, "1234abcd-ef5678")
    assert not _uses(wpa, "1234abcd-ef5678")

"""Master key rotation: re-wraps data keys in batches, survives SIGKILL, and the old key can go."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from crsv import crypto
from crsv.keys.models import DataKey
from crsv.keys.services import data_key_create, data_key_destroy

ROOT = Path(__file__).resolve().parents[2]


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _encrypt_many(count: int) -> dict[int, bytes]:
    """`count` data keys, each with one field encrypted under it; returns pk → ciphertext."""
    blobs = {}
    for i in range(count):
        data_key, plain = data_key_create()
        blobs[data_key.pk] = crypto.encrypt_value(
            f"secret-{i}", key=plain, table="t", field="f", row=str(data_key.public_id)
        )
    return blobs


def _all_decrypt(blobs: dict[int, bytes]) -> bool:
    for data_key in DataKey.objects.filter(pk__in=blobs):
        value = crypto.decrypt_value(
            blobs[data_key.pk], key=data_key.unwrap(), table="t", field="f", row=str(data_key.public_id)
        )
        assert value is not None and value.startswith("secret-")
    return True


def _command_env(master_keys: str) -> dict[str, str]:
    db = settings.DATABASES["default"]
    url = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {**os.environ, "CRSV_ENV": "development", "DATABASE_URL": url, "CRSV_MASTER_KEYS": master_keys}


@pytest.mark.django_db(transaction=True)
def test_rotation_survives_sigkill_and_old_key_can_be_removed(settings: Any) -> None:
    old = f"old:{_key()}"
    settings.CRSV_MASTER_KEYS = old
    blobs = _encrypt_many(1000)
    erased, _ = data_key_create()
    data_key_destroy(data_key=erased)
    assert set(DataKey.objects.exclude(pk=erased.pk).values_list("master_key_id", flat=True)) == {"old"}

    rotated = f"new:{_key()},{old}"
    command = [sys.executable, str(ROOT / "manage.py"), "rotate_master_key", "--batch-size", "20"]
    process = subprocess.Popen(  # noqa: S603
        command, env=_command_env(rotated), stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        done = DataKey.objects.filter(master_key_id="new").count()
        if done >= 100:
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    connection.close()
    partly = DataKey.objects.filter(master_key_id="new").count()
    assert 100 <= partly < 1000, "the kill must land midway for this test to mean anything"

    finish = subprocess.run(  # noqa: S603
        command, env=_command_env(rotated), capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert f"re-wrapped {1000 - partly} data keys; 0 left" in finish.stdout
    assert "100%" in finish.stderr

    settings.CRSV_MASTER_KEYS = rotated.split(",")[0]  # the old key removed from the environment
    assert crypto.keyring().active_id == "new"
    assert set(DataKey.objects.exclude(pk=erased.pk).values_list("master_key_id", flat=True)) == {"new"}
    assert _all_decrypt(blobs)
    erased.refresh_from_db()
    with pytest.raises(crypto.DecryptionError, match="destroyed"):
        erased.unwrap()


@pytest.mark.django_db
def test_destroyed_key_makes_fields_unreadable() -> None:
    data_key, plain = data_key_create()
    row = str(data_key.public_id)
    blob = crypto.encrypt_value("Esperance", key=plain, table="t", field="f", row=row)
    data_key_destroy(data_key=data_key)
    data_key.refresh_from_db()
    assert data_key.wrapped_key is None
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_value(blob, key=data_key.unwrap(), table="t", field="f", row=row)

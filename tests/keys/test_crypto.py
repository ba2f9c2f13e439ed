"""Envelope encryption: round trips, tampering, wrong keys, keyring parsing."""

from __future__ import annotations

import base64
import os

import pytest
from django.core.exceptions import ImproperlyConfigured

from crsv import crypto
from crsv.crypto import DecryptionError, FieldCipher, Keyring, keyring_parse


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher(key=crypto.new_data_key(), table="survivors_survivor", row="row-1")


@pytest.mark.parametrize(
    "value",
    ["", None, "Aïcha Mukamana", "名前 · اسم · Ñandú 🌍", "x" * 100_000, "line\nbreak\x00nul"],
)
def test_round_trip_is_exact(cipher: FieldCipher, value: str | None) -> None:
    blob = cipher.encrypt("name", value)
    assert cipher.decrypt("name", blob) == value
    if value:
        assert value.encode() not in blob


def test_empty_and_none_stay_distinct(cipher: FieldCipher) -> None:
    assert cipher.decrypt("name", cipher.encrypt("name", "")) == ""
    assert cipher.decrypt("name", cipher.encrypt("name", None)) is None


def test_each_encryption_uses_a_fresh_nonce(cipher: FieldCipher) -> None:
    assert cipher.encrypt("name", "same") != cipher.encrypt("name", "same")


def test_version_byte_leads(cipher: FieldCipher) -> None:
    assert cipher.encrypt("name", "v")[0] == crypto.VERSION


@pytest.mark.parametrize("position", [0, 1, 13, -1, -17])
def test_flipped_byte_raises(cipher: FieldCipher, position: int) -> None:
    blob = bytearray(cipher.encrypt("name", "Esperance"))
    blob[position] ^= 0x01
    with pytest.raises(DecryptionError):
        cipher.decrypt("name", bytes(blob))


def test_truncated_or_missing_ciphertext_raises(cipher: FieldCipher) -> None:
    blob = cipher.encrypt("name", "Esperance")
    for broken in (blob[:10], b"", None):
        with pytest.raises(DecryptionError):
            cipher.decrypt("name", broken)


def test_ciphertext_moved_to_another_row_raises() -> None:
    key = crypto.new_data_key()
    row_a = FieldCipher(key=key, table="t", row="a")
    row_b = FieldCipher(key=key, table="t", row="b")
    with pytest.raises(DecryptionError):
        row_b.decrypt("name", row_a.encrypt("name", "Esperance"))


def test_ciphertext_moved_to_another_field_raises(cipher: FieldCipher) -> None:
    with pytest.raises(DecryptionError):
        cipher.decrypt("phone", cipher.encrypt("name", "Esperance"))


def test_ciphertext_moved_to_another_table_raises() -> None:
    key = crypto.new_data_key()
    blob = FieldCipher(key=key, table="a", row="1").encrypt("f", "v")
    with pytest.raises(DecryptionError):
        FieldCipher(key=key, table="b", row="1").decrypt("f", blob)


def test_wrong_data_key_raises(cipher: FieldCipher) -> None:
    other = FieldCipher(key=crypto.new_data_key(), table="survivors_survivor", row="row-1")
    with pytest.raises(DecryptionError):
        other.decrypt("name", cipher.encrypt("name", "Esperance"))


def test_wrapped_key_needs_its_master_key_and_owner() -> None:
    ring = keyring_parse(f"k1:{_key()}")
    other = keyring_parse(f"k1:{_key()}")
    plain = crypto.new_data_key()
    key_id, wrapped = crypto.wrap_data_key(plain, owner="owner-1", ring=ring)
    assert crypto.unwrap_data_key(wrapped, key_id=key_id, owner="owner-1", ring=ring) == plain
    with pytest.raises(DecryptionError):
        crypto.unwrap_data_key(wrapped, key_id=key_id, owner="owner-1", ring=other)
    with pytest.raises(DecryptionError):
        crypto.unwrap_data_key(wrapped, key_id=key_id, owner="owner-2", ring=ring)
    with pytest.raises(DecryptionError, match="not configured"):
        crypto.unwrap_data_key(wrapped, key_id="k9", owner="owner-1", ring=ring)


def test_keyring_first_key_is_active() -> None:
    ring = keyring_parse(f"new:{_key()}, old:{_key()}")
    assert isinstance(ring, Keyring)
    assert ring.active_id == "new"
    assert set(ring.keys) == {"new", "old"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "at least one"),
        ("nokey", "'id:key'"),
        ("bad id:" + "A" * 43, "'id:key'"),
        ("k1:not-base64!!", "not base64|32 bytes"),
        ("k1:" + base64.urlsafe_b64encode(b"short").decode(), "32 bytes"),
        ("k1:{k},k1:{k}", "appears twice"),
    ],
)
def test_keyring_refuses_bad_config(raw: str, message: str) -> None:
    raw = raw.replace("{k}", _key())
    with pytest.raises(ImproperlyConfigured, match=message):
        keyring_parse(raw)

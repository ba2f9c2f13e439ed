"""Envelope encryption of survivor data with AES-256-GCM (DESIGN §5).

- Master keys come from the environment (`CRSV_MASTER_KEYS` = `id:key,id:key`, the first one
  active; `CRSV_MASTER_KEYS_FILE` works too). Never `SECRET_KEY`, never the database.
- Each protected record has its own random 256-bit data key (`crsv.keys.models.DataKey`), stored
  only wrapped (encrypted) by a master key, with that key's id: rotating a master key re-wraps
  data keys and touches no field ciphertext.
- Every ciphertext starts with a version byte and is bound by associated data to its table, field
  and row, so a ciphertext copied to another row or field fails to decrypt.
- Any failure to decrypt raises `DecryptionError`; nothing here ever returns ciphertext, an empty
  string or None in place of a value it could not read.

Model fields use one idiom: an `EncryptedField` descriptor (`EncryptedText`, `EncryptedDecimal`,
`EncryptedBytes`) bound to its column, its field name and the row's public id, e.g.
`narrative = EncryptedText("narrative_ct", key="data_key")`. The service that writes a row
provisions its data key explicitly (`crsv.keys.services.data_key_provision`); an assignment
never writes to the database or creates a key.

Ciphertext layout: version (1 byte) | nonce (12 bytes) | AES-GCM ciphertext and tag. The
plaintext is a presence byte (0 = None, 1 = a string) followed by the UTF-8 text, so `None` and
`""` stay distinct.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Generic, Protocol, TypeVar, cast, overload

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

VERSION = 1
_NONCE = 12
_KEY_BYTES = 32
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class DecryptionError(Exception):
    """A ciphertext could not be decrypted: tampered, moved, erased, or its key is unknown."""


@dataclass(frozen=True)
class Keyring:
    """The master keys by id; `active_id` wraps new data keys."""

    keys: dict[str, bytes]
    active_id: str

    @property
    def active(self) -> bytes:
        return self.keys[self.active_id]


def keyring_parse(raw: str) -> Keyring:
    """Parse `id:key,id:key` (keys: 32 bytes, URL-safe base64). Raises ImproperlyConfigured."""
    keys: dict[str, bytes] = {}
    for entry in [e.strip() for e in raw.split(",") if e.strip()]:
        key_id, sep, encoded = entry.partition(":")
        if not sep or not _KEY_ID.match(key_id):
            raise ImproperlyConfigured(
                "CRSV_MASTER_KEYS entries must be 'id:key' with an id of letters, digits, - or _."
            )
        try:
            key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError) as exc:
            raise ImproperlyConfigured(f"CRSV_MASTER_KEYS: key {key_id!r} is not base64.") from exc
        if len(key) != _KEY_BYTES:
            raise ImproperlyConfigured(f"CRSV_MASTER_KEYS: key {key_id!r} must be 32 bytes.")
        if key_id in keys:
            raise ImproperlyConfigured(f"CRSV_MASTER_KEYS: key id {key_id!r} appears twice.")
        keys[key_id] = key
    if not keys:
        raise ImproperlyConfigured("CRSV_MASTER_KEYS must hold at least one 'id:key' entry.")
    return Keyring(keys=keys, active_id=next(iter(keys)))


@lru_cache(maxsize=1)
def keyring() -> Keyring:
    return keyring_parse(settings.CRSV_MASTER_KEYS)


@receiver(setting_changed)
def _forget_keyring(setting: str, **kwargs: object) -> None:
    if setting == "CRSV_MASTER_KEYS":
        keyring.cache_clear()


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def _seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(_NONCE)
    return bytes([VERSION]) + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _open(key: bytes, blob: bytes | memoryview | None, aad: bytes) -> bytes:
    return _open_with(AESGCM(key), blob, aad)


def _open_with(cipher: AESGCM, blob: bytes | memoryview | None, aad: bytes) -> bytes:
    if blob is None:
        raise DecryptionError("no ciphertext")
    data = bytes(blob)
    if len(data) < 1 + _NONCE + 16 or data[0] != VERSION:
        raise DecryptionError("malformed ciphertext or unknown version")
    try:
        return cipher.decrypt(data[1 : 1 + _NONCE], data[1 + _NONCE :], aad)
    except InvalidTag as exc:
        raise DecryptionError("ciphertext does not authenticate") from exc


def _wrap_aad(owner: str) -> bytes:
    return f"crsv-data-key|{owner}".encode()


def wrap_data_key(data_key: bytes, *, owner: str, ring: Keyring | None = None) -> tuple[str, bytes]:
    """Wrap `data_key` under the active master key; bound to `owner` (the DataKey's public id)."""
    ring = ring or keyring()
    return ring.active_id, _seal(ring.active, data_key, _wrap_aad(owner))


def unwrap_data_key(
    wrapped: bytes | memoryview | None, *, key_id: str, owner: str, ring: Keyring | None = None
) -> bytes:
    ring = ring or keyring()
    master = ring.keys.get(key_id)
    if master is None:
        raise DecryptionError(f"master key {key_id!r} is not configured")
    return _open(master, wrapped, _wrap_aad(owner))


def _field_aad(table: str, field: str, row: str) -> bytes:
    return f"{table}|{field}|{row}".encode()


def encrypt_value(value: str | None, *, key: bytes, table: str, field: str, row: str) -> bytes:
    """Encrypt one field value, bound to its table, field and row (the row's public id)."""
    payload = b"\x00" if value is None else b"\x01" + value.encode("utf-8")
    return _seal(key, payload, _field_aad(table, field, row))


def decrypt_value(
    blob: bytes | memoryview | None, *, key: bytes, table: str, field: str, row: str
) -> str | None:
    return _payload_text(_open(key, blob, _field_aad(table, field, row)))


def _payload_text(payload: bytes) -> str | None:
    if payload == b"\x00":
        return None
    if payload[:1] != b"\x01":
        raise DecryptionError("unknown payload marker")
    return payload[1:].decode("utf-8")


class FieldCipher:
    """Encrypts and decrypts the fields of one row with a given (unwrapped) key: the primitive
    under `EncryptedField`, for code that holds a plain key (data migrations, tests).

    Made per request for the rows it shows; it is never cached, so no plaintext key outlives
    the request that needed it.
    """

    def __init__(self, *, key: bytes, table: str, row: str) -> None:
        self._key = key
        self._table = table
        self._row = row

    def encrypt(self, field: str, value: str | None) -> bytes:
        return encrypt_value(value, key=self._key, table=self._table, field=field, row=self._row)

    def decrypt(self, field: str, blob: bytes | memoryview | None) -> str | None:
        return decrypt_value(blob, key=self._key, table=self._table, field=field, row=self._row)


# --- The one idiom for encrypted model fields ------------------------------------------------


class DataKeyMissing(RuntimeError):
    """A programming error: a value was assigned to an encrypted field of a row whose data key
    was never provisioned. The service that writes the row provisions it first
    (`crsv.keys.services.data_key_provision`); an attribute assignment never creates a key."""


@dataclass(frozen=True, slots=True)
class Sealed:
    """One encrypted field of one row as stored, read as values rather than through a model
    instance (the 50 names of a list page): the ciphertext, the row's public id (bound into its
    associated data) and the row's `DataKey` as stored (wrapped by the master key `key_id`,
    bound to the key's own public id `key_owner`; `wrapped_key` is None once destroyed). It
    holds no plaintext: `EncryptedField.decrypt_many` opens it."""

    blob: bytes | memoryview | None = dataclasses.field(repr=False)
    row: str
    key_owner: str
    key_id: str
    wrapped_key: bytes | memoryview | None = dataclasses.field(repr=False)


class _UnwrapsToKey(Protocol):
    def unwrap(self) -> bytes: ...


T = TypeVar("T")


class EncryptedField(property, Generic[T]):
    """A model attribute stored only as AES-256-GCM ciphertext in the BinaryField `column`,
    under the row's data key, bound to its table, field and row (associated data
    `table|field|public_id`).

    `key` is the attribute path from the row to its `DataKey`: `"data_key"` for a row that owns
    its key, `"incident.data_key"` for one encrypted under its parent's key.

    - Reading decrypts; any failure (tampered, moved, erased, no data key) raises
      `DecryptionError`: never the ciphertext, never an empty value in place of one it cannot read.
    - Assigning encrypts in memory with the data key already on the row; it writes nothing to the
      database and creates no key (a row without one raises `DataKeyMissing`).
    - `null=True`: a NULL column is the empty value (`""` or None), and assigning the empty
      value stores NULL without touching a key (so a display instance can be blanked).
      `null=False`: every value is encrypted, the empty one too, and a NULL column raises.

    A subclass of `property` so that Django's model constructor accepts it as a keyword.
    """

    empty: T

    def __init__(self, column: str, *, key: str, null: bool = True) -> None:
        super().__init__()
        self.column = column
        self.key_path = tuple(key.split("."))
        self.null = null
        self.field = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.field = name

    def _encode(self, value: T) -> str:
        raise NotImplementedError

    def _decode(self, text: str) -> T:
        raise NotImplementedError

    def _data_key(self, instance: Any) -> _UnwrapsToKey | None:
        owner = instance
        for name in self.key_path:
            owner = getattr(owner, name)
            if owner is None:
                return None
        return cast(_UnwrapsToKey, owner)

    def _aad(self, instance: Any) -> dict[str, str]:
        return {"table": instance._meta.db_table, "field": self.field, "row": str(instance.public_id)}

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> EncryptedField[T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> EncryptedField[T] | T:
        if instance is None:
            return self
        blob = getattr(instance, self.column)
        if blob is None:
            if self.null:
                return self.empty
            raise DecryptionError(f"no ciphertext for {self.field}")
        data_key = self._data_key(instance)
        if data_key is None:
            raise DecryptionError(f"the row holding {self.field} has no data key")
        text = decrypt_value(blob, key=data_key.unwrap(), **self._aad(instance))
        return self.empty if text is None else self._decode(text)

    def decrypt_many(
        self, model: type[Any], sealed: Sequence[Sealed], *, ring: Keyring | None = None
    ) -> list[T]:
        """What reading this field gives on each of the rows of `model` read as values (`Sealed`):
        the same associated data, the same empty value, the same `DecryptionError` on any
        failure. For a page of rows: each master key's cipher is made once for the call, each
        data key is unwrapped for its own row only, and no plaintext key outlives the call."""
        ring = ring or keyring()
        table = model._meta.db_table
        masters: dict[str, AESGCM] = {}
        values: list[T] = []
        for item in sealed:
            if item.blob is None:
                if not self.null:
                    raise DecryptionError(f"no ciphertext for {self.field}")
                values.append(self.empty)
                continue
            if item.wrapped_key is None:
                raise DecryptionError("the data key was destroyed (record erased)")
            master = masters.get(item.key_id)
            if master is None:
                if item.key_id not in ring.keys:
                    raise DecryptionError(f"master key {item.key_id!r} is not configured")
                master = masters[item.key_id] = AESGCM(ring.keys[item.key_id])
            data_key = _open_with(master, item.wrapped_key, _wrap_aad(item.key_owner))
            text = _payload_text(_open(data_key, item.blob, _field_aad(table, self.field, item.row)))
            values.append(self.empty if text is None else self._decode(text))
        return values

    def __set__(self, instance: object, value: T) -> None:
        if self.null and (value is None or value == self.empty):
            setattr(instance, self.column, None)
            return
        if value is None:
            raise TypeError(f"{self.field} cannot be None")
        data_key = self._data_key(instance)
        if data_key is None:
            raise DataKeyMissing(
                f"{type(instance).__name__}.{self.field} was assigned before the row had a data key: "
                "provision it in the service (crsv.keys.services.data_key_provision)."
            )
        blob = encrypt_value(self._encode(value), key=data_key.unwrap(), **self._aad(instance))
        setattr(instance, self.column, blob)

    def __delete__(self, instance: object) -> None:
        raise AttributeError(f"{self.field} cannot be deleted")


class EncryptedText(EncryptedField[str]):
    """Text; the empty value is `""`."""

    empty = ""

    def _encode(self, value: str) -> str:
        return value

    def _decode(self, text: str) -> str:
        return text


class EncryptedDecimal(EncryptedField["Decimal | None"]):
    """A decimal (exact coordinates); the empty value is None. A value that fits `places`
    decimal places is stored with exactly that many (as a DecimalField column would show it);
    one that does not is stored as given, so validation sees it and refuses it."""

    empty = None

    def __init__(self, column: str, *, key: str, places: int, null: bool = True) -> None:
        super().__init__(column, key=key, null=null)
        self.exponent = Decimal(1).scaleb(-places)

    def _encode(self, value: Decimal | None) -> str:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        try:
            fixed = number.quantize(self.exponent)
        except InvalidOperation:
            return str(number)
        return str(fixed if fixed == number else number)

    def _decode(self, text: str) -> Decimal | None:
        return Decimal(text)


class EncryptedBytes(EncryptedField[bytes]):
    """Raw bytes (a TOTP secret), stored as hex text inside the ciphertext; empty is `b""`."""

    empty = b""

    def _encode(self, value: bytes) -> str:
        return bytes(value).hex()

    def _decode(self, text: str) -> bytes:
        return bytes.fromhex(text)

"""The identifying part of a case, in plaintext: exists only inside the request showing it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from survivors.models import ENCRYPTED_FIELDS, Survivor


@dataclass(frozen=True)
class SurvivorIdentity:
    name: str = ""
    date_of_birth: str = ""  # ISO date, or empty; kept as text so partial dates are possible
    phone: str = ""
    address: str = ""
    caregiver: str = ""
    safe_contact_method: str = ""
    safe_contact_times: str = ""
    notes: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    def __repr__(self) -> str:
        # Never let a value reach a traceback, a log line or an error report through repr().
        return "SurvivorIdentity(<redacted>)"


assert tuple(f.name for f in fields(SurvivorIdentity)) == ENCRYPTED_FIELDS

TABLE = Survivor._meta.db_table


def identity_encrypt(survivor: Survivor, identity: SurvivorIdentity, key: bytes) -> None:
    """Set every `<field>_ct` of `survivor` from `identity`, under the survivor's data key."""
    from crsv.crypto import FieldCipher

    cipher = FieldCipher(key=key, table=TABLE, row=str(survivor.public_id))
    for name, value in identity.as_dict().items():
        setattr(survivor, f"{name}_ct", cipher.encrypt(name, value))


def identity_decrypt(survivor: Survivor) -> SurvivorIdentity:
    """Decrypt every identifying field; raises DecryptionError if any fails (or was erased)."""
    cipher = survivor.data_key.cipher(table=TABLE, row=str(survivor.public_id))
    return SurvivorIdentity(
        **{name: cipher.decrypt(name, getattr(survivor, f"{name}_ct")) or "" for name in ENCRYPTED_FIELDS}
    )


def name_decrypt(survivor: Survivor) -> str:
    """Only the name (for lists): one field, not eight."""
    cipher = survivor.data_key.cipher(table=TABLE, row=str(survivor.public_id))
    return cipher.decrypt("name", survivor.name_ct) or ""

"""The identifying part of a case, in plaintext: exists only inside the request showing it.

The encryption itself is the model's (`Survivor.name` and the other `EncryptedText` fields);
this dataclass only carries the eight values together between forms, services and pages."""

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

    @classmethod
    def of(cls, survivor: Survivor) -> SurvivorIdentity:
        """Every identifying field of `survivor`, decrypted (its `EncryptedText` fields); raises
        DecryptionError if any fails (or the case was erased). Callers that show the values go
        through `survivors.selectors`, which records the access."""
        return cls(**{name: getattr(survivor, name) for name in ENCRYPTED_FIELDS})

    def write_to(self, survivor: Survivor) -> None:
        """Encrypt every field onto `survivor`, under the data key its service provisioned."""
        for name, value in self.as_dict().items():
            setattr(survivor, name, value)

    def __repr__(self) -> str:
        # Never let a value reach a traceback, a log line or an error report through repr().
        return "SurvivorIdentity(<redacted>)"


assert tuple(f.name for f in fields(SurvivorIdentity)) == ENCRYPTED_FIELDS

"""The file an identifiable export delivers: one CSV in a zip encrypted with WinZip AES-256
(`pyzipper`), built in memory and never written to disk; and its one-time password.

Every cell goes through `crsv.spreadsheets.csv_cell`, so a value starting with `= + - @` (or a
tab or a carriage return) reaches a spreadsheet as text, never as a formula. The columns are
stable identifiers, not translated: the receiving organisation's tools read them.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pyzipper  # type: ignore[import-untyped]  # ships no type information

from crsv.spreadsheets import csv_cell
from survivors.identity import SurvivorIdentity
from survivors.models import Consent

COLUMNS = (
    "case_code",
    "name",
    "date_of_birth",
    "phone",
    "address",
    "safe_contact_method",
    "safe_contact_times",
    "consent_purpose",
    "consent_recipient",
    "consent_id",
    "consent_given_at",
    "consent_expires_at",
)
CSV_NAME = "cases.csv"
# Letters and digits without the look-alikes (0/O, 1/l/I): read off a screen, typed elsewhere.
_PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
PASSWORD_LENGTH = 24  # ~140 bits from `secrets`


@dataclass(frozen=True)
class ExportRow:
    """One included case as exported: its code, identity and the grant relied on."""

    code: str
    identity: SurvivorIdentity
    consent: Consent

    def __repr__(self) -> str:
        return f"ExportRow({self.code}, <redacted>)"


def password_new() -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def password_digest(password: str) -> str:
    """What is kept of the password shown, until the download: its SHA-256 (a random
    140-bit password needs no slow hash)."""
    return hashlib.sha256(password.encode("utf-8")).hexdigest()


def password_matches(password: str, digest: str) -> bool:
    return bool(digest) and hmac.compare_digest(password_digest(password), digest)


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def csv_bytes(rows: Sequence[ExportRow]) -> bytes:
    """The CSV (UTF-8 with a byte order mark, so spreadsheets read accents right)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        identity, consent = row.identity, row.consent
        values = (
            row.code,
            identity.name,
            identity.date_of_birth,
            identity.phone,
            identity.address,
            identity.safe_contact_method,
            identity.safe_contact_times,
            consent.purpose,
            consent.organisation,
            consent.public_id,
            _when(consent.given_at),
            _when(consent.expires_at),
        )
        writer.writerow([csv_cell(value) for value in values])
    return text.getvalue().encode("utf-8-sig")


def zip_bytes(rows: Sequence[ExportRow], *, password: str) -> bytes:
    """The encrypted zip holding the CSV, in memory."""
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(
        buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(password.encode("utf-8"))
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        archive.writestr(CSV_NAME, csv_bytes(rows))
    return buffer.getvalue()

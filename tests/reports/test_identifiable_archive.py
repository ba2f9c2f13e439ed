"""The file of an identifiable export: a WinZip AES-256 zip that opens with its password and not
without, holding a CSV whose cells a spreadsheet never runs."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime

import pytest
import pyzipper

from reports.identifiable import archive
from survivors.identity import SurvivorIdentity
from survivors.models import Consent


def csv_of(content: bytes, password: str) -> list[dict[str, str]]:
    """The CSV rows of an export's zip, opened with `password`."""
    with pyzipper.AESZipFile(io.BytesIO(content)) as opened:
        opened.setpassword(password.encode())
        assert opened.namelist() == [archive.CSV_NAME]
        text = opened.read(archive.CSV_NAME).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _row(code: str = "S-2345-6789", **identity: str) -> archive.ExportRow:
    consent = Consent(
        purpose=Consent.Purpose.SHARE_IDENTIFIABLE,
        organisation="HEAL Africa",
        given_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    )
    return archive.ExportRow(code=code, identity=SurvivorIdentity(**identity), consent=consent)


def test_the_zip_opens_with_its_password_and_not_without() -> None:
    password = archive.password_new()
    content = archive.zip_bytes([_row(name="Furaha Mapendo", phone="+243 970 000 002")], password=password)
    rows = csv_of(content, password)
    assert rows[0]["name"] == "Furaha Mapendo" and rows[0]["phone"] == "'+243 970 000 002"
    assert rows[0]["consent_recipient"] == "HEAL Africa"
    assert rows[0]["consent_given_at"] == "2026-03-01T09:30Z"
    assert b"Furaha" not in content  # encrypted, and not merely deflated
    with pyzipper.AESZipFile(io.BytesIO(content)) as opened, pytest.raises(RuntimeError, match="password"):
        opened.read(archive.CSV_NAME)
    with (
        pyzipper.AESZipFile(io.BytesIO(content)) as opened,
        pytest.raises(RuntimeError, match=r"(?i)bad password"),
    ):
        opened.setpassword(archive.password_new().encode())
        opened.read(archive.CSV_NAME)


def test_the_zip_is_winzip_aes_256() -> None:
    content = archive.zip_bytes([_row(name="A")], password=archive.password_new())
    with zipfile.ZipFile(io.BytesIO(content)) as plain:
        (info,) = plain.infolist()
    assert info.compress_type == 99  # the WinZip AES method
    assert info.flag_bits & 0x1  # encrypted
    # The AES extra field (0x9901): vendor "AE", strength 3 = AES-256.
    extra = info.extra
    at = extra.find(b"\x01\x99")
    assert at >= 0 and extra[at + 6 : at + 8] == b"AE" and extra[at + 8] == 3


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_cells_are_escaped(start: str) -> None:
    password = archive.password_new()
    value = f'{start}HYPERLINK("http://x")'
    content = archive.zip_bytes(
        [_row(name=value, address=value, phone="+243 970 000 003")], password=password
    )
    (row,) = csv_of(content, password)
    assert row["name"] == "'" + value
    assert row["address"] == "'" + value
    assert row["phone"] == "'+243 970 000 003"  # a phone number starting with + is escaped too
    assert row["case_code"] == "S-2345-6789"


def test_passwords_are_long_random_and_unambiguous() -> None:
    passwords = {archive.password_new() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert len(password) >= 20
        assert not set(password) & set("0O1lI")
        assert password.isalnum()
    digest = archive.password_digest("x" * 24)
    assert archive.password_matches("x" * 24, digest)
    assert not archive.password_matches("y" * 24, digest)
    assert not archive.password_matches("x" * 24, "")


def test_an_export_row_never_shows_its_values() -> None:
    assert "Furaha" not in repr(_row(name="Furaha"))

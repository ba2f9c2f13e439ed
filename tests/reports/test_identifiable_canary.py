"""A survivor with a canary name goes through a whole identifiable export on the pages: her
name, phone and address reach the zip (the positive control) and nothing else: no audit row, no
access event, no log line, no page, no export row, no response header."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

import pytest
from django.test import Client

from crsv.accounts.models import User
from crsv.audit.models import AccessEvent, AuditEvent
from referrals.models import ServiceProvider
from reports.identifiable.models import IdentifiableExport, IdentifiableExportCase
from tests.reports import identifiable_world as world
from tests.reports.identifiable_world import case_of, share
from tests.reports.test_identifiable_archive import csv_of

hospital = world.hospital
CANARY_NAME = "Kanarie Zawadi-Q7X"
CANARY_PHONE = "+243 970 777 313"
CANARY_ADDRESS = "Kanarie-Q7X hill, behind the market"
CANARIES = ("Kanarie", "Q7X", "777 313")

pytestmark = pytest.mark.django_db


def _leaks(text: str) -> list[str]:
    return [canary for canary in CANARIES if canary.lower() in text.lower()]


def test_the_canary_reaches_the_zip_and_nothing_else(
    wpa: User,
    senior_wpa: User,
    hospital: ServiceProvider,
    login: Callable[[User], Client],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    survivor = case_of(wpa, name=CANARY_NAME, phone=CANARY_PHONE, address=CANARY_ADDRESS)
    share(wpa, survivor, hospital)
    pages: list[str] = []

    client = login(wpa)
    response = client.post(
        "/reports/identifiable/new/",
        {
            "recipient": "provider",
            "provider": str(hospital.public_id),
            "survivor_codes": survivor.code,
            "reason": world.REASON,
        },
    )
    assert response.status_code == 302
    export = IdentifiableExport.objects.get()
    pages += [client.get(url).content.decode() for url in ("/reports/identifiable/", response["Location"])]

    client = login(senior_wpa)
    pages.append(client.get(f"/reports/identifiable/{export.public_id}/").content.decode())
    assert client.post(f"/reports/identifiable/{export.public_id}/approve/").status_code == 302
    pages.append(client.get("/reports/identifiable/").content.decode())

    client = login(wpa)
    prepared = client.post(f"/reports/identifiable/{export.public_id}/prepare/")
    assert prepared.status_code == 200
    assert "no-store" in prepared["Cache-Control"]
    password = prepared.context["password"]
    assert password in prepared.content.decode()
    pages.append(prepared.content.decode())
    downloaded = client.post(f"/reports/identifiable/{export.public_id}/download/", {"password": password})
    assert downloaded.status_code == 200
    assert downloaded["Content-Type"] == "application/zip"
    assert "no-store" in downloaded["Cache-Control"]
    assert "attachment" in downloaded["Content-Disposition"]
    content = b"".join(downloaded.streaming_content)  # type: ignore[attr-defined]

    # The positive control: the file holds her identity, under the password shown once.
    (row,) = csv_of(content, password)
    assert (row["case_code"], row["name"], row["address"]) == (survivor.code, CANARY_NAME, CANARY_ADDRESS)
    assert row["phone"] == "'" + CANARY_PHONE  # starts with +: escaped as text
    assert row["consent_purpose"] == "share_identifiable" and row["consent_recipient"] == "HEAL Africa"
    assert not _leaks(content.decode("latin-1"))  # encrypted, not merely zipped

    # Nothing else holds a trace of her.
    audit = [str(values) for values in AuditEvent.objects.values()]
    access = [str(values) for values in AccessEvent.objects.values()]
    exports = [str(values) for values in IdentifiableExport.objects.values()]
    exports += [str(values) for values in IdentifiableExportCase.objects.values()]
    headers = [str(dict(r.items())) for r in (response, prepared, downloaded)]
    for place, texts in {
        "audit": audit,
        "access": access,
        "exports": exports,
        "pages": pages,
        "headers": headers,
        "logs": [caplog.text],
    }.items():
        leaked = [leak for text in texts for leak in _leaks(text)]
        assert not leaked, f"{place}: {leaked}"
    # Nor the password, once shown.
    assert not any(password in text for text in audit + exports + [caplog.text])

    # What the trail does say: each step, of this export, with counts; the read of her data
    # as one access event of kind export, by the requester.
    steps = AuditEvent.objects.filter(action__startswith="identifiable_export.").order_by("id")
    assert [(e.action, e.object_public_id, e.actor) for e in steps] == [
        ("identifiable_export.requested", export.public_id, wpa),
        ("identifiable_export.approved", export.public_id, senior_wpa),
        ("identifiable_export.downloaded", export.public_id, wpa),
    ]
    assert steps.last().changes == {"cases_exported": 1, "cases_excluded": 0}  # type: ignore[union-attr]
    exported = AccessEvent.objects.filter(kind=AccessEvent.Kind.EXPORT)
    assert [(e.survivor_public_id, e.actor) for e in exported] == [(survivor.public_id, wpa)]
    assert io.BytesIO(content).getbuffer().nbytes == int(downloaded["Content-Length"])

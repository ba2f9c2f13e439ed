"""Canary test: survivor values written through every path turn up nowhere but as ciphertext.

Searched: every text, bytea and json column of every table, the decoded sessions, every Redis key
and value (base64-decoded too), the log output, and PostgreSQL's server log.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from crsv.accounts.models import FieldOffice, User
from survivors.models import ConsentText, Survivor
from tests.security.canary import leaks, pg_log_size

pytestmark = pytest.mark.django_db

FIELDS = ("name", "phone", "address", "caregiver", "safe_contact_method", "safe_contact_times", "notes")


@pytest.fixture
def canaries() -> dict[str, str]:
    return {field: f"CANARY{uuid.uuid4().hex[:12]}{field.upper()}" for field in FIELDS}


def test_no_survivor_value_leaks_through_pages(
    login: Callable[[User], Client],
    wpa: User,
    senior_wpa: User,
    office: FieldOffice,
    canaries: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    settings: Any,
) -> None:
    caplog.set_level(logging.DEBUG)
    pg_offset = pg_log_size()
    text = ConsentText.objects.get(version="1.0", language="fr")
    client = login(wpa)
    form = {
        "field_office": office.pk,
        "date_of_birth": "2001-02-03",
        "sex": "female",
        "age": "",
        "age_band": "18-25",
        "disability": "none",
        "displacement_status": "idp",
        "interview_count": "1",
        "consent-purposes": ["case_management"],
        "consent-given_by": "survivor",
        "consent-method": "written",
        "consent-explained_in": "fr",
        "consent-consent_text": text.pk,
        **canaries,
    }
    # A rejected submission first (bad age): the values come back in the form only.
    rejected = client.post(reverse("survivors:create"), {**form, "age": "999"})
    assert rejected.status_code == 200
    assert canaries["name"] in rejected.content.decode()
    # Then the real one, and every page that shows or edits the case.
    created = client.post(reverse("survivors:create"), form)
    assert created.status_code == 302
    survivor = Survivor.objects.get()
    detail = client.get(reverse("survivors:detail", args=[survivor.public_id]))
    assert canaries["notes"] in detail.content.decode()
    assert canaries["name"] in client.get(reverse("survivors:list")).content.decode()
    client.get(reverse("survivors:edit", args=[survivor.public_id]))
    client.post(reverse("survivors:edit", args=[survivor.public_id]), {**form, "age": "-5"})
    # A senior WPA browsing the mission's cases.
    login(senior_wpa).get(reverse("survivors:list"))

    captured = capsys.readouterr()
    logs = caplog.text + captured.out + captured.err
    assert leaks(list(canaries.values()), logs=logs, pg_log_offset=pg_offset) == []


def test_the_search_finds_a_planted_leak(
    make_survivor: Callable[..., Survivor],
    wpa: User,
    canaries: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The search itself must be able to fail: plant a canary in a plain column and in a log."""
    from django.core.cache import cache

    survivor = make_survivor(wpa)
    planted = canaries["name"]
    Survivor.objects.filter(pk=survivor.pk).update(name_ct=f"x{planted}x".encode())
    cache.set("planted", planted)
    logging.getLogger("planted").warning("value %s", canaries["phone"])
    found = leaks([planted, canaries["phone"]], logs=caplog.text)
    assert any(hit.startswith("database survivors_survivor.name_ct") for hit in found)
    assert any(hit.startswith("redis") for hit in found)
    assert any(hit.startswith("log output") for hit in found)


def test_no_narrative_or_reason_leaks(
    wpa: User,
    senior_wpa: User,
    reporter: User,
    make_survivor: Callable[..., Survivor],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Narratives, review reasons and break-glass reasons hold canaries; none may surface."""
    from incidents import services as incidents
    from incidents.services.inputs import ViolationData
    from survivors.services import survivor_break_glass
    from tests.incidents.factories import LocationFactory, complete_fields

    caplog.set_level(logging.DEBUG)
    pg_offset = pg_log_size()
    marks = {
        k: f"CANARY{uuid.uuid4().hex[:12]}{k.upper()}" for k in ("narrative", "return", "reopen", "glass")
    }
    location = LocationFactory()
    fields = complete_fields(
        reporter=reporter, location=location, narrative=f"Narrative {marks['narrative']}"
    )
    incident = incidents.incident_create(actor=reporter, violations=[ViolationData(form="rape")], **fields)
    incident = incidents.incident_submit(actor=reporter, incident=incident)
    incident = incidents.incident_return(actor=wpa, incident=incident, reason=f"Because {marks['return']}")
    incident = incidents.incident_submit(actor=reporter, incident=incident)
    incident = incidents.incident_assign(actor=wpa, incident=incident, assignee=wpa)
    from tests.incidents.factories import office_today

    incident = incidents.incident_verify(
        actor=wpa,
        incident=incident,
        outcome="verified",
        method="survivor_interview",
        verified_on=office_today(reporter),
    )
    incidents.incident_reopen(actor=senior_wpa, incident=incident, reason=f"Reopen {marks['reopen']}")
    case = make_survivor(wpa)
    survivor_break_glass(actor=senior_wpa, survivor=case, reason=f"Urgent check {marks['glass']}")

    captured = capsys.readouterr()
    logs = caplog.text + captured.out + captured.err
    assert leaks(list(marks.values()), logs=logs, pg_log_offset=pg_offset) == []


def test_no_perpetrator_identification_point_or_totp_secret_leaks(
    login: Callable[[User], Client],
    reporter: User,
    wpa: User,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """What a pg_dump showed in clear before issue 9 (perpetrators' unit, commander and names,
    the exact point, TOTP secrets) holds canaries, written and shown through the real paths;
    none may surface in any column of any table, in Redis or in a log."""
    import base64
    from decimal import Decimal

    from crsv.accounts import two_factor
    from incidents import services as incidents
    from incidents.services.inputs import PerpetratorData, ViolationData
    from tests.incidents.factories import LocationFactory, complete_fields

    caplog.set_level(logging.DEBUG)
    pg_offset = pg_log_size()
    marks = {k: f"CANARY{uuid.uuid4().hex[:12]}{k.upper()}" for k in ("names", "unit", "commander")}
    # Coordinates are numbers: canaries of seven significant digits no fixture uses.
    point = {"latitude": Decimal("-3.141592"), "longitude": Decimal("27.182818")}
    fields = complete_fields(reporter=reporter, location=LocationFactory(), **point)
    incident = incidents.incident_create(
        actor=reporter,
        violations=[ViolationData(form="rape")],
        perpetrators=[
            PerpetratorData(
                category="non_state_armed_group",
                names=marks["names"],
                unit=marks["unit"],
                commander=marks["commander"],
            )
        ],
        **fields,
    )
    incident = incidents.incident_submit(actor=reporter, incident=incident)
    page = login(reporter).get(reverse("incidents:detail", args=[incident.public_id]))
    assert marks["commander"] in page.content.decode() and "-3.141592" in page.content.decode()
    # An authenticator enrolled through the page, and one made for the demo.
    client = Client()
    client.force_login(wpa)
    client.get(reverse("accounts:two_factor_setup"))
    secrets = [two_factor.enrolment_start(user=wpa).bin_key]
    secrets.append(two_factor.demo_device_ensure(user=reporter).bin_key)
    secret_texts = [s.hex() for s in secrets] + [base64.b32encode(s).decode().rstrip("=") for s in secrets]

    captured = capsys.readouterr()
    logs = caplog.text + captured.out + captured.err
    canaries = [*marks.values(), "3.141592", "27.182818", *secret_texts]
    assert leaks(canaries, logs=logs, pg_log_offset=pg_offset) == []

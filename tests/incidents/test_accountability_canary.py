"""Canary test of the justice and accountability notes (issue 13 item 6): notes written through
the page, the API and the service, refused ones included, turn up nowhere in clear: not in any
text, bytea or json column of any table (what a pg_dump holds), nor in the audit rows, the
sessions, Redis, the log output or PostgreSQL's log; and never in what an analyst receives."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from crsv.accounts.models import User
from crsv.audit.models import AuditEvent
from incidents.models import AccountabilityStep, Incident
from incidents.services.accountability import accountability_step_record
from tests.incidents.test_api_common import as_user, detail_url
from tests.security.canary import leaks, pg_log_size

pytestmark = pytest.mark.django_db


def _canary(where: str) -> str:
    return f"CANARY{uuid.uuid4().hex[:12]}{where.upper()}"


def test_no_note_leaks_in_clear(
    login: Callable[[User], Client],
    api_client: Any,
    make_incident: Callable[..., Incident],
    reporter: User,
    wpa: User,
    senior_wpa: User,
    analyst: User,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    pg_offset = pg_log_size()
    canaries = {where: _canary(where) for where in ("page", "refused", "api", "apirefused", "service")}
    incident = make_incident("submitted", reporter=reporter)
    assert incident.incident_date_start is not None
    day = incident.incident_date_start.isoformat()
    page = reverse("incidents:accountability_record", args=[incident.public_id])
    api = f"{detail_url(incident)}accountability/"

    client = login(wpa)
    # Refused first (no court): the note comes back in the form only.
    refused = client.post(page, {"stage": "verdict", "occurred_on": day, "note": canaries["refused"]})
    assert refused.status_code == 200 and canaries["refused"] in refused.content.decode()
    done = client.post(page, {"stage": "arrest", "occurred_on": day, "note": canaries["page"]})
    assert done.status_code == 302
    as_api = as_user(api_client, senior_wpa)
    bad = as_api.post(
        api, {"stage": "arrest", "occurred_on": day, "note": canaries["apirefused"]}, format="json"
    )
    assert bad.status_code == 400 and canaries["apirefused"].encode() not in bad.content
    good = as_api.post(
        api,
        {"stage": "sentence", "court": "mobile", "occurred_on": day, "note": canaries["api"]},
        format="json",
    )
    assert good.status_code == 201 and good.json()["note"] == canaries["api"]
    accountability_step_record(
        actor=wpa, incident=incident, stage="reparations", occurred_on=incident.incident_date_start,
        note=canaries["service"],
    )  # fmt: skip

    # Those who read the narrative read the notes; the analyst never.
    detail = reverse("incidents:detail", args=[incident.public_id])
    shown = client.get(detail).content.decode()
    assert {canaries[w] for w in ("page", "api", "service")} <= {c for c in canaries.values() if c in shown}
    for response in (login(analyst).get(detail), as_user(api_client, analyst).get(api)):
        assert response.status_code == 200
        assert not [c for c in canaries.values() if c.encode() in response.content]
    # Removal keeps nothing either.
    removed = AccountabilityStep.objects.get(stage="arrest")
    remove = reverse("incidents:accountability_remove", args=[incident.public_id, removed.public_id])
    assert login(wpa).post(remove).status_code == 302  # `login` signs the one test client in again

    assert AccountabilityStep.objects.count() == 2
    assert AuditEvent.objects.filter(action__startswith="incident.accountability_").count() == 4
    captured = capsys.readouterr()
    logs = caplog.text + captured.out + captured.err
    assert leaks(list(canaries.values()), logs=logs, pg_log_offset=pg_offset) == []

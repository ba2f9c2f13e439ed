"""The exports page, its downloads and the API: thin adapters over `statistics_export` (issue 13
item 5). Field errors beside the fields with the input kept, 403 for other roles, the file's
headers (a safe name, no-store, streamed), and the audit row: kind, period, format, rows."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from crsv.audit.models import AuditEvent
from reports.exports import AUDIT_ACTION, statistics_export
from tests.reports import exports_world as w

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(reporter: Any, wpa: Any, office: Any, consent_text: Any) -> w.World:
    return w.world_build(reporter=reporter, wpa=wpa, office=office, consent_text=consent_text)


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_the_page_offers_a_form_and_a_download_per_export(login: Any, analyst: Any) -> None:
    response = login(analyst).get("/reports/exports/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'action="/reports/exports/download/"' in page and 'method="get"' in page
    for kind in ("gbvims", "mara", "sage", "cpas"):
        assert f"kind={kind}&amp;period=" in page
    assert "shown as “&lt;5”" in page, "the threshold setting, said on the page"
    assert "no-store" in response["Cache-Control"]


def test_a_download_is_a_streamed_attachment_with_a_safe_name_and_no_store(
    world: w.World, login: Any, analyst: Any
) -> None:
    period = w.period_of(analyst)
    response = login(analyst).get(
        "/reports/exports/download/", {"kind": "sage", "period": period, "format": "csv"}
    )
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == f'attachment; filename="crsv-sage-{period}.csv"'
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert b"Masisi" in _body(response)


def test_a_bad_period_comes_back_beside_its_field_with_the_input_kept(login: Any, analyst: Any) -> None:
    client = login(analyst)
    response = client.get(
        "/reports/exports/download/", {"kind": "mara", "period": "2026-03-01..2026-03-15", "format": "xlsx"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "is not a month (2026-03), a quarter (2026-Q1) or a year (2026)" in page
    assert 'value="2026-03-01..2026-03-15"' in page
    assert 'value="xlsx" ' in page and "checked" in page.split('value="xlsx"')[1].split(">")[0]
    assert not AuditEvent.objects.filter(action=AUDIT_ACTION).exists()
    missing = client.get("/reports/exports/download/", {"period": "2026"})
    assert missing.status_code == 400 and missing.content.decode().count("This field is required.") == 2


def test_a_period_not_over_yet_is_refused_beside_its_field(login: Any, analyst: Any) -> None:
    """Tables of an open period would be published again with other numbers: two versions
    subtracted could isolate a few cases. Only a period that has ended leaves the mission."""
    from django.utils import timezone

    client = login(analyst)
    for period in (timezone.localdate().strftime("%Y-%m"), str(timezone.localdate().year)):
        query = {"kind": "mara", "period": period, "format": "csv"}
        response = client.get("/reports/exports/download/", query)
        assert response.status_code == 400
        assert "is not over yet" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AUDIT_ACTION).exists()


def test_a_role_without_exports_gets_403_and_no_audit_row(login: Any, wpa: Any, reporter: Any) -> None:
    for user in (wpa, reporter):
        response = login(user).get(
            "/reports/exports/download/", {"kind": "mara", "period": "2026", "format": "csv"}
        )
        assert response.status_code == 403
        with pytest.raises(PermissionDenied):
            statistics_export(actor=user, kind="mara", period="2026", file_format="csv")
    assert not AuditEvent.objects.filter(action=AUDIT_ACTION).exists()


@pytest.mark.parametrize("kind", ["gbvims", "mara", "sage", "cpas"])
def test_every_export_is_audited_with_its_kind_period_format_and_rows_never_values(
    world: w.World, login: Any, analyst: Any, kind: str
) -> None:
    period = w.period_of(analyst)
    response = login(analyst).get(
        "/reports/exports/download/", {"kind": kind, "period": period, "format": "json"}
    )
    body = json.loads(_body(response))
    event = AuditEvent.objects.get(action=AUDIT_ACTION)
    assert event.actor == analyst and event.object_public_id is None
    rows = sum(len(table["rows"]) for table in body["tables"])
    assert event.changes == {"kind": kind, "period": period, "format": "json", "rows": rows}
    recorded = json.dumps(event.changes)
    for canary in [*world.never, "Masisi", "Nord-Kivu", "M23"]:
        assert canary not in recorded


def test_the_api_streams_json_and_csv_through_the_same_service(
    world: w.World, api_client: Any, analyst: Any
) -> None:
    from crsv.accounts.services import api_token_issue

    raw, _token = api_token_issue(user=analyst)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    period = w.period_of(analyst)
    as_json = api_client.get("/api/v1/reports/exports/sage/", {"period": period})
    assert as_json.status_code == 200 and as_json["Content-Type"] == "application/json"
    assert as_json["Cache-Control"] == "no-store"
    [row] = json.loads(_body(as_json))["tables"][0]["rows"]
    assert row["admin2_name"] == "Masisi"
    as_csv = api_client.get("/api/v1/reports/exports/gbvims/", {"period": period, "format": "csv"})
    assert as_csv.status_code == 200 and as_csv["Content-Type"] == "text/csv; charset=utf-8"
    content = _body(as_csv)
    assert b"incident_id,date_of_incident" in content
    for canary in world.never:
        assert canary.encode() not in content
    assert AuditEvent.objects.filter(action=AUDIT_ACTION).count() == 2


def test_the_api_answers_400_with_field_errors_and_403_to_other_roles(
    api_client: Any, analyst: Any, wpa: Any
) -> None:
    from crsv.accounts.services import api_token_issue

    raw, _token = api_token_issue(user=analyst)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    bad = api_client.get("/api/v1/reports/exports/narratives/", {"period": "2026-02-30", "format": "xlsx"})
    assert bad.status_code == 400
    assert set(bad.json()) == {"kind", "period", "format"}
    unknown = api_client.get("/api/v1/reports/exports/mara/", {"period": "2026", "since": "2026-01-01"})
    assert unknown.status_code == 400 and "since" in unknown.json()
    assert not AuditEvent.objects.filter(action=AUDIT_ACTION).exists()
    raw, _token = api_token_issue(user=wpa)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api_client.get("/api/v1/reports/exports/mara/", {"period": "2026"}).status_code == 403
    api_client.credentials()
    assert api_client.get("/api/v1/reports/exports/mara/", {"period": "2026"}).status_code == 401

"""Issue 13's journeys: the analyst opens the dashboard, filters to Ituri for the first half of
2026 and downloads the MARA tables; a senior WPA approves an identifiable export and its
requester opens the zip with the password shown once."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

import pytest
import pyzipper

from crsv.accounts.models import FieldOffice, User
from incidents.models import Location
from referrals.models import ServiceProvider
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD
from tests.incidents.factories import LocationFactory, incident_in_state
from tests.reports.identifiable_world import ask, case_of, share

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _places() -> tuple[Location, Location]:
    ituri = LocationFactory(pcode="CD54", name="Ituri", admin_level=1)
    djugu = LocationFactory(pcode="CD5401", name="Djugu", admin_level=2, parent=ituri)
    nord_kivu = LocationFactory(pcode="CD61", name="Nord-Kivu", admin_level=1)
    masisi = LocationFactory(pcode="CD6106", name="Masisi", admin_level=2, parent=nord_kivu)
    return djugu, masisi


def _incident(reporter: User, reviewer: User, place: Location, on: date, **fields: Any) -> None:
    incident_in_state(
        "submitted",
        reporter=reporter,
        reviewer=reviewer,
        location=place,
        incident_date_start=on,
        reported_on=on.replace(day=on.day + 2),
        **fields,
    )


def test_the_analyst_filters_the_dashboard_to_ituri_and_downloads_the_mara_tables(
    live_server: Any,
    page: Any,
    analyst: User,
    reporter: User,
    wpa: User,
    wpa_other: User,
    other_office: FieldOffice,
) -> None:
    from tests.factories import UserFactory

    reporter_bunia = UserFactory(username="reporter_bunia", roles=["reporter"], offices=[other_office])
    djugu, masisi = _places()
    for month in (2, 3, 5):  # Ituri, first half of 2026
        _incident(reporter_bunia, wpa_other, djugu, date(2026, month, 10), tally_girls=1)
    _incident(reporter_bunia, wpa_other, djugu, date(2026, 9, 10))  # Ituri, second half
    _incident(reporter, wpa, masisi, date(2026, 3, 10))  # Nord-Kivu

    sign_in(page, live_server.url, "analyst", PASSWORD)
    page.get_by_role("link", name="Dashboard", exact=True).click()
    page.get_by_label("From (month)", exact=True).fill("2026-01")
    page.get_by_label("To (month)", exact=True).fill("2026-06")
    page.get_by_label("Province (admin level 1)", exact=True).select_option(label="Ituri")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/reports/?*admin1=CD54*")
    assert "from=2026-01" in page.url and "to=2026-06" in page.url  # a bookmarkable view
    by_province = page.get_by_role("region", name="Incidents by province (admin level 1)", exact=True)
    rows = by_province.locator("tbody tr").all_inner_texts()
    assert [" ".join(row.split()) for row in rows] == ["Ituri 3"]  # first half only, Ituri only

    page.get_by_role("link", name="Exports", exact=True).click()
    page.get_by_label("MARA tables for the Secretary-General's annual report").check()
    page.get_by_label("Period").fill("2026-Q1")
    page.get_by_label("CSV").check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download").click()
    body = download_info.value.path().read_text(encoding="utf-8")
    assert "Incidents by admin level 1" in body
    assert "<5" in body  # three incidents: a small count, never shown exactly outside the mission
    for secret in ("Djugu village", "MONUSCO-BUN-2026", "narrative"):
        assert secret not in body


def test_a_senior_wpa_approves_an_identifiable_export_and_its_requester_opens_the_zip(
    live_server: Any,
    chromium: Any,
    page: Any,
    wpa: User,
    senior_wpa: User,
    office: FieldOffice,
) -> None:
    hospital = ServiceProvider.objects.create(name="HEAL Africa", service_types=["medical"])
    hospital.field_offices.set([office])
    case = case_of(wpa, name="Canary Journey Kavira")
    share(wpa, case, hospital)
    export = ask(wpa, [case], hospital)

    sign_in(page, live_server.url, "senior_wpa", PASSWORD)
    page.get_by_role("link", name="Identifiable exports", exact=True).click()
    page.locator(f"a[href='/reports/identifiable/{export.public_id}/']").first.click()
    page.get_by_role("button", name="Approve", exact=True).click()
    page.wait_for_selector("h1 .badge")
    assert "Canary Journey" not in page.content()  # the approver reads no identity

    context = chromium.new_context(locale="en-GB", accept_downloads=True)
    try:
        theirs = context.new_page()
        theirs.set_default_timeout(15000)
        sign_in(theirs, live_server.url, "wpa", PASSWORD)
        theirs.goto(f"{live_server.url}/reports/identifiable/{export.public_id}/")
        theirs.get_by_role("button", name="Prepare the download").click()
        password = theirs.locator("code.one-time-password").inner_text().strip()
        assert len(password) >= 20
        with theirs.expect_download() as download_info:
            theirs.get_by_role("button", name="Download the zip").click()
        data = download_info.value.path().read_bytes()
    finally:
        context.close()

    with pytest.raises(RuntimeError), zipfile.ZipFile(io.BytesIO(data)) as plain:
        plain.read(plain.namelist()[0])  # no password: no content
    with pyzipper.AESZipFile(io.BytesIO(data)) as archive:
        archive.setpassword(password.encode())
        csv = archive.read(archive.namelist()[0]).decode("utf-8")
    assert "Canary Journey Kavira" in csv and case.code in csv

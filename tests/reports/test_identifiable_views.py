"""The identifiable exports' pages: errors shown beside the fields with what was typed kept, the
lists each user gets, 409 pages, the download's two posts, and a query count that does not grow
with the rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from referrals.models import ServiceProvider
from reports.identifiable.models import IdentifiableExport
from reports.identifiable.services import identifiable_export_approve, identifiable_export_prepare
from tests.factories import UserFactory
from tests.reports import identifiable_world as world
from tests.reports.identifiable_world import ask, case_of, share

hospital, second_senior = world.hospital, world.second_senior
pytestmark = pytest.mark.django_db
Login = Callable[[User], Client]


def _requested(owner: User, provider: ServiceProvider) -> IdentifiableExport:
    case = case_of(owner)
    share(owner, case, provider)
    return ask(owner, [case], provider)


def test_the_request_form_shows_errors_beside_the_fields_and_keeps_what_was_typed(
    wpa: User, wpa_other: User, hospital: ServiceProvider, login: Login
) -> None:
    theirs = case_of(wpa_other)
    typed = "A reason typed with care, kept after the error"
    response = login(wpa).post(
        "/reports/identifiable/new/",
        {"recipient": "provider", "provider": "", "survivor_codes": theirs.code, "reason": typed},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"provider": ["Choose an active provider of the service directory."]}
    page = response.content.decode()
    assert typed in page and theirs.code in page
    response = login(wpa).post(
        "/reports/identifiable/new/",
        {
            "recipient": "provider",
            "provider": str(hospital.public_id),
            "survivor_codes": theirs.code,
            "reason": typed,
        },
    )
    assert response.context["form"].errors == {
        "survivor_codes": [f"Not a case you may identify: {theirs.code}."]
    }
    assert typed in response.content.decode()
    assert not IdentifiableExport.objects.exists()


def test_codes_may_be_given_one_a_line_or_with_commas(
    wpa: User, hospital: ServiceProvider, login: Login
) -> None:
    first, second = case_of(wpa), case_of(wpa)
    share(wpa, first, hospital)
    response = login(wpa).post(
        "/reports/identifiable/new/",
        {
            "recipient": "provider",
            "provider": str(hospital.public_id),
            "survivor_codes": f"{first.code.lower()},\n {second.code}",
            "reason": world.REASON,
        },
    )
    assert response.status_code == 302
    export = IdentifiableExport.objects.get()
    page = login(wpa).get(response["Location"]).content.decode()
    assert first.code in page and second.code in page
    assert "No consent in force covers this recipient" in page  # the second, excluded, listed
    assert export.cases.count() == 2


def test_a_refusal_without_a_reason_is_shown_again_on_the_export_page(
    wpa: User, senior_wpa: User, hospital: ServiceProvider, login: Login
) -> None:
    export = _requested(wpa, hospital)
    response = login(senior_wpa).post(f"/reports/identifiable/{export.public_id}/refuse/", {"reason": "  "})
    assert response.status_code == 200
    assert response.context["refuse_form"].errors == {"reason": ["This field is required."]}
    response = login(senior_wpa).post(
        f"/reports/identifiable/{export.public_id}/refuse/", {"reason": "Not now."}
    )
    assert response.status_code == 302
    page = login(wpa).get(response["Location"]).content.decode()
    assert "Refused" in page and "Not now." in page


def test_the_second_approval_gets_a_409_page(
    wpa: User, senior_wpa: User, second_senior: User, hospital: ServiceProvider, login: Login
) -> None:
    export = _requested(wpa, hospital)
    assert login(senior_wpa).post(f"/reports/identifiable/{export.public_id}/approve/").status_code == 302
    late = login(second_senior).post(f"/reports/identifiable/{export.public_id}/approve/")
    assert late.status_code == 409
    assert "This export was already approved." in late.content.decode()


def test_each_user_gets_her_lists(
    wpa: User,
    wpa_other: User,
    senior_wpa: User,
    second_senior: User,
    hospital: ServiceProvider,
    login: Login,
) -> None:
    goma = _requested(wpa, hospital)
    bunia = _requested(wpa_other, hospital)
    own = _requested(senior_wpa, hospital)
    listed = login(senior_wpa).get("/reports/identifiable/").context
    assert [e.pk for e in listed["awaiting"]] == [goma.pk, bunia.pk]  # oldest first; never her own
    assert [e.pk for e in listed["mine"]] == [own.pk]
    listed = login(second_senior).get("/reports/identifiable/").context
    assert [e.pk for e in listed["awaiting"]] == [goma.pk, bunia.pk, own.pk]
    listed = login(wpa).get("/reports/identifiable/").context
    assert [e.pk for e in listed["mine"]] == [goma.pk] and listed["awaiting"] == []
    page = login(wpa).get(f"/reports/identifiable/{goma.public_id}/").content.decode()
    assert "Your decision" not in page and "Prepare the download" not in page
    page = login(senior_wpa).get(f"/reports/identifiable/{goma.public_id}/").content.decode()
    assert "Your decision" in page


def test_another_missions_senior_sees_nothing(
    wpa: User, hospital: ServiceProvider, foreign_office: FieldOffice, login: Login
) -> None:
    export = _requested(wpa, hospital)
    bangui = UserFactory(username="senior_bangui", roles=[Role.SENIOR_WPA], offices=[foreign_office])
    client = login(bangui)
    assert client.get("/reports/identifiable/").context["awaiting"] == []
    assert client.get(f"/reports/identifiable/{export.public_id}/").status_code == 404
    assert client.post(f"/reports/identifiable/{export.public_id}/approve/").status_code == 404


def test_a_stale_download_page_or_an_expired_export_downloads_nothing(
    wpa: User, senior_wpa: User, hospital: ServiceProvider, login: Login
) -> None:
    export = _requested(wpa, hospital)
    identifiable_export_approve(actor=senior_wpa, export=export)
    client = login(wpa)
    first = client.post(f"/reports/identifiable/{export.public_id}/prepare/").context["password"]
    client.post(f"/reports/identifiable/{export.public_id}/prepare/")
    stale = client.post(f"/reports/identifiable/{export.public_id}/download/", {"password": first})
    assert stale.status_code == 400
    assert "prepare the download again" in stale.content.decode()
    password = identifiable_export_prepare(actor=wpa, export=export)
    IdentifiableExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = client.post(f"/reports/identifiable/{export.public_id}/download/", {"password": password})
    assert expired.status_code == 409
    assert "expired" in expired.content.decode()
    assert IdentifiableExport.objects.get(pk=export.pk).state == IdentifiableExport.State.APPROVED


def test_the_list_page_reads_a_constant_number_of_queries(
    wpa: User, senior_wpa: User, hospital: ServiceProvider, login: Login
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(senior_wpa)
    _requested(wpa, hospital)
    _requested(senior_wpa, hospital)
    client.get("/reports/identifiable/")  # the session's first request warms its caches
    with CaptureQueriesContext(connection) as few:
        assert client.get("/reports/identifiable/").status_code == 200
    for _ in range(3):
        _requested(wpa, hospital)
        _requested(senior_wpa, hospital)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/reports/identifiable/").status_code == 200
    assert len(many) == len(few)

"""Case page: "who has access and why", grant and revoke (issue 5). Also the helpers the other
`test_views_*` modules of issue 5 use."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from crsv.audit.models import AccessEvent, AuditEvent
from survivors import selectors
from survivors.models import Survivor, SurvivorUserObjectPermission
from survivors.services import survivor_break_glass, survivor_grant
from tests.conftest import verify_second_factor
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NAME = "Canary-Name-Neema-Q4Z"
PHONE = "+243 970 555 017"
OUT_OF_SCOPE = [
    "outsider",
    "wpa_other",
    "reporter",
    "analyst",
    "provider",
    "admin_user",
    "auditor",
    "no_role",
]


def signed_in(user: User) -> Client:
    """A browser of its own for `user`, signed in with the second factor passed."""
    client = Client()
    client.force_login(user)
    verify_second_factor(client, user)
    return client


def detail(survivor: Survivor) -> str:
    return reverse("survivors:detail", args=[survivor.public_id])


def grant_url(survivor: Survivor) -> str:
    return reverse("survivors:grant", args=[survivor.public_id])


def revoke_url(survivor: Survivor, user: User) -> str:
    return reverse("survivors:revoke", args=[survivor.public_id, user.public_id])


@pytest.fixture
def owned(make_survivor: Callable[..., Survivor], wpa: User) -> Survivor:
    """A Goma case registered (so owned) by the Goma WPA, with canary values."""
    return make_survivor(wpa, name=NAME, phone=PHONE)


@pytest.fixture
def senior_bunia(other_office: FieldOffice) -> User:
    """Another senior WPA of the same mission (MONUSCO), in Bunia."""
    return UserFactory(username="senior_bunia", roles=[Role.SENIOR_WPA], offices=[other_office])


@pytest.fixture
def grantee(other_office: FieldOffice) -> User:
    """A Bunia reporter, to hold a grant on the Goma case."""
    return UserFactory(username="reporter_bunia", roles=[Role.REPORTER], offices=[other_office])


@pytest.fixture
def senior_abroad(foreign_office: FieldOffice) -> User:
    """A senior WPA of another mission (MINUSCA)."""
    return UserFactory(username="senior_minusca", roles=[Role.SENIOR_WPA], offices=[foreign_office])


# --- the permission matrix -------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client: Client, owned: Survivor, wpa_other: User) -> None:
    for url in (grant_url(owned), revoke_url(owned, wpa_other)):
        response = client.post(url, {"grantee": wpa_other.public_id})
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"]
    assert not SurvivorUserObjectPermission.objects.exists()


@pytest.mark.parametrize("persona", [*OUT_OF_SCOPE, "senior_abroad"])
def test_out_of_scope_is_404(
    request: pytest.FixtureRequest, owned: Survivor, senior_wpa: User, grantee: User, persona: str
) -> None:
    survivor_grant(actor=senior_wpa, survivor=owned, grantee=grantee)
    client = signed_in(request.getfixturevalue(persona))
    assert client.post(grant_url(owned), {"grantee": grantee.public_id}).status_code == 404
    assert client.post(revoke_url(owned, grantee)).status_code == 404
    assert SurvivorUserObjectPermission.objects.count() == 1


@pytest.mark.parametrize("persona", ["wpa", "grantee"])
def test_in_scope_but_not_senior_is_403(
    request: pytest.FixtureRequest, owned: Survivor, senior_wpa: User, grantee: User, persona: str
) -> None:
    """The owner, and a grantee, see the case but may neither grant nor revoke."""
    survivor_grant(actor=senior_wpa, survivor=owned, grantee=grantee)
    client = signed_in(request.getfixturevalue(persona))
    assert client.get(detail(owned)).status_code == 200
    assert client.post(grant_url(owned), {"grantee": grantee.public_id}).status_code == 403
    assert client.post(revoke_url(owned, grantee)).status_code == 403
    body = client.get(detail(owned)).content.decode()
    assert "Who has access and why" not in body
    assert SurvivorUserObjectPermission.objects.count() == 1


def test_get_is_not_a_way_to_change_anything(owned: Survivor, senior_wpa: User, wpa_other: User) -> None:
    client = signed_in(senior_wpa)
    assert client.get(grant_url(owned)).status_code == 405
    assert client.get(revoke_url(owned, wpa_other)).status_code == 405


def test_revoke_for_an_unknown_user_is_404(owned: Survivor, senior_wpa: User) -> None:
    url = reverse("survivors:revoke", args=[owned.public_id, "00000000-0000-4000-8000-000000000000"])
    assert signed_in(senior_wpa).post(url).status_code == 404


# --- who has access and why ------------------------------------------------------------------


def test_senior_wpa_sees_who_has_access_and_why(
    owned: Survivor, senior_wpa: User, senior_bunia: User, wpa: User, wpa_other: User, reporter: User
) -> None:
    until = timezone.now() + timedelta(days=2)
    survivor_grant(actor=senior_wpa, survivor=owned, grantee=wpa_other, expires_at=until)
    survivor_grant(actor=senior_wpa, survivor=owned, grantee=reporter)
    survivor_break_glass(actor=senior_bunia, survivor=owned, reason="Urgent medical follow-up needed today")
    response = signed_in(senior_wpa).get(detail(owned))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    section = body[body.index("Who has access and why") :]
    for expected in (
        wpa.display_name,
        "Assigned WPA",
        wpa_other.display_name,
        "Granted access",
        senior_wpa.display_name,  # granted by
        "no expiry",
        reporter.display_name,
        senior_bunia.display_name,
        "Break-glass",
        revoke_url(owned, wpa_other),
        revoke_url(owned, reporter),
    ):
        assert expected in section, expected
    assert NAME not in body  # she sees who has access, not who the survivor is
    assert not AccessEvent.objects.filter(actor=senior_wpa).exists()


def test_the_registrar_is_listed_while_the_case_is_unassigned(
    make_survivor: Callable[..., Survivor], reporter: User, senior_wpa: User
) -> None:
    case = make_survivor(reporter)
    body = signed_in(senior_wpa).get(detail(case)).content.decode()
    section = body[body.index("Who has access and why") :]
    assert reporter.display_name in section
    assert "Registered the case" in section


def test_an_expired_grant_is_not_listed(owned: Survivor, senior_wpa: User, wpa_other: User) -> None:
    grant = survivor_grant(
        actor=senior_wpa, survivor=owned, grantee=wpa_other, expires_at=timezone.now() + timedelta(hours=1)
    )
    SurvivorUserObjectPermission.objects.filter(pk=grant.pk).update(expires_at=timezone.now())
    body = signed_in(senior_wpa).get(detail(owned)).content.decode()
    assert "Granted access" not in body
    assert revoke_url(owned, wpa_other) not in body


def test_detail_query_count_does_not_grow_with_grants(
    owned: Survivor, senior_wpa: User, office: FieldOffice, other_office: FieldOffice
) -> None:
    client = signed_in(senior_wpa)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(detail(owned)).status_code == 200
        return len(captured)

    grantees = [UserFactory(roles=[Role.WPA], offices=[other_office]) for _ in range(9)]
    survivor_grant(actor=senior_wpa, survivor=owned, grantee=grantees[0])
    client.get(detail(owned))  # warm the per-process caches (content types, permissions)
    few = queries()
    for grantee in grantees[1:]:
        survivor_grant(actor=senior_wpa, survivor=owned, grantee=grantee)
    assert queries() == few


# --- grant -----------------------------------------------------------------------------------


def test_grant_then_the_grantees_next_request_sees_the_case(
    owned: Survivor, senior_wpa: User, wpa_other: User
) -> None:
    grantee = signed_in(wpa_other)
    assert grantee.get(detail(owned)).status_code == 404
    response = signed_in(senior_wpa).post(grant_url(owned), {"grantee": wpa_other.public_id})
    assert response.status_code == 302
    assert response["Location"] == detail(owned)
    grant = SurvivorUserObjectPermission.objects.get()
    assert (grant.user, grant.granted_by, grant.expires_at) == (wpa_other, senior_wpa, None)
    assert AuditEvent.objects.filter(action="survivor.grant", actor=senior_wpa).count() == 1
    page = grantee.get(detail(owned))
    assert page.status_code == 200
    assert NAME in page.content.decode()
    assert NAME in grantee.get(reverse("survivors:list")).content.decode()


def test_the_expiry_is_typed_in_the_case_offices_time_zone(
    owned: Survivor, senior_wpa: User, wpa_other: User
) -> None:
    """Goma is UTC+2 (Africa/Lubumbashi): 10:00 there is 08:00 UTC, whatever the session's zone."""
    client = signed_in(senior_wpa)
    session = client.session
    session["_crsv_tz"] = "America/New_York"  # a senior WPA travelling: the case's office still decides
    session.save()
    year = timezone.now().year + 1
    response = client.post(
        grant_url(owned), {"grantee": wpa_other.public_id, "expires_at": f"{year}-01-02T10:00"}
    )
    assert response.status_code == 302
    assert SurvivorUserObjectPermission.objects.get().expires_at == datetime(year, 1, 2, 8, 0, tzinfo=UTC)
    body = client.get(detail(owned)).content.decode()
    assert "Times in Africa/Lubumbashi" in body


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"grantee": "analyst"}, "Select a valid choice"),  # not a WPA or a reporter
        ({"grantee": "outsider"}, "Select a valid choice"),  # another mission
        ({"grantee": "senior_bunia"}, "Select a valid choice"),  # a senior WPA already sees it
        ({"grantee": "wpa_other", "expires_at": "2001-01-01T10:00"}, "The expiry must be in the future."),
        ({"grantee": "wpa_other", "expires_at": "not a date"}, "Enter a valid date/time."),
    ],
)
def test_grant_refusals_keep_the_page_and_explain(
    request: pytest.FixtureRequest, owned: Survivor, senior_wpa: User, data: dict[str, str], field_error: str
) -> None:
    who = request.getfixturevalue(data["grantee"])
    response = signed_in(senior_wpa).post(grant_url(owned), {**data, "grantee": who.public_id})
    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert not SurvivorUserObjectPermission.objects.exists()


def test_the_grant_form_offers_only_wpas_and_reporters_of_the_mission(
    owned: Survivor,
    senior_wpa: User,
    wpa_other: User,
    reporter: User,
    analyst: User,
    outsider: User,
    senior_bunia: User,
) -> None:
    body = signed_in(senior_wpa).get(detail(owned)).content.decode()
    form = body[body.index(grant_url(owned)) :]
    assert str(wpa_other.public_id) in form and str(reporter.public_id) in form
    for refused in (analyst, outsider, senior_bunia):
        assert str(refused.public_id) not in form


# --- revoke and expiry -----------------------------------------------------------------------


def test_revoke_then_the_grantees_next_request_is_404(
    owned: Survivor, senior_wpa: User, wpa_other: User
) -> None:
    survivor_grant(actor=senior_wpa, survivor=owned, grantee=wpa_other)
    grantee = signed_in(wpa_other)
    assert grantee.get(detail(owned)).status_code == 200
    response = signed_in(senior_wpa).post(revoke_url(owned, wpa_other))
    assert response.status_code == 302
    assert not SurvivorUserObjectPermission.objects.exists()
    assert AuditEvent.objects.filter(action="survivor.revoke", actor=senior_wpa).count() == 1
    refused = grantee.get(detail(owned))
    assert refused.status_code == 404
    assert NAME not in refused.content.decode()
    assert NAME not in grantee.get(reverse("survivors:list")).content.decode()


def test_revoking_someone_without_a_grant_says_so(owned: Survivor, senior_wpa: User, wpa_other: User) -> None:
    client = signed_in(senior_wpa)
    response = client.post(revoke_url(owned, wpa_other), follow=True)
    assert "This person has no grant on this case." in response.content.decode()
    assert not AuditEvent.objects.filter(action="survivor.revoke").exists()


def test_a_passed_expiry_is_404_on_the_next_request_without_any_job(
    owned: Survivor, senior_wpa: User, wpa_other: User
) -> None:
    grant = survivor_grant(
        actor=senior_wpa, survivor=owned, grantee=wpa_other, expires_at=timezone.now() + timedelta(hours=1)
    )
    grantee = signed_in(wpa_other)
    assert grantee.get(detail(owned)).status_code == 200
    SurvivorUserObjectPermission.objects.filter(pk=grant.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert grantee.get(detail(owned)).status_code == 404
    assert SurvivorUserObjectPermission.objects.filter(pk=grant.pk).exists()  # nothing cleaned it up


def _scans_of(plan: dict[str, Any], table: str) -> list[dict[str, Any]]:
    found = [plan] if plan.get("Relation Name") == table else []
    for child in plan.get("Plans", []):
        found += _scans_of(child, table)
    return found


@pytest.mark.parametrize("persona", ["wpa", "wpa_other", "reporter"])
def test_the_list_reads_cases_only_through_index_conditions(
    request: pytest.FixtureRequest,
    make_survivor: Callable[..., Survivor],
    wpa: User,
    senior_wpa: User,
    persona: str,
) -> None:
    """Assigned, registered, granted: each source is an index lookup and the cases are fetched by
    primary key, so the first page costs what she may read, never a scan of all cases (written
    as an OR of the sources, the survivor table was scanned whole: 70 ms at 100,000 cases)."""
    user = request.getfixturevalue(persona)
    make_survivor(wpa)
    if persona != "wpa":
        for _ in range(3):
            survivor_grant(actor=senior_wpa, survivor=make_survivor(wpa), grantee=user)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # what the planner does on big tables
        cursor.execute("SET LOCAL enable_bitmapscan = off")  # so each table scan names its Index Cond
        raw = selectors.survivor_list(user=user)[:51].explain(format="json")
    plan = json.loads(raw)[0]["Plan"]
    scans = _scans_of(plan, "survivors_survivor")
    assert scans
    assert all(scan["Node Type"] != "Seq Scan" for scan in scans)
    # On a handful of test rows the planner may walk a whole index in order instead of looking
    # ids up (it costs the same here); the shape that keeps it a lookup at 100,000 rows is the
    # single `id IN (... UNION ALL ...)` semi-join, checked on the SQL itself.
    sql = str(selectors.survivor_list(user=user)[:51].query)
    assert "UNION ALL" in sql
    grants = _scans_of(plan, "survivors_survivoruserobjectpermission")
    assert grants and all("Index Cond" in scan for scan in grants)

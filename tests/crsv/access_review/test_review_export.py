"""The access review's CSV export (/access/review/export.csv): streamed, its cells safe from
spreadsheet formulas, itself audited with the filter by names."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client

from crsv.access.review import ReviewFilter
from crsv.access.review_export import access_review_csv_lines, review_cell
from crsv.accounts.models import FieldOffice, Membership, User
from crsv.accounts.roles import Role
from crsv.audit.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/access/review/export.csv"
EXPORTED = AuditEvent.Action.ACCESS_REVIEW_EXPORTED


def _parse(response: object) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    assert body.startswith("\ufeff")  # Excel reads UTF-8 only with the byte-order mark
    return list(csv.DictReader(io.StringIO(body[1:])))


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+243 970", "'+243 970"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Kavira", "Kavira"),
        ("a=b", "a=b"),
        (3, "3"),
        (None, ""),
        (True, "yes"),
    ],
)
def test_csv_cell(value: object, cell: str) -> None:
    assert review_cell(value) == cell


def test_the_export_lists_the_users_and_escapes_formulas(
    admin_user: User,
    wpa: User,
    office: FieldOffice,
    other_office: FieldOffice,
    login: Callable[[User], Client],
) -> None:
    UserFactory(username="mallory", first_name="=cmd|' /C calc'!A0", last_name="", roles=[Role.REPORTER])
    UserFactory(username="@team", first_name="+1", last_name="", roles=[Role.ANALYST])
    Membership.objects.create(user=wpa, field_office=other_office, ends_on=date(2099, 6, 30))
    response = login(admin_user).get(URL)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="access-review-')
    assert "no-store" in response["Cache-Control"]
    rows = {row["Username"]: row for row in _parse(response)}
    assert rows["mallory"]["Name"] == "'=cmd|' /C calc'!A0"
    assert "'@team" in rows and rows["'@team"]["Name"] == "'+1"
    assert rows["wpa"]["Roles"] == "wpa"
    assert rows["wpa"]["Field offices"] == "MONUSCO-BUN (until 2099-06-30); MONUSCO-GOM"
    assert rows["wpa"]["Case grants"] == "0"
    assert rows["wpa"]["Active"] == "yes"
    assert rows["admin"]["Last activity (UTC)"].endswith("+00:00")  # this request's own


def test_the_export_is_audited_with_its_filter(
    admin_user: User, office: FieldOffice, login: Callable[[User], Client]
) -> None:
    response = login(admin_user).get(URL, {"role": Role.WPA, "office": office.pk, "active": "yes"})
    assert response.status_code == 200
    (event,) = AuditEvent.objects.filter(action=EXPORTED)
    assert event.actor_id == admin_user.pk
    assert event.changes == {"filters": {"role": "wpa", "office": "MONUSCO-GOM", "active": True}}


def test_the_auditor_may_export_and_the_others_are_refused_unaudited(
    auditor: User, wpa: User, login: Callable[[User], Client]
) -> None:
    assert login(wpa).get(URL).status_code == 403
    assert not AuditEvent.objects.filter(action=EXPORTED).exists()
    response = login(auditor).get(URL)
    assert response.status_code == 200
    assert {row["Username"] for row in _parse(response)} >= {"auditor", "wpa"}
    assert AuditEvent.objects.get(action=EXPORTED).actor_id == auditor.pk


def test_a_bad_filter_is_refused_unaudited(admin_user: User, login: Callable[[User], Client]) -> None:
    assert login(admin_user).get(URL, {"active": "maybe"}).status_code == 400
    assert not AuditEvent.objects.filter(action=EXPORTED).exists()


def test_the_lines_are_read_in_chunks_without_loss(admin_user: User, office: FieldOffice) -> None:
    for i in range(7):
        UserFactory(username=f"staff{i}", offices=[office])
    lines = list(access_review_csv_lines(user=admin_user, filters=ReviewFilter(), chunk=3))
    names = [row["Username"] for row in csv.DictReader(io.StringIO("".join(lines)[1:]))]
    assert names == sorted(User.objects.values_list("username", flat=True))

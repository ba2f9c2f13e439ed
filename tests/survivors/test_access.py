"""Who sees which case, and which parts of it (DESIGN §3), and the access log."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from crsv.accounts.models import User
from crsv.audit.models import AccessEvent, AuditEvent
from survivors import selectors
from survivors.models import Survivor
from survivors.services import survivor_assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def by_reporter(make_survivor: Callable[..., Survivor], reporter: User) -> Survivor:
    return make_survivor(reporter, name="Reporter's Case")


@pytest.mark.parametrize(
    ("persona", "sees_case", "identifies"),
    [
        ("wpa", True, True),  # registered it, so owns it
        ("senior_wpa", True, False),  # code and profile only
        ("wpa_other", False, False),
        ("reporter", False, False),
        ("analyst", False, False),
        ("provider", False, False),
        ("admin_user", False, False),
        ("auditor", False, False),
        ("outsider", False, False),
        ("no_role", False, False),
    ],
)
def test_visibility_matrix(
    request: pytest.FixtureRequest, case: Survivor, persona: str, sees_case: bool, identifies: bool
) -> None:
    user = request.getfixturevalue(persona)
    assert Survivor.objects.visible_to(user).filter(pk=case.pk).exists() is sees_case
    assert Survivor.objects.identifying_to(user).filter(pk=case.pk).exists() is identifies
    if not sees_case:
        with pytest.raises(Http404):
            selectors.survivor_get(user=user, public_id=case.public_id)


def test_reporter_sees_her_case_until_a_wpa_takes_it(
    by_reporter: Survivor, reporter: User, senior_wpa: User, wpa: User
) -> None:
    assert by_reporter.assigned_wpa is None
    assert Survivor.objects.identifying_to(reporter).filter(pk=by_reporter.pk).exists()
    survivor_assign(actor=senior_wpa, survivor=by_reporter, assignee=wpa)
    assert not Survivor.objects.visible_to(reporter).filter(pk=by_reporter.pk).exists()
    assert Survivor.objects.identifying_to(wpa).filter(pk=by_reporter.pk).exists()
    assert AuditEvent.objects.filter(
        action="survivor.assign", object_public_id=by_reporter.public_id
    ).exists()


def test_assign_rules(by_reporter: Survivor, senior_wpa: User, wpa: User, wpa_other: User) -> None:
    with pytest.raises(PermissionDenied):
        survivor_assign(actor=wpa, survivor=by_reporter, assignee=wpa)
    with pytest.raises(ValidationError) as excinfo:
        survivor_assign(actor=senior_wpa, survivor=by_reporter, assignee=wpa_other)  # another office
    assert "assignee" in excinfo.value.message_dict


def test_list_reveals_names_only_where_allowed_and_logs_each(
    make_survivor: Callable[..., Survivor], wpa: User, senior_wpa: User, reporter: User
) -> None:
    own = [make_survivor(wpa, name=f"Case {i}") for i in range(3)]
    others = [make_survivor(reporter, name="Not for the WPA")]
    rows = selectors.survivor_page(user=wpa).rows
    assert {r.pk for r in rows} == {s.pk for s in own}
    names = selectors.survivor_names_reveal(user=wpa, survivors=rows, kind=AccessEvent.Kind.LIST)
    assert sorted(names.values()) == ["Case 0", "Case 1", "Case 2"]
    events = AccessEvent.objects.filter(actor=wpa, kind=AccessEvent.Kind.LIST)
    assert sorted(events.values_list("survivor_public_id", flat=True)) == sorted(s.public_id for s in own)

    senior_rows = selectors.survivor_page(user=senior_wpa).rows
    assert len(senior_rows) == 4
    assert selectors.survivor_names_reveal(user=senior_wpa, survivors=senior_rows, kind="list") == {}
    assert not AccessEvent.objects.filter(actor=senior_wpa).exists()
    assert others


def test_reveal_one_case_writes_one_access_event(case: Survivor, wpa: User, senior_wpa: User) -> None:
    row = selectors.survivor_get(user=wpa, public_id=case.public_id)
    identity = selectors.survivor_reveal(user=wpa, survivor=row, kind=AccessEvent.Kind.VIEW)
    assert identity is not None
    assert identity.name == "Esperance Kavira"
    assert identity.phone == "+243 970 000 001"
    assert "Esperance" not in repr(identity)
    assert AccessEvent.objects.filter(actor=wpa, survivor_public_id=case.public_id).count() == 1

    senior_row = selectors.survivor_get(user=senior_wpa, public_id=case.public_id)
    assert selectors.survivor_reveal(user=senior_wpa, survivor=senior_row, kind="view") is None
    assert not AccessEvent.objects.filter(actor=senior_wpa).exists()


def test_identifying_fields_are_ciphertext_in_the_database(case: Survivor) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name_ct, phone_ct FROM survivors_survivor WHERE id = %s", [case.pk])
        name_ct, phone_ct = cursor.fetchone()
    assert b"Esperance" not in bytes(name_ct)
    assert b"970" not in bytes(phone_ct)


def test_code_is_random_and_well_formed(make_survivor: Callable[..., Survivor], wpa: User) -> None:
    import re

    codes = {make_survivor(wpa).code for _ in range(20)}
    assert len(codes) == 20
    assert all(re.fullmatch(r"S-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", c) for c in codes)


def test_str_is_the_code_never_the_name(case: Survivor) -> None:
    assert str(case) == case.code


def test_audit_rows_hold_no_values(case: Survivor) -> None:
    rows = list(AuditEvent.objects.values())
    assert rows
    assert "Esperance" not in repr(rows)
    assert "970" not in repr(rows)


@pytest.mark.parametrize("persona", ["analyst", "provider", "admin_user", "auditor", "no_role", "wpa_other"])
def test_registration_refused_without_role_or_office(
    request: pytest.FixtureRequest, make_survivor: Callable[..., Survivor], persona: str
) -> None:
    with pytest.raises(PermissionDenied):
        make_survivor(request.getfixturevalue(persona))
    assert not Survivor.objects.exists()

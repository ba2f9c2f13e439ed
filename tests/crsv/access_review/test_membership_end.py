"""Memberships past their end date: out of the scope at once (before beat runs), then deleted,
audited and the user's credentials ended by the hourly task (crsv/accounts/expiry.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from crsv.access.tasks import memberships_end
from crsv.accounts.expiry import memberships_end_due
from crsv.accounts.models import ApiToken, FieldOffice, Membership, User
from crsv.accounts.scope import user_with_scope
from crsv.accounts.services import api_token_issue
from crsv.audit.models import AuditEvent
from incidents import clock
from tests.factories import FieldOfficeFactory

pytestmark = pytest.mark.django_db
ENDED = AuditEvent.Action.MEMBERSHIP_ENDED


def _ends(user: User, office: FieldOffice, day: date) -> None:
    Membership.objects.filter(user=user, field_office=office).update(ends_on=day)


def _scopes(user: User) -> tuple[list[int], list[int], list[int]]:
    """Her offices as the request reads them (one statement), as the ORM reads them, and her missions."""
    primed = user_with_scope(user.pk)
    assert primed is not None
    fresh = User.objects.get(pk=user.pk)
    return primed.office_ids(), fresh.office_ids(), primed.mission_ids()


def test_a_past_end_date_leaves_the_scope_before_the_task_runs(
    wpa: User, office: FieldOffice, other_office: FieldOffice
) -> None:
    Membership.objects.create(user=wpa, field_office=other_office)
    today = clock.office_today(office)
    _ends(wpa, office, today)  # its last day: still counts
    assert _scopes(wpa) == ([office.pk, other_office.pk], [office.pk, other_office.pk], [office.mission_id])
    _ends(wpa, office, today - timedelta(days=1))
    assert _scopes(wpa) == ([other_office.pk], [other_office.pk], [office.mission_id])
    assert list(User.objects.get(pk=wpa.pk).offices()) == [other_office]
    _ends(wpa, other_office, today - timedelta(days=1))
    assert _scopes(wpa) == ([], [], [])
    assert Membership.objects.filter(user=wpa).count() == 2  # not deleted yet


def test_the_scope_read_costs_no_extra_query(
    wpa: User, office: FieldOffice, django_assert_num_queries: Any
) -> None:
    _ends(wpa, office, clock.office_today(office) - timedelta(days=1))
    with django_assert_num_queries(1):
        user = user_with_scope(wpa.pk)
        assert user is not None and user.office_ids() == [] and user.mission_ids() == []


def test_the_next_page_no_longer_shows_the_office(wpa: User, office: FieldOffice, login: Any) -> None:
    client: Client = login(wpa)
    assert "Goma" in client.get("/").content.decode()
    _ends(wpa, office, clock.office_today(office) - timedelta(days=1))
    assert "Goma" not in client.get("/").content.decode()


def test_the_end_follows_each_offices_time_zone(wpa: User, office: FieldOffice) -> None:
    # At 12:00 UTC on 1 March it is already 2 March on Kiritimati (UTC+14), still 1 March in
    # Pago Pago (UTC-11): a membership whose last day is 1 March has ended in the first only.
    east = FieldOfficeFactory(mission=office.mission, code="KIR", time_zone="Pacific/Kiritimati")
    west = FieldOfficeFactory(mission=office.mission, code="PPG", time_zone="Pacific/Pago_Pago")
    Membership.objects.create(user=wpa, field_office=east, ends_on=date(2026, 3, 1))
    Membership.objects.create(user=wpa, field_office=west, ends_on=date(2026, 3, 1))
    noon = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert memberships_end_due(now=noon) == 1
    assert set(Membership.objects.filter(user=wpa).values_list("field_office__code", flat=True)) == {
        "GOM",
        "PPG",
    }
    assert memberships_end_due(now=noon + timedelta(hours=22)) == 0  # 23:00 on 1 March in Pago Pago
    assert memberships_end_due(now=noon + timedelta(hours=23)) == 1  # midnight there


def test_the_task_deletes_audits_and_ends_the_credentials(
    wpa: User, office: FieldOffice, other_office: FieldOffice
) -> None:
    Membership.objects.create(user=wpa, field_office=other_office, ends_on=date(2030, 1, 1))
    _ends(wpa, office, date(2026, 1, 31))
    stamp = wpa.security_stamp
    api_token_issue(user=wpa)
    assert memberships_end_due(now=datetime(2026, 2, 1, 12, 0, tzinfo=UTC)) == 1
    assert list(Membership.objects.filter(user=wpa).values_list("field_office_id", flat=True)) == [
        other_office.pk
    ]
    wpa.refresh_from_db()
    assert wpa.security_stamp != stamp
    assert not ApiToken.objects.filter(user=wpa, revoked_at__isnull=True).exists()
    (event,) = AuditEvent.objects.filter(action=ENDED)
    assert event.actor_id is None and event.object_public_id == wpa.public_id
    assert event.changes == {
        "offices": {"before": ["MONUSCO-BUN", "MONUSCO-GOM"], "after": ["MONUSCO-BUN"]},
        "ended": [{"office": "MONUSCO-GOM", "ends_on": "2026-01-31"}],
    }


def test_a_second_run_and_a_future_end_do_nothing(wpa: User, reporter: User, office: FieldOffice) -> None:
    now = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
    _ends(wpa, office, date(2026, 1, 31))
    _ends(reporter, office, date(2026, 2, 1))  # today is still its last day
    assert memberships_end_due(now=now) == 1
    assert memberships_end_due(now=now) == 0
    assert AuditEvent.objects.filter(action=ENDED).count() == 1
    assert Membership.objects.filter(user=reporter).exists()


def test_many_users_in_batches(office: FieldOffice, reporter: User, wpa: User, analyst: User) -> None:
    Membership.objects.filter(field_office=office).update(ends_on=date(2026, 1, 1))
    members = Membership.objects.filter(field_office=office).count()
    assert memberships_end_due(now=datetime(2026, 2, 1, tzinfo=UTC), batch=2) == members
    assert not Membership.objects.filter(field_office=office).exists()
    assert AuditEvent.objects.filter(action=ENDED).count() == members


def test_the_beat_task_uses_the_clock(wpa: User, office: FieldOffice) -> None:
    _ends(wpa, office, clock.office_today(office) - timedelta(days=1))
    assert memberships_end() == 1
    assert not Membership.objects.filter(user=wpa).exists()

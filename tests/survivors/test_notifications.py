"""What a case notifies (issue 11, item 2): an assignment -> the WPA assigned; a break-glass
opening -> the mission's other senior WPAs; each once, nothing on a refused action; the
e-mails in English and French, without the case's code or any value of it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crsv.accounts.models import User
from crsv.accounts.roles import Role
from crsv.audit.models import AuditEvent
from crsv.notifications.delivery import notification_render
from crsv.notifications.models import Notification
from survivors.models import BreakGlass, Survivor
from survivors.services import survivor_assign, survivor_break_glass
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _recipients(kind: str) -> list[str]:
    rows = Notification.objects.filter(kind=kind).select_related("recipient").order_by("recipient__username")
    return [row.recipient.username for row in rows if row.recipient]


@pytest.fixture
def wpa2(office: Any) -> User:
    return UserFactory(username="wpa2", roles=[Role.WPA], offices=[office])


def test_an_assignment_notifies_the_wpa_assigned_once(case: Survivor, senior_wpa: User, wpa2: User) -> None:
    survivor_assign(actor=senior_wpa, survivor=case, assignee=wpa2)
    assert _recipients("survivor.assigned") == ["wpa2"]
    event = AuditEvent.objects.filter(action="survivor.assign").latest("id")
    [notification] = Notification.objects.filter(kind="survivor.assigned")
    assert notification.idempotency_key == f"survivor.assigned:{event.public_id}:{wpa2.public_id}"
    assert (notification.object_public_id, notification.mission_id) == (case.public_id, case.mission_id)
    survivor_assign(actor=senior_wpa, survivor=case, assignee=wpa2)  # already hers: nothing new
    assert Notification.objects.count() == 1


def test_a_refused_assignment_notifies_no_one(
    case: Survivor, senior_wpa: User, wpa: User, wpa_other: User
) -> None:
    with pytest.raises(ValidationError):
        survivor_assign(actor=senior_wpa, survivor=case, assignee=wpa_other)  # another office
    with pytest.raises(PermissionDenied):
        survivor_assign(actor=wpa, survivor=case, assignee=wpa)  # a WPA may not assign
    assert not Notification.objects.exists()


def test_assigning_oneself_notifies_no_one(case: Survivor, senior_wpa: User) -> None:
    survivor_assign(actor=senior_wpa, survivor=case, assignee=senior_wpa)
    assert not Notification.objects.exists()


def _senior(username: str, office: Any) -> User:
    return UserFactory(username=username, roles=[Role.SENIOR_WPA], offices=[office])


def test_a_break_glass_opening_notifies_the_missions_other_senior_wpas(
    make_survivor: Any, reporter: User, senior_wpa: User, other_office: Any, foreign_office: Any, office: Any
) -> None:
    case = make_survivor(reporter, name="Someone Else")
    _senior("senior_bunia", other_office)  # same mission, another office
    _senior("senior_bangui", foreign_office)  # another mission
    gone = _senior("senior_gone", office)
    gone.is_active = False
    gone.save()
    access = survivor_break_glass(actor=senior_wpa, survivor=case, reason="A safety report needs her file.")
    assert _recipients("survivor.break_glass") == ["senior_bunia"]
    [notification] = Notification.objects.filter(kind="survivor.break_glass")
    assert notification.idempotency_key.startswith(f"survivor.break_glass:{access.public_id}:")


def test_a_refused_break_glass_notifies_no_one(
    make_survivor: Any, reporter: User, senior_wpa: User, other_office: Any
) -> None:
    case = make_survivor(reporter, name="Someone Else")
    _senior("senior_bunia", other_office)
    with pytest.raises(ValidationError):
        survivor_break_glass(actor=senior_wpa, survivor=case, reason="short")
    assert not BreakGlass.objects.exists() and not Notification.objects.exists()


def test_the_break_glass_queries_do_not_grow_with_the_senior_wpas(
    make_survivor: Any, reporter: User, senior_wpa: User, other_office: Any
) -> None:
    def queries(seniors: int) -> int:
        for n in range(seniors):
            _senior(f"senior{seniors}-{n}", other_office)
        case = make_survivor(reporter, name=f"Case {seniors}")
        with CaptureQueriesContext(connection) as captured:
            survivor_break_glass(actor=senior_wpa, survivor=case, reason="A safety report needs her file.")
        return len(captured)

    queries(0)  # the actor's roles and offices are read once, then kept on her instance
    one = queries(1)
    assert queries(6) == one
    assert Notification.objects.filter(kind="survivor.break_glass").count() == 1 + 7  # one, then all seven


@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_kind_renders_with_its_office_and_link_and_no_case_value(
    language: str, make_survivor: Any, reporter: User, senior_wpa: User, wpa2: User, other_office: Any
) -> None:
    case = make_survivor(reporter, name="Zebulonia Kavira", phone="+243 970 555 111")
    _senior("senior_bunia", other_office)
    survivor_break_glass(actor=senior_wpa, survivor=case, reason="A safety report needs her file.")
    survivor_assign(actor=senior_wpa, survivor=case, assignee=wpa2)
    for kind in ("survivor.assigned", "survivor.break_glass"):
        notification = Notification.objects.get(kind=kind)
        notification.language = language
        rendered = notification_render(notification)
        assert "Goma" in rendered.subject
        for body in (rendered.text, rendered.html):
            assert f"/survivors/{case.public_id}/" in body and "Goma" in body
            assert senior_wpa.username in body or senior_wpa.get_full_name() in body
            for value in (case.code, "Zebulonia", "970 555", "safety report"):
                assert value not in body and value not in rendered.subject
        assert f'<html lang="{language}">' in rendered.html

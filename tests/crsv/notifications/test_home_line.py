"""A senior WPA's home line of failed notifications: those of her missions only, linking to the
page that lists exactly them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from crsv.accounts.models import FieldOffice, Mission, User
from crsv.notifications.models import Notification
from tests.home_lines import counts_of, lines_of

pytestmark = pytest.mark.django_db


def _failed(mission: Mission, key: str, status: str = Notification.Status.FAILED) -> Notification:
    return Notification.objects.create(
        recipient_email="office@example.org",
        language="en",
        kind="test.ping",
        mission=mission,
        idempotency_key=key,
        status=status,
        attempts=8,
    )


def test_failed_notifications_are_counted_for_the_senior_wpa_of_their_mission(
    mission: Mission,
    foreign_office: FieldOffice,
    senior_wpa: User,
    wpa: User,
    login: Callable[[User], Client],
) -> None:
    _failed(mission, "a")
    _failed(mission, "b")
    _failed(mission, "c", status=Notification.Status.PENDING)
    _failed(foreign_office.mission, "d")
    line = lines_of(senior_wpa)["notifications.failed"]
    assert line.count == 2 and line.urgent
    assert line.url == "/notifications/failed/"
    assert len(login(senior_wpa).get(line.url).context["rows"]) == 2
    assert "notifications.failed" not in counts_of(wpa)

"""Who sees which alerts (`Alert.objects.visible_to`), what each sees of one and may do to it, who
keeps an office's on-call roster; and the home page's lines for new and escalated alerts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client

from crsv.accounts.models import FieldOffice, User
from incidents import alert_permissions as permissions
from incidents import clock
from incidents.models import Alert
from incidents.tasks import alerts_escalate
from tests.home_lines import counts_of, lines_of, links_list_their_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def goma_and_bunia(
    raise_alert: Callable[..., Alert], reporter: User, reporter_other: User
) -> tuple[Alert, Alert]:
    return raise_alert(reporter), raise_alert(reporter_other)


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("reporter", {"goma"}),  # what she entered
        ("colleague", set()),  # another reporter of Goma: not hers
        ("wpa", {"goma"}),
        ("wpa_other", {"bunia"}),
        ("senior_wpa", {"goma", "bunia"}),
        ("analyst", {"goma", "bunia"}),
        ("provider", set()),
        ("admin_user", set()),
        ("auditor", set()),
        ("no_role", set()),
        ("outsider", set()),
    ],
)
def test_who_sees_which_alerts(
    persona: str, sees: set[str], request: pytest.FixtureRequest, goma_and_bunia: tuple[Alert, Alert]
) -> None:
    goma, bunia = goma_and_bunia
    names = {goma.pk: "goma", bunia.pk: "bunia"}
    user = request.getfixturevalue(persona)
    assert {names[pk] for pk in Alert.objects.visible_to(user).values_list("pk", flat=True)} == sees


def test_a_deactivated_or_departed_user_sees_nothing(goma_and_bunia: tuple[Alert, Alert], wpa: User) -> None:
    wpa.memberships.all().delete()
    assert not Alert.objects.visible_to(User.objects.get(pk=wpa.pk)).exists()
    wpa.is_active = False
    assert not Alert.objects.visible_to(wpa).exists()


def test_what_each_sees_of_an_alert_and_may_do(
    goma_and_bunia: tuple[Alert, Alert],
    reporter: User,
    wpa: User,
    senior_other: User,
    analyst: User,
) -> None:
    goma, _ = goma_and_bunia
    author, handler, senior, reader = (
        permissions.alert_permissions(user, goma) for user in (reporter, wpa, senior_other, analyst)
    )
    assert handler == senior  # the senior WPA of the mission, from another office, handles it too
    assert handler["can_acknowledge"] and handler["can_view_notes"] and handler["can_link_incident"]
    assert not handler["can_dispatch"] and not handler["can_close"]  # acknowledge first
    assert author["can_view_description"] and not author["can_view_notes"] and not author["can_acknowledge"]
    assert not any(reader.values())  # analysts: de-identified, read-only


def test_who_keeps_and_who_may_be_on_a_roster(
    office: FieldOffice,
    other_office: FieldOffice,
    reporter: User,
    wpa: User,
    wpa_other: User,
    senior_wpa: User,
    analyst: User,
    outsider: User,
) -> None:
    assert permissions.may_keep_roster(wpa, office) and not permissions.may_keep_roster(wpa, other_office)
    assert permissions.may_keep_roster(senior_wpa, other_office)  # her mission's offices
    for user in (reporter, analyst, outsider):
        assert not permissions.may_keep_roster(user, office)
    assert permissions.office_in_reach(analyst, other_office) and not permissions.office_in_reach(
        wpa, other_office
    )
    assert not permissions.office_in_reach(outsider, office)
    assert permissions.may_be_on_call(wpa, office) and permissions.may_be_on_call(senior_wpa, office)
    assert not permissions.may_be_on_call(senior_wpa, other_office)  # not a member there
    assert not permissions.may_be_on_call(reporter, office)


def test_the_home_lines_count_new_and_escalated_alerts(
    raise_alert: Callable[..., Alert],
    alert_in_state: Callable[..., Alert],
    reporter_other: User,
    wpa: User,
    senior_wpa: User,
    reporter: User,
    login: Callable[[User], Client],
) -> None:
    raise_alert(urgency="low")
    alert_in_state("acknowledged")
    bunia = raise_alert(reporter_other)
    assert counts_of(wpa)["alerts.new"] == 1
    assert counts_of(senior_wpa)["alerts.new"] == 1  # her own office's, not Bunia's
    assert "alerts.new" not in counts_of(reporter)
    Alert.objects.filter(pk=bunia.pk).update(received_at=clock.now() - timedelta(hours=2))
    alerts_escalate()
    assert counts_of(senior_wpa)["alerts.escalated"] == 1 and "alerts.escalated" not in counts_of(wpa)
    assert links_list_their_rows(login(wpa), wpa, app="alerts") == 1
    assert links_list_their_rows(login(senior_wpa), senior_wpa, app="alerts") == 2
    assert lines_of(senior_wpa)["alerts.escalated"].urgent and not lines_of(wpa)["alerts.new"].urgent

"""The booleans views hand to templates, per persona and status."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from crsv.accounts.models import User
from incidents import permissions
from incidents.models import Incident

pytestmark = pytest.mark.django_db

FLAGS = [
    "can_view_narrative",
    "can_edit",
    "can_submit",
    "can_assign",
    "can_return",
    "can_verify",
    "can_reopen",
]


def _true_flags(user: User, incident: Incident) -> set[str]:
    flags = permissions.incident_permissions(user, incident)
    assert flags["can_view_narrative"] == flags["can_view_exact_location"] == flags["can_view_identification"]
    return {name for name in FLAGS if flags[name]}


@pytest.mark.parametrize(
    ("state", "persona", "expected"),
    [
        ("draft", "reporter", {"can_view_narrative", "can_edit", "can_submit"}),
        ("submitted", "reporter", {"can_view_narrative"}),
        ("returned", "reporter", {"can_view_narrative", "can_edit", "can_submit"}),
        ("submitted", "colleague", set()),
        ("submitted", "wpa", {"can_view_narrative", "can_assign", "can_return", "can_verify"}),
        ("under_review", "wpa", {"can_view_narrative", "can_assign", "can_return", "can_verify"}),
        ("returned", "wpa", {"can_view_narrative"}),
        ("closed", "wpa", {"can_view_narrative"}),
        ("closed", "senior_wpa", {"can_view_narrative", "can_reopen"}),
        ("submitted", "senior_wpa", {"can_view_narrative", "can_assign", "can_return", "can_verify"}),
        ("submitted", "analyst", set()),
        ("closed", "analyst", set()),
        ("submitted", "wpa_other", set()),
        ("submitted", "provider", set()),
        ("submitted", "outsider", set()),
    ],
)
def test_incident_permissions(
    make_incident: Callable[..., Incident],
    request: pytest.FixtureRequest,
    reporter: User,
    state: str,
    persona: str,
    expected: set[str],
) -> None:
    incident = make_incident(state, reporter=reporter)
    assert _true_flags(request.getfixturevalue(persona), incident) == expected


@pytest.mark.parametrize(
    ("persona", "may_list", "may_create", "deidentified", "identification"),
    [
        ("reporter", True, True, False, True),
        ("wpa", True, True, False, True),
        ("senior_wpa", True, True, False, True),
        ("analyst", True, False, True, False),
        ("provider", False, False, False, False),
        ("admin_user", False, False, False, False),
        ("auditor", False, False, False, False),
        ("no_role", False, False, False, False),
        ("outsider", True, True, False, True),
    ],
)
def test_role_level_permissions(
    request: pytest.FixtureRequest,
    persona: str,
    may_list: bool,
    may_create: bool,
    deidentified: bool,
    identification: bool,
) -> None:
    user = request.getfixturevalue(persona)
    assert permissions.can_list_incidents(user) is may_list
    assert permissions.can_create_incident(user) is may_create
    assert permissions.is_deidentified_viewer(user) is deidentified
    assert permissions.can_view_identification(user) is identification


def test_anonymous_may_do_nothing(make_incident: Callable[..., Incident], reporter: User) -> None:
    from django.contrib.auth.models import AnonymousUser

    incident = make_incident("submitted", reporter=reporter)
    assert not permissions.can_list_incidents(AnonymousUser())
    assert not any(permissions.incident_permissions(AnonymousUser(), incident).values())


def test_a_sea_incident_is_for_senior_wpas(make_incident: Callable[..., Incident], reporter: User, wpa: User,
                                           senior_wpa: User) -> None:  # fmt: skip
    from tests.incidents.factories import UN_PERPETRATOR

    incident = make_incident("submitted", reporter=reporter, perpetrators=UN_PERPETRATOR)
    assert not permissions.may_review(wpa, incident)
    assert permissions.may_review(senior_wpa, incident)

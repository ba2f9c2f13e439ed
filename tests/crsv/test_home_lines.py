"""The home page's "What needs you now" (issue 11 item 6): the lines the apps register
(crsv.registry.HomeLines), shown when they count something, each a link with its count; the
platform's own lines (an administrator's accounts that cannot sign in, an auditor's latest
events). The apps' lines: tests/<app>/test_home_lines.py."""

from __future__ import annotations

import ast
import io
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from crsv import registry
from crsv.accounts import home_lines
from crsv.accounts.models import User
from crsv.audit.models import AuditEvent
from crsv.audit.services import audit_record
from crsv.registry import HomeLines, TodoLine
from tests.factories import UserFactory
from tests.home_lines import counts_of, lines_of, links_list_their_rows

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_every_app_registers_its_lines() -> None:
    assert set(registry.home_lines) == {
        "accounts",
        "incidents",
        "alerts",
        "survivors",
        "referrals",
        "notifications",
    }


@pytest.fixture
def fake_lines(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[TodoLine]]:
    """The registry holds only one source, whose lines the test sets."""
    lines: list[TodoLine] = []
    monkeypatch.setattr(registry, "home_lines", {})
    monkeypatch.setattr(home_lines, "home_lines", registry.home_lines)
    registry.home_lines_register(HomeLines(name="test", order=1, lines=lambda user: list(lines)))
    yield lines


def test_the_page_shows_the_lines_that_count_urgent_first_and_hides_zeros(
    fake_lines: list[TodoLine], login: Callable[[User], Client], wpa: User
) -> None:
    fake_lines += [
        TodoLine("test.calm", "Calm things", 3, "/calm/"),
        TodoLine("test.none", "Nothing here", 0, "/none/"),
        TodoLine("test.late", "Late things", 2, "/late/", urgent=True),
    ]
    html = login(wpa).get("/").content.decode()
    assert "What needs you now" in html
    assert (
        '<a href="/late/"><span class="todo-count">2</span> <span class="todo-label">Late things</span>'
        in html
    )
    assert '<a href="/calm/"><span class="todo-count">3</span>' in html
    assert "/none/" not in html and "Nothing here" not in html  # a zero is hidden
    assert html.index("/late/") < html.index("/calm/")  # the urgent first
    assert html.count("todo-urgent") == 1 and html.count('class="todo-flag"') == 1
    assert html.index("What needs you now") < html.index("Your roles")  # at the top


def test_all_zero_says_nothing_waits_and_no_line_no_section(
    fake_lines: list[TodoLine], login: Callable[[User], Client], wpa: User
) -> None:
    client = login(wpa)
    assert "What needs you now" not in client.get("/").content.decode()  # no line for her at all
    fake_lines.append(TodoLine("test.none", "Nothing here", 0, "/none/"))
    html = client.get("/").content.decode()
    assert "What needs you now" in html and "Nothing is waiting for you." in html


def test_lines_count_counts_each_line_and_its_urgency_in_one_query(
    django_assert_num_queries: Any, wpa: User, reporter: User, admin_user: User
) -> None:
    lines = [
        home_lines.LineCount("t.all", "All", "/a/", Q()),
        home_lines.LineCount("t.wpa", "W", "/w/", Q(username="wpa"), urgent=True),
        home_lines.LineCount("t.none", "N", "/n/", Q(username="nobody"), urgent=True),
        home_lines.LineCount(
            "t.some", "S", "/s/", Q(username__in=["wpa", "reporter"]), urgent=Q(username="admin")
        ),
    ]
    with django_assert_num_queries(1):
        counted = home_lines.lines_count(
            User.objects.filter(username__in=["wpa", "reporter", "admin"]), lines
        )
    assert [(line.name, line.count, line.urgent) for line in counted] == [
        ("t.all", 3, False),
        ("t.wpa", 1, True),
        ("t.none", 0, False),  # urgent only when it counts something
        ("t.some", 2, False),  # none of its rows is the admin
    ]
    assert home_lines.lines_count(User.objects.none(), lines)[0].count == 0
    assert home_lines.lines_count(User.objects.all(), []) == []


# --- the platform's lines -------------------------------------------------------------------------


def test_an_administrator_sees_accounts_without_a_second_factor_and_locked_out(
    admin_user: User, wpa: User, reporter: User, login: Callable[[User], Client]
) -> None:
    call_command("bootstrap", stdout=io.StringIO())  # the admin role's permissions (axes' rows)
    client = login(admin_user)  # she has a device now; the others have none
    UserFactory(username="left", roles=[], offices=[], is_active=False)  # inactive: not counted
    now = timezone.now()
    AccessAttempt.objects.create(
        username="wpa", ip_address="198.51.100.7", user_agent="", failures_since_start=5
    )
    AccessAttempt.objects.create(
        username="reporter", ip_address="198.51.100.7", user_agent="", failures_since_start=2
    )
    old = AccessAttempt.objects.create(
        username="reporter", ip_address="198.51.100.8", user_agent="a", failures_since_start=9
    )
    AccessAttempt.objects.filter(pk=old.pk).update(attempt_time=now - timedelta(minutes=16))  # cooled off
    AccessAttempt.objects.create(
        username="?0123abcd", ip_address="198.51.100.9", user_agent="", failures_since_start=9
    )

    lines = lines_of(admin_user)
    assert {name: line.count for name, line in lines.items()} == {
        "accounts.no_second_factor": 2,  # wpa and reporter
        "accounts.locked": 1,  # wpa, from one address
    }
    assert lines["accounts.locked"].urgent and not lines["accounts.no_second_factor"].urgent
    assert links_list_their_rows(client, admin_user, app="accounts") == 2


def test_an_auditor_sees_the_latest_events(auditor: User, wpa: User, login: Callable[[User], Client]) -> None:
    call_command("bootstrap", stdout=io.StringIO())
    client = login(auditor)
    for _ in range(3):
        audit_record(actor=wpa, action=AuditEvent.Action.LOGIN)
    counts = counts_of(auditor)
    assert set(counts) == {"audit.recent_events", "audit.recent_reads"}
    assert counts["audit.recent_events"] == AuditEvent.objects.count() >= 3
    assert counts["audit.recent_reads"] == 0
    assert links_list_their_rows(client, auditor, app="audit") == 2
    tomorrow = timezone.now() + timedelta(days=2)  # "the last 24 hours" moves on
    assert all(line.count == 0 for line in home_lines.platform_lines(auditor, now=tomorrow))


@pytest.mark.parametrize("persona", ["reporter", "wpa", "senior_wpa", "analyst", "provider", "no_role"])
def test_no_platform_line_for_the_other_roles(persona: str, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(persona)
    assert home_lines.platform_lines(user) == []


def test_no_line_at_all_for_an_analyst_or_a_user_without_a_role(analyst: User, no_role: User) -> None:
    assert lines_of(analyst) == {} and lines_of(no_role) == {}


def _msgids(path: str) -> set[str]:
    """The strings of `path` given to `_` (gettext_lazy)."""
    tree = ast.parse((ROOT / path).read_text())
    return {
        str(node.args[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_"
        and isinstance(node.args[0], ast.Constant)
    }


@pytest.mark.parametrize("persona", ["reporter", "wpa", "senior_wpa", "provider", "admin_user", "auditor"])
def test_every_label_is_marked_for_translation(persona: str, request: pytest.FixtureRequest) -> None:
    """Each line's label is a msgid of its module (French comes from locale/, done by the lead)."""
    msgids = set().union(
        *(
            _msgids(f"{package}/home_lines.py")
            for package in ("crsv/accounts", "crsv/notifications", "incidents", "survivors", "referrals")
        ),
        _msgids("incidents/alert_home_lines.py"),
    )
    labels = {line.label for line in lines_of(request.getfixturevalue(persona)).values()}
    assert labels and labels <= msgids

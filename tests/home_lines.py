"""Helpers of the home-page line tests (tests/<app>/test_home_lines.py): a user's lines by name,
and how many rows the page a line links to lists."""

from __future__ import annotations

from typing import Any

from django.test import Client

from crsv.accounts.home_lines import todo_lines
from crsv.registry import TodoLine


def lines_of(user: Any) -> dict[str, TodoLine]:
    """Every line registered for `user` (zero counts included), by name, on a fresh instance
    (the roles, offices and provider kept on the instance are read again)."""
    fresh = type(user).objects.get(pk=user.pk)
    return {line.name: line for line in todo_lines(fresh)}


def counts_of(user: Any) -> dict[str, int]:
    return {name: line.count for name, line in lines_of(user).items()}


def listed(client: Client, url: str) -> int:
    """How many rows the list at `url` shows (one page: the tests stay under 50 rows)."""
    response = client.get(url)
    assert response.status_code == 200, url
    context = response.context
    if "cl" in context:  # an admin changelist
        return int(context["cl"].result_count)
    assert context.get("next_url") is None and not context.get("next_cursor"), "more than one page"
    return len(context["rows"])


def links_list_their_rows(client: Client, user: Any, *, app: str, skip: frozenset[str] = frozenset()) -> int:
    """Follow every line of `app` for `user` (but `skip`) with the test client, signed in as her:
    each page lists exactly the line's count. Returns how many links were followed."""
    followed = 0
    for name, line in lines_of(user).items():
        if name.startswith(f"{app}.") and name not in skip:
            assert listed(client, line.url) == line.count, (name, line.url)
            followed += 1
    return followed

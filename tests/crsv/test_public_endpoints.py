"""The few public endpoints answer without login; everything else does not."""

from __future__ import annotations

import pytest
from django.test import Client

from crsv.urls import PUBLIC_PATHS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("get", "/healthz", {200, 503}),
        ("get", "/accounts/login/", {200}),
        ("get", "/accounts/logout/", {200}),
        ("post", "/i18n/setlang/", {302}),
        ("post", "/api/v1/auth/token/", {400}),  # answers (bad input), does not ask for login
        ("get", "/api/schema/", {200}),
        ("get", "/static/css/app.css", {200}),
    ],
)
def test_public_endpoint_answers_anonymous(
    client: Client, method: str, path: str, expected: set[int]
) -> None:
    response = (
        getattr(client, method)(path, content_type="application/json")
        if path.startswith("/api/v1/")
        else getattr(client, method)(path)
    )
    assert response.status_code in expected


def test_public_list_is_the_documented_one() -> None:
    assert set(PUBLIC_PATHS) == {
        "/healthz",
        "/accounts/login/",
        "/accounts/logout/",
        "/i18n/setlang/",
        "/api/v1/auth/token/",
        "/api/schema/",
    }


@pytest.mark.parametrize("path", ["/", "/admin/"])
def test_pages_redirect_anonymous_to_login(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_every_url_pattern_is_public_only_if_listed(client: Client) -> None:
    """Walk the URL conf: a non-API page that answers anonymous with 2xx must be in PUBLIC_PATHS."""
    from django.urls import get_resolver

    def walk(patterns: list, prefix: str = "") -> list[str]:  # type: ignore[type-arg]
        paths = []
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if hasattr(pattern, "url_patterns"):
                if route.startswith("admin/"):
                    continue  # the admin protects itself (checked above)
                paths += walk(pattern.url_patterns, route)
            elif "<" not in route and "(?P" not in route and "^" not in route:
                paths.append("/" + route)
        return paths

    for path in walk(get_resolver().url_patterns):
        response = client.get(path)
        if path.startswith("/api/v1/") and path not in PUBLIC_PATHS:
            assert response.status_code == 401, path
        elif response.status_code < 300:
            assert path in PUBLIC_PATHS, path

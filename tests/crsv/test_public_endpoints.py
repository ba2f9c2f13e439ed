"""The few public endpoints answer without login; everything else does not."""

from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

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
        ("get", "/admin/login/", {200}),
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


@pytest.mark.parametrize("path", ["/", "/admin/"])
def test_pages_redirect_anonymous_to_login(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# A sample value for each path converter, and for the regex routes (the admin's app index and
# catch-all) a path their regex matches: a new kind of route fails the walk until it has one.
CONVERTER_SAMPLES = {"uuid": str(uuid.uuid4()), "int": "1", "str": "x", "slug": "x", "path": "x/y"}
REGEX_SAMPLES = ("accounts/", "x/")


def _sample(pattern: RoutePattern | RegexPattern) -> str:
    if isinstance(pattern, RoutePattern):
        return re.sub(
            r"<(?:(?P<converter>\w+):)?\w+>",
            lambda m: CONVERTER_SAMPLES[m["converter"] or "str"],
            str(pattern),
        )
    sample = next((s for s in REGEX_SAMPLES if pattern.regex.fullmatch(s)), None)
    assert sample is not None, f"add a sample path for the route {pattern}"
    return sample


def every_route(patterns: list[URLPattern | URLResolver] | None = None, prefix: str = "/") -> list[str]:
    """One concrete path per route of the URLconf, nested includes and parameters included."""
    paths = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        path = prefix + _sample(pattern.pattern)
        if isinstance(pattern, URLResolver):
            paths += every_route(pattern.url_patterns, path)
        else:
            paths.append(path)
    return paths


def test_the_walk_finds_every_app_s_routes() -> None:
    routes = every_route()
    for expected in ("/", "/api/v1/locations/", "/api/v1/parties/", "/admin/login/", "/admin/accounts/"):
        assert expected in routes
    some_id = CONVERTER_SAMPLES["uuid"]
    for prefix in ("/incidents/", "/survivors/", "/api/v1/incidents/", "/api/v1/survivors/"):
        assert f"{prefix}{some_id}/" in routes


def test_every_public_path_is_a_route() -> None:
    """The documented list names routes that exist (a stale entry would hide a new route of that path)."""
    assert set(PUBLIC_PATHS) <= set(every_route())


def test_every_other_route_asks_anonymous_to_sign_in(client: Client) -> None:
    """Anonymous GET on every route but the documented public ones: a page redirects to a
    sign-in page, an API answers 401. A view made public by mistake (login_not_required, an
    AllowAny permission) fails here until it is added to `crsv.urls.PUBLIC_PATHS`."""
    checked = []
    for path in every_route():
        if path in PUBLIC_PATHS:
            continue
        response = client.get(path)
        if path.startswith("/api/"):
            assert response.status_code == 401, path
        else:
            assert response.status_code == 302, path
            location = urlsplit(response["Location"])
            assert location.path in ("/accounts/login/", "/admin/login/"), path
            assert parse_qs(location.query)["next"] == [path], path
        checked.append(path)
    assert len(checked) > 50

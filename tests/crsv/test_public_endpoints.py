"""The few public endpoints answer without login; everything else does not."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from crsv.urls import PUBLIC_PATHS, PUBLIC_PREFIXES
from tests.matrix import CONVERTER_SAMPLES, every_route

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
        ("get", "/r/x/", {404}),  # an unknown answer link: a page, not a sign-in (test_answer_links.py)
        ("get", "/accounts/invitation/x/", {404}),  # an unknown invitation: a page (tests/crsv/invitations/)
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
    for prefix in PUBLIC_PREFIXES:
        assert any(route.startswith(prefix) for route in every_route()), prefix


def test_every_other_route_asks_anonymous_to_sign_in(client: Client) -> None:
    """Anonymous GET on every route but the documented public ones: a page redirects to a
    sign-in page, an API answers 401. A view made public by mistake (login_not_required, an
    AllowAny permission) fails here until it is added to `crsv.urls.PUBLIC_PATHS`."""
    checked = []
    for path in every_route():
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
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

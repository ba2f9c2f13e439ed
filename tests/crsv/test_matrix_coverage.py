"""Every route of the URLconf and every operation of the OpenAPI schema has a row in a
permission matrix (tests/<app>/test_matrix*.py), or is exempt here with its reason; and every
operation a table names is tried signed out and by a user deactivated after signing in."""

from __future__ import annotations

import pytest

from crsv.urls import PUBLIC_PATHS, PUBLIC_PREFIXES
from tests.matrix import (
    ANONYMOUS,
    DEACTIVATED,
    Row,
    every_api_operation,
    every_route_template,
    every_table,
    row_check,
    uncovered,
    unexercised,
)

# Routes no matrix covers, each with why (a prefix ending in "/" exempts what is under it).
EXEMPT_ROUTES: dict[str, str] = {
    **dict.fromkeys(PUBLIC_PATHS, "public (crsv.urls.PUBLIC_PATHS, test_public_endpoints.py)"),
    **dict.fromkeys(
        PUBLIC_PREFIXES,
        "public, token-guarded: the one-time answer link is the credential and every persona, "
        "signed in or not, gets the same page (tests/referrals/test_answer_links.py)",
    ),
    "/admin/": "the Django admin site: staff only (its entry is in tests/crsv/test_matrix.py), "
    "scoped by its ModelAdmins (test_admin_access.py)",
}
EXEMPT_OPERATIONS: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/auth/token/"): "public: signing in for a token (PUBLIC_PATHS)",
}


def _all_rows() -> list[Row]:
    return [row for _name, table in every_table() for row in table.rows]


def _missing() -> list[str]:
    return uncovered(
        routes=every_route_template(),
        operations=every_api_operation(),
        rows=_all_rows(),
        exempt=EXEMPT_ROUTES,
        exempt_operations=EXEMPT_OPERATIONS,
    )


def test_every_route_and_api_operation_has_a_matrix_row() -> None:
    missing = _missing()
    assert not missing, "no permission-matrix row (add one to tests/<app>/test_matrix.py):\n" + "\n".join(
        missing
    )


def test_every_operation_is_tried_anonymous_and_deactivated() -> None:
    """Each (method, route) of every table has an `anonymous` row and a `deactivated` one (a
    persona deactivated after her session or token was made): add the `anon` and `deac`
    columns to its grid (pages: 302 to sign in; API: 401). Public routes are the same for
    everyone (crsv.urls.PUBLIC_PATHS, PUBLIC_PREFIXES: test_public_endpoints.py)."""
    guarded = [
        row
        for row in _all_rows()
        if row.route not in PUBLIC_PATHS and not row.route.startswith(PUBLIC_PREFIXES)
    ]
    missing = unexercised(guarded)
    assert not missing, "not tried signed out:\n" + "\n".join(missing)


def test_no_row_expects_a_2xx_signed_out_or_in_another_mission() -> None:
    """What the tables themselves promise: anonymous and deactivated rows expect the sign-in
    redirect (pages) or 401 (API), never a 2xx; an object of the other mission (MINUSCA) is 404
    to everyone of this one (every persona but the `outsider`, who works there)."""
    wrong = [
        row.id
        for row in _all_rows()
        if (row.persona == ANONYMOUS or row.persona.startswith(DEACTIVATED))
        and row.route not in PUBLIC_PATHS
        and not row.route.startswith(PUBLIC_PREFIXES)
        and row.status != (401 if row.is_api else 302)
    ]
    wrong += [
        row.id
        for row in _all_rows()
        if row.position == "other_mission" and row.persona != "outsider" and row.status != 404
    ]
    assert not wrong, "\n".join(wrong)


def test_the_signed_out_check_names_what_is_not_tried() -> None:
    rows = [
        Row("GET", "/things/", ANONYMOUS, None, 302),
        Row("GET", "/things/", f"{DEACTIVATED}:auditor", None, 302),
        Row("POST", "/things/", ANONYMOUS, None, 302),
        Row("GET", "/api/v1/things/", DEACTIVATED, None, 401),
    ]
    assert unexercised(rows) == [
        "GET /api/v1/things/: no anonymous row",
        "POST /things/: no deactivated row",
    ]


@pytest.mark.django_db
def test_the_runner_deactivates_after_signing_in(request: pytest.FixtureRequest) -> None:
    """The deactivated persona's session and token were valid: the same rows pass for the WPA
    herself, and fail for her once deactivated if a 200 is expected."""
    row_check(Row("GET", "/incidents/", "wpa", None, 200), request, {})
    row_check(Row("GET", "/api/v1/incidents/", "wpa", None, 200), request, {})
    with pytest.raises(AssertionError, match="302"):
        row_check(Row("GET", "/incidents/", DEACTIVATED, None, 200), request, {})
    wpa = request.getfixturevalue("wpa")
    wpa.refresh_from_db()
    assert not wpa.is_active


def test_the_tables_are_found_and_cover_the_apps() -> None:
    names = {name for name, _table in every_table()}
    assert {"tests.incidents.test_matrix", "tests.survivors.test_matrix", "tests.crsv.test_matrix"} <= names
    assert any(name.startswith("tests.referrals.") for name in names)
    routes = {row.route for row in _all_rows()}
    assert {"/incidents/{public_id}/", "/api/v1/survivors/{public_id}/grants/{username}/revoke/"} <= routes


def test_the_exemptions_name_real_routes_and_operations() -> None:
    """A stale exemption would hide a new route of that path."""
    templates = every_route_template()
    for exempt in EXEMPT_ROUTES:
        assert any(t == exempt or t.startswith(exempt) for t in templates), exempt
    assert set(EXEMPT_OPERATIONS) <= set(every_api_operation())


def test_the_enumerations_see_both_doors() -> None:
    templates = every_route_template()
    assert "/survivors/{public_id}/grants/{user_id}/revoke/" in templates
    assert "/api/v1/incidents/{public_id}/transitions/" in templates
    operations = every_api_operation()
    assert ("PATCH", "/api/v1/incidents/{public_id}/") in operations
    assert ("DELETE", "/api/v1/auth/token/") in operations
    assert len(operations) > 20


def test_the_checker_names_what_has_no_row() -> None:
    """`uncovered` can fail: a route, and an operation of a covered path by another method."""
    rows = [Row("GET", "/things/", "wpa", None, 200), Row("GET", "/api/v1/things/", "wpa", None, 200)]
    missing = uncovered(
        routes=["/things/", "/things/{public_id}/", "/admin/x/", "/healthz"],
        operations=[("GET", "/api/v1/things/"), ("POST", "/api/v1/things/"), ("POST", "/api/v1/auth/token/")],
        rows=rows,
        exempt={"/admin/": "admin", "/healthz": "public"},
        exempt_operations=EXEMPT_OPERATIONS,
    )
    assert missing == ["route /things/{public_id}/", "operation POST /api/v1/things/"]


def test_a_new_route_without_a_row_fails() -> None:
    """A route registered in the URLconf with no row is named by the real check."""
    from django.http import HttpResponse
    from django.urls import clear_url_caches, path

    import crsv.urls

    def unlisted(request: object) -> HttpResponse:
        return HttpResponse()

    original = list(crsv.urls.urlpatterns)
    crsv.urls.urlpatterns.append(path("unlisted/<uuid:public_id>/", unlisted))
    clear_url_caches()
    try:
        assert "route /unlisted/{public_id}/" in _missing()
    finally:
        crsv.urls.urlpatterns[:] = original
        clear_url_caches()


@pytest.mark.django_db
def test_the_runner_fails_on_a_wrong_status(request: pytest.FixtureRequest) -> None:
    """A row whose status is not what the server answers fails (here: anonymous on the home page
    is sent to sign in, not shown the page)."""
    with pytest.raises(AssertionError, match="302"):
        row_check(Row("GET", "/", "anonymous", None, 200), request, {})
    with pytest.raises(AssertionError, match="403"):
        row_check(Row("GET", "/incidents/", "provider", None, 200), request, {})

"""The permission matrix (the idea of NetBox's `ViewTestCases`): one declarative table per app,
endpoint x persona x object position -> status, run by the one runner of this module.

A table (`Table`) is the `TABLE` of `tests/<app>/test_matrix.py` (or of `test_matrix_<part>.py`
when an app's table is split); the module exposes its runner with
`test_matrix = matrix_test(TABLE)`. `tests/crsv/test_matrix_coverage.py` finds every such
module, and fails naming each route of the URLconf and each OpenAPI operation no row covers:
adding an app's table is one new file.

- **Persona**: the name of a fixture of `tests/conftest.py` (or of the app's conftest), or
  `anonymous`, or `deactivated`: the `wpa` persona (the Goma WPA, who holds the most of what the
  positions build) signed in, or given her token, and *then* deactivated by the admin through
  `user_access_change`, so that the request proves an open session or a live token dies with
  the account (a page sends her to sign in, the API answers 401, whatever the position);
  `deactivated:<fixture>` deactivates another persona (a table's `codes` may map `deac` to
  it, e.g. the auditor on the auditor's pages). Pages
  are requested with a signed-in session whose second factor is verified, as `login(user)`
  does; the API with a bearer token (`api_token_issue`), its usual door.
- **Position**: a name the table maps to a builder, `Callable[[Scene], dict]`, that makes the
  object through the real services and returns the values of the route's placeholders (and any
  other value a body needs, e.g. a consent's id). Positions are absolute (built the same for
  every persona), named from the point of view the app's conftest documents.
- **Route**: the URLconf's route with `{name}` for each parameter, as the OpenAPI paths are
  written (`/api/v1/incidents/{public_id}/`): the coverage test compares them as strings.
- **Body**: POST/PUT/PATCH data (form fields for a page, JSON for the API), or query data for a
  GET; a callable of the scene when it needs a built value. Bodies are valid, so that a 2xx or
  a 302 proves access and a 403/404 a refusal.

Every operation a table names is also tried by `anonymous` and by `deactivated` (the coverage
test's `unexercised` names any that is not): a grid's head line has the `anon` and `deac` codes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern

from crsv.accounts.models import User

ANONYMOUS = "anonymous"
DEACTIVATED = "deactivated"
# Who the `deactivated` persona is until she is deactivated: a fixture name.
DEACTIVATED_PERSONA = "wpa"
# Personas whose every request must be refused as signed out: sent to sign in, or 401.
SIGNED_OUT = (ANONYMOUS, DEACTIVATED)

Body = Mapping[str, Any] | Callable[["Scene"], Mapping[str, Any]]


@dataclass
class Scene:
    """What one row's request is made in: the acting user (None: anonymous), the fixtures, and
    the values its position built."""

    request: pytest.FixtureRequest
    user: User | None
    values: dict[str, Any] = field(default_factory=dict)

    def fixture(self, name: str) -> Any:
        return self.request.getfixturevalue(name)


Position = Callable[[Scene], Mapping[str, Any]]


@dataclass(frozen=True)
class Row:
    """`persona` doing `method` on `route`, with the object at `position`, gets `status`."""

    method: str
    route: str
    persona: str
    position: str | None
    status: int
    body: Body | None = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.route} [{self.position or '-'}] {self.persona}"

    @property
    def is_api(self) -> bool:
        return self.route.startswith("/api/")


def rows(
    method: str,
    route: str,
    expected: Mapping[str, int],
    *,
    position: str | None = None,
    body: Body | None = None,
) -> list[Row]:
    """One row per persona of `expected` (persona -> status) for one request shape."""
    return [
        Row(method.upper(), route, persona, position, status, body) for persona, status in expected.items()
    ]


# The column heads of a grid: short names of the personas of tests/conftest.py.
PERSONA_CODES: dict[str, str] = {
    "anon": ANONYMOUS,
    "deac": DEACTIVATED,
    "rep": "reporter",
    "wpa": "wpa",
    "wpaB": "wpa_other",
    "sen": "senior_wpa",
    "ana": "analyst",
    "pro": "provider",
    "aud": "auditor",
    "adm": "admin_user",
    "none": "no_role",
    "out": "outsider",
    "col": "colleague",  # tests/incidents/conftest.py: another reporter of the reporter's office
}


def grid(
    route: str,
    table: str,
    *,
    body: Body | None = None,
    bodies: Mapping[str, Body] | None = None,
    query: Body | None = None,
    codes: Mapping[str, str] | None = None,
) -> list[Row]:
    """The rows of one route, written as a matrix: a head line of persona codes
    (`PERSONA_CODES`, plus the app's `codes`), then one line per request shape,
    `METHOD position status...`, with `-` for no position and `.` for no row.

    `body` is sent by every row of a method other than GET, `query` by every GET row;
    `bodies` (position -> body) overrides `body` per position.
    """
    known = {**PERSONA_CODES, **(codes or {})}
    head, *lines = [line.split() for line in table.strip().splitlines() if line.strip()]
    personas = [known[code] for code in head]
    found: list[Row] = []
    for method, position, *statuses in lines:
        assert len(statuses) == len(personas), f"{route} {method} {position}: {len(statuses)} statuses"
        place = None if position == "-" else position
        shape_body = query if method == "GET" else (bodies or {}).get(position, body)
        found += [
            Row(method, route, persona, place, int(status), shape_body)
            for persona, status in zip(personas, statuses, strict=True)
            if status != "."
        ]
    return found


@dataclass(frozen=True)
class Table:
    """An app's matrix: its rows and the builders of the positions they name."""

    rows: list[Row]
    positions: Mapping[str, Position]

    def __post_init__(self) -> None:
        ids = [row.id for row in self.rows]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        assert not duplicates, f"rows given twice: {duplicates}"
        unknown = sorted({row.position for row in self.rows if row.position} - set(self.positions))
        assert not unknown, f"positions without a builder: {unknown}"


# --- the runner ---------------------------------------------------------------------------------


def _client(row: Row, user: User | None) -> Any:
    if row.is_api:
        from rest_framework.test import APIClient

        from crsv.accounts.services import api_token_issue

        api = APIClient()
        if user is not None:
            raw, _token = api_token_issue(user=user)
            api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return api
    from tests.conftest import verify_second_factor

    client = Client()
    if user is not None:
        client.force_login(user)
        verify_second_factor(client, user)
    return client


def is_deactivated(persona: str) -> bool:
    return persona == DEACTIVATED or persona.startswith(f"{DEACTIVATED}:")


def _persona(row: Row, request: pytest.FixtureRequest) -> User | None:
    if row.persona == ANONYMOUS:
        return None
    name = row.persona
    if is_deactivated(name):
        name = name.partition(":")[2] or DEACTIVATED_PERSONA
    user: User = request.getfixturevalue(name)
    return user


def user_deactivate(request: pytest.FixtureRequest, user: User) -> None:
    """The admin deactivates `user` through the one service that does it (her roles and offices
    kept): what the access pages and the idle-account task do."""
    from crsv.accounts.models import FieldOffice
    from crsv.accounts.services import user_access_change

    user_access_change(
        actor=request.getfixturevalue("admin_user"),
        user=user,
        roles=list(user.groups.values_list("name", flat=True)),
        offices=list(FieldOffice.objects.filter(memberships__user=user)),
        is_active=False,
    )


def response_for(row: Row, request: pytest.FixtureRequest, positions: Mapping[str, Position]) -> Any:
    """Build the row's persona and position, then make its request (for `deactivated`: sign
    her in, then deactivate her, then make it)."""
    user = _persona(row, request)
    scene = Scene(request=request, user=user)
    if row.position is not None:
        scene.values.update(positions[row.position](scene))
    url = row.route.format(**{k: str(v) for k, v in scene.values.items()})
    assert "{" not in url, f"{row.id}: position {row.position!r} does not fill {url}"
    body = row.body(scene) if callable(row.body) else row.body
    client = _client(row, user)
    if is_deactivated(row.persona):
        assert user is not None
        user_deactivate(request, user)
    send = getattr(client, row.method.lower())
    if row.is_api and row.method != "GET":
        return send(url, body or {}, format="json")
    return send(url, body or {})


def row_check(row: Row, request: pytest.FixtureRequest, positions: Mapping[str, Position]) -> None:
    response = response_for(row, request, positions)
    detail = response.get("Location", "") if response.status_code == 302 else ""
    assert response.status_code == row.status, f"{row.id}: {response.status_code} {detail}".rstrip()
    if (row.persona == ANONYMOUS or is_deactivated(row.persona)) and not row.is_api:
        assert "/login/" in response["Location"], row.id


def matrix_test(table: Table) -> Callable[..., None]:
    """The test function of an app's table, one parametrized case per row."""

    @pytest.mark.django_db
    @pytest.mark.parametrize("row", table.rows, ids=lambda row: row.id)
    def test_matrix(row: Row, request: pytest.FixtureRequest) -> None:
        row_check(row, request, table.positions)

    return test_matrix


# --- what the tables must cover -----------------------------------------------------------------

# A sample value for each path converter, and for the regex routes (the admin's app index and
# catch-all) a path their regex matches: a new kind of route fails the walk until it has one.
CONVERTER_SAMPLES = {
    "uuid": "8a0b2f4e-3c1d-4e5f-9a6b-7c8d9e0f1a2b",
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x/y",
}
REGEX_SAMPLES = ("accounts/", "x/")
_PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _patterns(
    patterns: list[URLPattern | URLResolver] | None,
) -> list[URLPattern | URLResolver]:
    return get_resolver().url_patterns if patterns is None else patterns


def _sample(pattern: RoutePattern | RegexPattern | LocalePrefixPattern) -> str:
    if isinstance(pattern, RoutePattern):
        return _PARAMETER.sub(lambda m: CONVERTER_SAMPLES[m["converter"] or "str"], str(pattern))
    sample = next((s for s in REGEX_SAMPLES if pattern.regex.fullmatch(s)), None)
    assert sample is not None, f"add a sample path for the route {pattern}"
    return sample


def every_route(patterns: list[URLPattern | URLResolver] | None = None, prefix: str = "/") -> list[str]:
    """One concrete path per route of the URLconf, nested includes and parameters included."""
    paths = []
    for pattern in _patterns(patterns):
        path = prefix + _sample(pattern.pattern)
        if isinstance(pattern, URLResolver):
            paths += every_route(pattern.url_patterns, path)
        else:
            paths.append(path)
    return paths


def _template(pattern: RoutePattern | RegexPattern | LocalePrefixPattern) -> str:
    if isinstance(pattern, RoutePattern):
        return _PARAMETER.sub(lambda m: "{" + m["name"] + "}", str(pattern))
    return str(pattern.regex.pattern)  # the admin's regex routes: exempt by prefix, shown as is


def every_route_template(
    patterns: list[URLPattern | URLResolver] | None = None, prefix: str = "/"
) -> list[str]:
    """Every route of the URLconf as a template, `/survivors/{public_id}/grants/{user_id}/revoke/`."""
    templates = []
    for pattern in _patterns(patterns):
        template = prefix + _template(pattern.pattern)
        if isinstance(pattern, URLResolver):
            templates += every_route_template(pattern.url_patterns, template)
        else:
            templates.append(template)
    return templates


def every_api_operation() -> list[tuple[str, str]]:
    """Every (METHOD, path) the published OpenAPI schema documents."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def uncovered(
    *,
    routes: Iterable[str],
    operations: Iterable[tuple[str, str]],
    rows: Iterable[Row],
    exempt: Mapping[str, str],
    exempt_operations: Mapping[tuple[str, str], str],
) -> list[str]:
    """What no row covers: each route (any method) and each API operation (that method), less
    the exemptions (a route exempted by itself or by a prefix ending in '/')."""
    rows = list(rows)
    covered_routes = {row.route for row in rows}
    covered_operations = {(row.method, row.route) for row in rows}

    def is_exempt(route: str) -> bool:
        return any(route == e or (e.endswith("/") and e != "/" and route.startswith(e)) for e in exempt)

    missing = [f"route {r}" for r in routes if r not in covered_routes and not is_exempt(r)]
    missing += [
        f"operation {m} {p}"
        for m, p in operations
        if (m, p) not in covered_operations and (m, p) not in exempt_operations
    ]
    return missing


def unexercised(rows: Iterable[Row], personas: Iterable[str] = SIGNED_OUT) -> list[str]:
    """Each operation (method and route) some row names that no row tries as each of `personas`."""
    rows = list(rows)
    tried = {
        (row.method, row.route, DEACTIVATED if is_deactivated(row.persona) else row.persona) for row in rows
    }
    operations = sorted({(row.method, row.route) for row in rows}, key=lambda op: (op[1], op[0]))
    return [
        f"{method} {route}: no {persona} row"
        for method, route in operations
        for persona in personas
        if (method, route, persona) not in tried
    ]


def every_table() -> Iterator[tuple[str, Table]]:
    """The `TABLE` of every `tests/<app>/test_matrix*.py` that has one."""
    import importlib
    from pathlib import Path

    for module in sorted(Path(__file__).parent.glob("*/test_matrix*.py")):
        name = f"tests.{module.parent.name}.{module.stem}"
        table = getattr(importlib.import_module(name), "TABLE", None)
        if table is not None:
            yield name, table

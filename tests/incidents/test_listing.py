"""The incident list selector (`selectors.incident_page`): typed rows, one redaction for both doors,
and the shape issue 9 asks of the page (no import from the API, rows rendered by the template)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from crsv.accounts.models import User
from incidents import selectors
from incidents.api.serializers import IncidentListItemOutput
from incidents.models import Incident

pytestmark = pytest.mark.django_db

INCIDENTS = Path(settings.BASE_DIR) / "incidents"


def test_a_row_is_the_api_item_key_for_key_in_order() -> None:
    assert tuple(IncidentListItemOutput().fields) == selectors.ROW_FIELDS


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("path", sorted((INCIDENTS / "views").glob("*.py")), ids=lambda p: p.name)
def test_pages_import_nothing_from_the_api(path: Path) -> None:
    imported = _imports(path)
    assert not {name for name in imported if name.startswith(("incidents.api", "rest_framework"))}


def test_the_list_page_builds_no_html_in_python() -> None:
    """The rows are the template's: no markup strings, no mark_safe, no escaping by hand."""
    source = (INCIDENTS / "views" / "listing.py").read_text()
    imported = _imports(INCIDENTS / "views" / "listing.py")
    assert not {"django.utils.safestring", "html", "django.utils.html"} & imported
    assert "<tr" not in source and "<td" not in source
    page = (Path(settings.BASE_DIR) / "templates/incidents/list.html").read_text()
    assert '{% partial "incidents/rows.jinja" rows=rows' in page
    rows = (Path(settings.BASE_DIR) / "templates/partials/incidents/rows.jinja").read_text()
    assert "{% for row in rows %}" in rows


def test_the_selector_redacts_for_each_viewer(
    make_incident: Callable[..., Incident], reporter: User, colleague: User, analyst: User, wpa: User
) -> None:
    """Reporter: her own row exact, a colleague's coarsened to admin level 2. Analyst: no
    reference, every row coarsened. WPA of the office: exact everywhere, references."""
    own = make_incident("submitted", reporter=reporter)
    theirs = make_incident("submitted", reporter=colleague)

    def rows(user: User) -> tuple[selectors.IncidentPage, dict[str, selectors.IncidentRow]]:
        page = selectors.incident_page(user=User.objects.get(pk=user.pk))
        return page, {row.public_id: row for row in page.rows}

    page, seen = rows(reporter)
    assert page.shows_references
    assert seen[str(own.public_id)].location is not None
    assert seen[str(own.public_id)].location.admin_level == 3  # type: ignore[union-attr]
    assert seen[str(theirs.public_id)].location.admin_level == 2  # type: ignore[union-attr]
    assert seen[str(theirs.public_id)].reference == theirs.reference

    page, seen = rows(analyst)
    assert not page.shows_references
    assert {row.reference for row in page.rows} == {None}
    assert {row.location.admin_level for row in page.rows if row.location} == {2}

    page, seen = rows(wpa)
    assert {row.location.admin_level for row in page.rows if row.location} == {3}
    assert seen[str(own.public_id)].reference == own.reference


def test_a_bad_cursor_is_a_django_field_error(reporter: User) -> None:
    """Both doors map it: the API to 400 `{"cursor": [...]}`, the page to its first page."""
    with pytest.raises(ValidationError) as raised:
        selectors.incident_page(user=reporter, cursor="not-a-cursor")
    assert list(raised.value.message_dict) == ["cursor"]

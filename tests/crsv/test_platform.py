"""The platform (`crsv/`) imports no app: the apps add their URLs, home-page panels and demo
data to it (crsv.registry). `make test` checks every import contract with lint-imports."""

from __future__ import annotations

from collections.abc import Callable

import grimp
import pytest
from django.test import Client
from django.urls import reverse

from crsv import registry
from crsv.accounts.models import User

pytestmark = pytest.mark.django_db

APPS = ("incidents", "survivors", "referrals")


def test_the_platform_imports_no_app() -> None:
    graph = grimp.build_graph("crsv", *APPS, cache_dir=None)
    found = [
        f"{i['importer']} -> {i['imported']}"
        for app in APPS
        for i in graph.find_matching_direct_imports(import_expression=f"crsv.** -> {app}.**")
    ]
    assert found == []


def test_the_apps_register_their_panels_and_demo_data() -> None:
    assert set(registry.home_panels) == {"survivors.break_glass", "referrals.new", "referrals.due"}
    # In INSTALLED_APPS order, which `bootstrap --demo` follows: the survivors' demo cases link
    # the incidents' demo incidents, and the referrals' demo refers those cases.
    assert list(registry.demo_data) == ["incidents", "survivors", "referrals"]


def test_the_api_routes_of_incidents_keep_their_paths() -> None:
    assert reverse("api:location-list") == "/api/v1/locations/"
    assert reverse("api:party-list") == "/api/v1/parties/"


def test_the_home_page_shows_the_registered_panels_that_answer(
    login: Callable[[User], Client], wpa: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A panel is shown when its context function answers for this user, hidden when it says
    None: the home page decides nothing about the apps' sections itself."""
    seen = []

    def for_everyone(request: object) -> dict[str, object]:
        seen.append(request)
        return {"break_glass": [], "break_glass_more": False}

    monkeypatch.delitem(registry.home_panels, "survivors.break_glass")
    shown = registry.HomePanel("test.shown", "survivors/home_break_glass.html", for_everyone)
    hidden = registry.HomePanel("test.hidden", "no/such/template.html", lambda request: None)
    monkeypatch.setitem(registry.home_panels, shown.name, shown)
    monkeypatch.setitem(registry.home_panels, hidden.name, hidden)
    body = login(wpa).get("/").content.decode()
    assert "Recent break-glass access" in body  # a WPA sees it only because the panel answered
    assert len(seen) == 1

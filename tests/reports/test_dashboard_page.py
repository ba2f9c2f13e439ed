"""The dashboard page, GET /reports/ (issue 13 item 2): per role, filtered, equal to the
statistics layer, at a query count that does not grow with the data.

Data through the real services (tests/reports/dashboard_world.py); `rollups_flush()` applies
the test transaction's rollup changes, as a commit would.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crsv.accounts.models import FieldOffice, User
from incidents.models import Location
from incidents.services import PerpetratorData
from incidents.services.accountability import accountability_step_record
from reports.dashboard import default_period
from reports.rollups import rollups_flush
from reports.statistics import StatisticsFilter, statistics_load, statistics_scope
from survivors.identity import SurvivorIdentity
from survivors.models import Consent, ConsentText, Survivor
from survivors.services import SurvivorProfile, consent_record, survivor_register
from tests.incidents.alerts.conftest import alert_fields, alert_move
from tests.incidents.factories import PartyFactory, incident_in_state, office_today
from tests.reports import dashboard_world
from tests.reports.dashboard_world import PageTables, World, page_tables

pytestmark = pytest.mark.django_db

# The world's fixtures (tests/reports/dashboard_world.py).
djugu = dashboard_world.djugu
fataki = dashboard_world.fataki
ituri = dashboard_world.ituri
world = dashboard_world.world

DASHBOARD = "/reports/"
SURVIVOR_PANELS = ["survivors", "referrals_by_service", "referral_times", "rape_care"]
MISSION_PANELS = [
    "incidents_by_month",
    "incidents_by_office",
    "incidents_by_admin1",
    "incidents_by_admin2",
    "violations_by_form",
    "perpetrator_category",
    "perpetrator_party",
    "victims",
    "survivors",
    "verification_status",
    "verification_delay",
    "reporting_delay",
    "referrals_by_service",
    "referral_times",
    "rape_care",
    "alerts_by_urgency",
    "alert_response",
    "justice_by_stage",
]


def _tables(client: Client, **query: str) -> PageTables:
    response = client.get(DASHBOARD, query)
    assert response.status_code == 200
    return page_tables(response.content)


def _total(tables: PageTables) -> str:
    return tables.rows["incidents_by_month"]["total"][1]


@pytest.mark.parametrize(
    "persona, survivor_panels",
    [("analyst", True), ("senior_wpa", True), ("wpa", False), ("wpa_other", False)],
)
def test_each_role_gets_the_panels_of_its_scope(
    login: Callable[[User], Client], request: pytest.FixtureRequest, persona: str, survivor_panels: bool
) -> None:
    response = login(request.getfixturevalue(persona)).get(DASHBOARD)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    content = response.content.decode()
    assert '<form method="get"' in content, "filters work without script: a GET form"
    panels = list(page_tables(response.content).rows)
    expected = [p for p in MISSION_PANELS if survivor_panels or p not in SURVIVOR_PANELS]
    assert panels == expected
    assert ("Survivors by sex and age band" in content) is survivor_panels
    assert content.count("<svg ") == len(expected), "a chart above every table"
    assert content.count("<caption") == len(expected)


def test_a_bunia_wpa_counts_nothing_from_goma(
    login: Callable[[User], Client], wpa_other: User, wpa: User, world: World
) -> None:
    client = login(wpa_other)
    response = client.get(DASHBOARD)
    tables = page_tables(response.content)
    assert _total(tables) == "1"
    assert set(tables.rows["incidents_by_office"]) == {"BUN", "total"}
    assert set(tables.rows["incidents_by_admin1"]) == {"CD54", "total"}
    assert set(tables.rows["incidents_by_admin2"]) == {"CD5403", "total"}
    assert tables.cells("victims", "girls") == ["0"]
    assert tables.cells("victims", "total") == ["1"]
    assert tables.cells("violations_by_form", "sexual_slavery") == ["0"]
    assert tables.cells("violations_by_form", "rape") == ["1"]
    assert tables.rows["perpetrator_party"] == {}, "M23 was named in Goma only"
    assert tables.cells("perpetrator_category", "non_state_armed_group") == ["0"]
    assert tables.cells("verification_status", "verified") == ["0"]
    assert 'value="GOM"' not in response.content.decode(), "Goma is not even offered"
    # And the Goma WPA the other way round.
    goma = _tables(login(wpa))
    assert set(goma.rows["incidents_by_office"]) == {"GOM", "total"}
    assert goma.cells("victims", "girls") == ["7"]


def test_the_numbers_equal_the_statistics_layer(
    login: Callable[[User], Client],
    analyst: User,
    world: World,
    office: FieldOffice,
    other_office: FieldOffice,
) -> None:
    tables = _tables(login(analyst))
    start, end = default_period(timezone.localdate())
    stats = statistics_load(statistics_scope(analyst), StatisticsFilter(month_from=start, month_to=end))
    by_month = stats.by("incidents", "month")
    for key, row in tables.rows["incidents_by_month"].items():
        if key != "total":
            year, month = map(int, key.split("-"))
            assert row[1] == str(by_month.get(date(year, month, 1), 0)), key
    assert _total(tables) == str(stats.total("incidents")) == "2"
    codes = {office.id: "GOM", other_office.id: "BUN"}
    assert {codes[pk]: str(n) for pk, n in stats.by("incidents", "field_office").items()} == {
        key: row[1] for key, row in tables.rows["incidents_by_office"].items() if key != "total"
    }
    pcodes = dict(Location.objects.values_list("id", "pcode"))
    for level in ("admin1", "admin2"):
        expected = {pcodes[pk]: str(n) for pk, n in stats.by("incidents", level).items()}
        shown = {key: row[1] for key, row in tables.rows[f"incidents_by_{level}"].items() if key != "total"}
        assert shown == expected
    for panel, measure in (
        ("violations_by_form", "violations"),
        ("perpetrator_category", "perpetrator_category"),
        ("victims", "victims"),
        ("verification_status", "verification"),
        ("reporting_delay", "reporting_delay"),
    ):
        shown = {key: row[1] for key, row in tables.rows[panel].items() if row[1] != "0" and key != "total"}
        assert {k: v for k, v in shown.items() if k not in {"adults", "children"}} == {
            value: str(n) for value, n in stats.breakdown(measure).items()
        }, panel
    assert tables.cells("victims", "total") == [str(stats.total("victims"))] == ["9"]
    assert tables.cells("victims", "adults") == ["2"] and tables.cells("victims", "children") == ["7"]
    assert tables.figures["verification_rate"] == "50.0% (1 verified of 2 incidents)"
    parties = [str(n) for n in stats.breakdown("perpetrator_party").values()]
    assert [row[1] for row in tables.rows["perpetrator_party"].values()] == parties == ["1"]
    assert [row[0] for row in tables.rows["perpetrator_party"].values()] == ["M23/AFC"]


def test_filters_narrow_every_panel_and_stay_in_the_form(
    login: Callable[[User], Client], analyst: User, world: World
) -> None:
    client = login(analyst)
    bunia = _tables(client, office="BUN")
    assert _total(bunia) == "1" and bunia.cells("victims", "girls") == ["0"]
    nord_kivu = _tables(client, admin1="CD61")
    assert _total(nord_kivu) == "1" and nord_kivu.cells("victims", "girls") == ["7"]
    masisi = _tables(client, admin1="CD61", admin2="CD6106")
    assert _total(masisi) == "1" and set(masisi.rows["incidents_by_admin2"]) == {"CD6106", "total"}
    assert _total(_tables(client, admin2="CD5403")) == "1"
    past = client.get(DASHBOARD, {"from": "2020-01", "to": "2020-12", "office": "GOM"})
    content = past.content.decode()
    assert 'data-period="2020-01/2020-12"' in content
    assert 'value="2020-01"' in content and '<option value="GOM" selected>' in content
    tables = page_tables(past.content)
    assert len(tables.rows["incidents_by_month"]) == 13, "every month, zeros included, and the total"
    assert {row[1] for row in tables.rows["incidents_by_month"].values()} == {"0"}


@pytest.mark.parametrize(
    "query, field, message",
    [
        ({"from": "2026-13"}, "from", "Enter a month as YYYY-MM, e.g. 2026-03."),
        ({"to": "last month"}, "to", "Enter a month as YYYY-MM, e.g. 2026-03."),
        ({"from": "2025-06", "to": "2025-01"}, "to", "The end of the period cannot be before its start."),
        ({"from": "1990-01", "to": "2025-01"}, "to", "A period is at most 120 months."),
        ({"office": "GOM"}, "office", "Not in your scope."),  # exists, another WPA's office
        ({"office": "ZZZ"}, "office", "Not in your scope."),  # does not exist: the same answer
        ({"admin1": "CD6106"}, "admin1", "Not in your scope."),  # a place of admin level 2
        ({"admin2": "CD540301"}, "admin2", "Not in your scope."),  # a place of admin level 3
        (
            {"admin1": "CD54", "admin2": "CD6106"},
            "admin2",
            "This territory or city is not in the chosen province.",
        ),
    ],
)
def test_a_refused_filter_is_shown_beside_its_field_and_its_default_is_counted(
    login: Callable[[User], Client],
    wpa_other: User,
    world: World,
    query: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = login(wpa_other).get(DASHBOARD, query)
    assert response.status_code == 200
    tables = page_tables(response.content)
    assert tables.errors == {field: [message]}
    assert _total(tables) == "1", "her Bunia incident, counted with the field's default"
    if field in {"from", "to"} and "from" not in query:
        start, end = default_period(timezone.localdate())
        assert f'data-period="{start:%Y-%m}/{end:%Y-%m}"' in response.content.decode()


def test_the_default_period_is_the_last_twelve_months(login: Callable[[User], Client], analyst: User) -> None:
    tables = _tables(login(analyst))
    start, end = default_period(timezone.localdate())
    months = [key for key in tables.rows["incidents_by_month"] if key != "total"]
    assert len(months) == 12 and months[0] == f"{start:%Y-%m}" and months[-1] == f"{end:%Y-%m}"


def test_the_query_count_does_not_grow_with_the_data(
    login: Callable[[User], Client],
    analyst: User,
    reporter: User,
    wpa: User,
    world: World,
    sake: Location,
    fataki: Location,
) -> None:
    client = login(analyst)
    client.get(DASHBOARD)  # the session warmed

    def queries() -> list[str]:
        cache.clear()  # the rollup read, not the cached one (below)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(DASHBOARD).status_code == 200
        return [query["sql"] for query in captured.captured_queries]

    few = queries()
    for n in range(4):
        party = PartyFactory(name=f"Armed group {n}")
        incident_in_state(
            "submitted",
            reporter=reporter,
            reviewer=wpa,
            location=fataki if n % 2 else sake,
            incident_date_start=office_today(reporter).replace(day=1),
            perpetrators=[PerpetratorData(category="state_armed_forces", party=party)],
        )
    rollups_flush()
    many = queries()
    assert _total(_tables(client)) == "6"
    assert len(many) == len(few) <= 9, many
    assert sum("FROM reports_rollup " in sql for sql in many) == 1, "one statistics_load"
    assert not any("incidents_incident" in sql for sql in many), "never a scan of the incidents"
    # Read again while no number moved: the rollup versions, then the cache (one query fewer).
    with CaptureQueriesContext(connection) as captured:
        assert client.get(DASHBOARD).status_code == 200
    again = [query["sql"] for query in captured.captured_queries]
    assert len(again) == len(many) - 1 and not any("FROM reports_rollup " in sql for sql in again)


def test_a_consenting_survivor_counts_for_the_mission_and_no_wpa_sees_her(
    login: Callable[[User], Client],
    analyst: User,
    wpa: User,
    office: FieldOffice,
    world: World,
    consent_text: ConsentText,
) -> None:
    survivor = survivor_register(
        actor=wpa,
        field_office=office,
        identity=SurvivorIdentity(name="Canary Dashboard"),
        profile=SurvivorProfile(sex=Survivor.Sex.FEMALE, age=15),
        incident=world.goma,
    )
    consent_record(
        actor=wpa,
        survivor=survivor,
        purpose=Consent.Purpose.STATISTICS,
        given_by=Consent.GivenBy.CAREGIVER,
        child_assent=True,
        method=Consent.Method.ORAL,
        explained_in="fr",
        consent_text=consent_text,
    )
    rollups_flush()
    tables = _tables(login(analyst))
    assert tables.cells("survivors", "12-17") == ["1", "0", "0", "0", "1"]
    assert tables.cells("survivors", "total")[-1] == "1"
    assert tables.cells("rape_care", "linked") == ["1"]
    assert tables.figures["medical_72h_share"] == "0.0% (0 of 1)"
    wpa_page = login(wpa).get(DASHBOARD).content.decode()
    assert 'data-panel="survivors"' not in wpa_page and 'data-panel="rape_care"' not in wpa_page
    assert "Canary" not in wpa_page


def test_alerts_and_justice_steps_are_counted(
    login: Callable[[User], Client],
    analyst: User,
    wpa_other: User,
    reporter: User,
    wpa: User,
    sake: Location,
    world: World,
) -> None:
    from incidents.services.alerts import alert_create

    received = alert_create(actor=reporter, **alert_fields(sake)).alert
    alert_move(received, "response_dispatched", handler=wpa)
    accountability_step_record(
        actor=wpa, incident=world.goma, stage="prosecution", court="military", occurred_on=office_today(wpa)
    )
    rollups_flush()
    tables = _tables(login(analyst))
    assert tables.cells("alerts_by_urgency", "high") == ["1"]
    assert tables.cells("alert_response", "received")[0] == "1"
    assert tables.cells("alert_response", "acknowledged")[0] == "1"
    assert tables.cells("alert_response", "dispatched")[0] == "1"
    assert tables.figures["acknowledged_minutes"].startswith("0.0 minutes")
    assert tables.cells("justice_by_stage", "prosecution") == ["0", "1", "0", "1"]
    assert tables.cells("justice_by_stage", "complaint_filed") == ["—", "—", "—", "0"]
    bunia = _tables(login(wpa_other))
    assert bunia.cells("alerts_by_urgency", "total") == ["0"], "a Goma alert"
    assert bunia.cells("justice_by_stage", "prosecution")[-1] == "0"


@pytest.mark.parametrize(
    "persona, linked", [("analyst", True), ("wpa", True), ("reporter", False), ("auditor", False)]
)
def test_the_navigation_links_the_dashboard_for_who_has_one(
    login: Callable[[User], Client], request: pytest.FixtureRequest, persona: str, linked: bool
) -> None:
    home = login(request.getfixturevalue(persona)).get("/").content.decode()
    assert ('<a href="/reports/">Dashboard</a>' in home) is linked


def test_the_blank_form_kept_between_visits_is_the_form_of_an_empty_query(
    login: Callable[[User], Client], analyst: User, world: World
) -> None:
    client = login(analyst)

    def fields(content: bytes) -> str:
        page = content.decode()
        start = page.index('<div class="filter-grid">')
        return page[start : page.index('<button type="submit">', start)]

    blank = fields(client.get(DASHBOARD).content)
    assert fields(client.get(DASHBOARD, {"from": ""}).content) == blank
    assert 'value="GOM"' in blank and 'value="CD6106"' in blank

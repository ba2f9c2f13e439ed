"""What the de-identified exports hold, checked on the files' bytes (issue 13 item 5, Tests):
no narrative, exact place, survivor code or contact; SEA and other missions never there; random
row ids; small cells suppressed with consistent totals; formula cells defused; the XLSX opens."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import openpyxl
import pytest

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from incidents.services import PerpetratorData
from reports.exports import ExportFormat, ExportKind
from reports.rollups import rollups_flush
from survivors.models import ConsentText
from tests.factories import UserFactory
from tests.incidents.factories import LocationFactory
from tests.reports import exports_world as w

pytestmark = pytest.mark.django_db

KINDS = list(ExportKind.values)
FORMATS = list(ExportFormat.values)


@pytest.fixture
def world(reporter: User, wpa: User, office: FieldOffice, consent_text: ConsentText) -> w.World:
    return w.world_build(reporter=reporter, wpa=wpa, office=office, consent_text=consent_text)


def _json(content: bytes) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(content)
    return loaded


def _rows(content: bytes, table: str = "") -> list[dict[str, Any]]:
    body = _json(content)
    found = [t for t in body["tables"] if not table or t["name"] == table]
    return found[0]["rows"]


@pytest.mark.parametrize("persona", ["analyst", "senior_wpa"])
@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_no_narrative_exact_place_code_or_contact_in_any_export(
    world: w.World, request: pytest.FixtureRequest, persona: str, kind: str, file_format: str
) -> None:
    user: User = request.getfixturevalue(persona)
    content = w.export_bytes(user, kind, w.period_of(user), file_format)
    readable = w.readable_bytes(content)
    for canary in world.never:
        for part in readable:
            assert canary.encode() not in part, f"{canary!r} in the {kind} {file_format} file"
    # The file holds the incident (so the canaries' absence means something).
    assert any(b"Masisi" in part or b"M23/AFC" in part or b"verification_rate" in part for part in readable)


def test_the_row_level_exports_hold_the_incident_coarsened(world: w.World, analyst: User) -> None:
    period = w.period_of(analyst)
    [row] = _rows(w.export_bytes(analyst, "gbvims", period, "json"))
    assert row["date_of_incident"] == period
    assert (row["location_admin1"], row["location_admin2"]) == ("Nord-Kivu", "Masisi")
    assert (row["survivor_sex"], row["survivor_age_band"]) == ("female", "18-25")
    assert row["perpetrator_count"] == 4
    assert row["perpetrator_category"] == ["non_state_armed_group", "pro_government_militia"]
    assert row["referral_medical"] == "yes" and row["referral_psychosocial"] == "no"
    assert row["consent_to_share"] == "yes"
    [feed] = _rows(w.export_bytes(analyst, "sage", period, "json"))
    assert (feed["admin1_pcode"], feed["admin2_pcode"], feed["field_office"]) == ("CD61", "CD6106", "GOM")
    assert feed["violation_forms"] == ["rape", "sexual_slavery"]
    assert feed["perpetrator_parties"] == sorted(["M23/AFC", w.FORMULA_PARTY])
    assert (feed["victims_women"], feed["victims_girls"], feed["victims_total"]) == (1, 1, 2)
    assert feed["verification_status"] == "verified"


def test_an_incident_without_a_linked_survivor_is_a_feed_row_not_a_gbvims_row(
    world: w.World, reporter: User, wpa: User, analyst: User
) -> None:
    w.incident_make(reporter, wpa, world.village)
    rollups_flush()
    period = w.period_of(analyst)
    assert len(_rows(w.export_bytes(analyst, "gbvims", period, "json"))) == 1
    assert len(_rows(w.export_bytes(analyst, "sage", period, "json"))) == 2
    notes = " ".join(_json(w.export_bytes(analyst, "gbvims", period, "json"))["notes"])
    assert "without a linked survivor" in notes


def test_sea_never_appears_in_any_export(world: w.World, reporter: User, wpa: User, senior_wpa: User) -> None:
    sea_place = LocationFactory(pcode="CD62", name="Sea-province-QX7", admin_level=1)
    w.incident_make(
        reporter, wpa, sea_place, perpetrators=[PerpetratorData(category="un_personnel", count=1)]
    )
    rollups_flush()
    period = w.period_of(senior_wpa)  # she sees SEA incidents in her lists, never in statistics
    for kind in KINDS:
        for file_format in FORMATS:
            for part in w.readable_bytes(w.export_bytes(senior_wpa, kind, period, file_format)):
                assert b"Sea-province-QX7" not in part and b"CD62" not in part, (kind, file_format)
    assert len(_rows(w.export_bytes(senior_wpa, "sage", period, "json"))) == 1
    incidents = _rows(w.export_bytes(senior_wpa, "mara", period, "json"), "incidents_by_admin1")
    assert incidents[-1]["incidents"] == "<5", "one incident counted, not two"


def test_another_missions_incidents_never_appear(
    world: w.World, foreign_office: FieldOffice, analyst: User
) -> None:
    bangui = LocationFactory(pcode="CF71", name="Bangui-canary-QX7", admin_level=1)
    foreign_reporter = UserFactory(
        username="reporter_bangui", roles=[Role.REPORTER], offices=[foreign_office]
    )
    foreign_wpa = UserFactory(username="wpa_bangui", roles=[Role.WPA], offices=[foreign_office])
    foreign_analyst = UserFactory(username="analyst_bangui", roles=[Role.ANALYST], offices=[foreign_office])
    w.incident_make(foreign_reporter, foreign_wpa, bangui)
    rollups_flush()
    period = w.period_of(analyst)
    for kind in KINDS:
        for part in w.readable_bytes(w.export_bytes(analyst, kind, period, "csv")):
            assert b"Bangui-canary-QX7" not in part and b"CF71" not in part, kind
    # Her own analyst sees it (so the absence above is scope, not a missing row).
    assert b"Bangui-canary-QX7" in w.export_bytes(foreign_analyst, "sage", period, "csv")


def test_a_row_id_differs_between_two_exports_of_the_same_data(world: w.World, analyst: User) -> None:
    period = w.period_of(analyst)
    for kind, key in (("gbvims", "incident_id"), ("sage", "row_id")):
        first = {row[key] for row in _rows(w.export_bytes(analyst, kind, period, "json"))}
        second = {row[key] for row in _rows(w.export_bytes(analyst, kind, period, "json"))}
        assert first and second and not first & second, kind


def test_a_withdrawn_consent_takes_the_incident_out_at_once(world: w.World, wpa: User, analyst: User) -> None:
    from survivors.models import Consent
    from survivors.services import consent_withdraw

    grant = Consent.objects.get(survivor=world.survivor, purpose=Consent.Purpose.STATISTICS)
    consent_withdraw(actor=wpa, consent=grant)
    rollups_flush()
    period = w.period_of(analyst)
    assert _rows(w.export_bytes(analyst, "gbvims", period, "json")) == []
    assert _rows(w.export_bytes(analyst, "sage", period, "json")) == []
    incidents = _rows(w.export_bytes(analyst, "mara", period, "json"), "incidents_by_month")
    assert incidents[-1]["incidents"] == 0


def _csv_tables(content: bytes) -> dict[str, list[list[str]]]:
    """The MARA CSV's tables by title: rows after the title line, header first."""
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    tables: dict[str, list[list[str]]] = {}
    title = None
    for line, following in zip(lines, [*lines[1:], []], strict=True):
        if not line:
            title = None
        elif title is None and following and len(following) > 1:
            title = line[0]
            tables[title] = []
        elif title is not None:
            tables[title].append(line)
    return tables


def test_mara_small_cells_are_suppressed_and_totals_consistent(
    world: w.World, reporter: User, wpa: User, analyst: User
) -> None:
    ituri = LocationFactory(pcode="CD54", name="Ituri", admin_level=1)
    for _ in range(6):
        w.incident_make(reporter, wpa, world.masisi)
    w.incident_make(reporter, wpa, ituri)
    rollups_flush()
    content = w.export_bytes(analyst, "mara", w.period_of(analyst), "csv")
    assert b"<5" in content
    tables = _csv_tables(content)
    by_admin1 = {row[1]: row[2] for row in tables["Incidents by admin level 1"][1:]}
    assert by_admin1["Ituri"] == "<5"
    by_month = {row[0]: row[1] for row in tables["Incidents by month"][1:]}
    assert by_month[w.period_of(analyst)] in ("8", "x")
    violations = {row[0]: row[1] for row in tables["Violations by form"][1:]}
    assert violations["Sexual slavery"] == "<5"
    victims = {row[0]: row[1] for row in tables["Victims by sex and age"][1:]}
    assert victims["Girls"] == "<5"
    for table in (by_admin1, by_month, violations, victims):
        _not_recoverable(table)
    # The two incident tables share their total: published in both or withheld in both.
    assert by_admin1["Total"] == by_month["Total"]
    if by_admin1["Total"].isdigit():
        assert by_admin1["Total"] == "8"


def _not_recoverable(table: dict[str, str]) -> None:
    """A line of cells and its total: none or at least two values unpublished (one alone is the
    total minus the others), and when all are published they add up."""
    unpublished = [key for key, value in table.items() if not value.isdigit()]
    assert len(unpublished) != 1, table
    if not unpublished:
        assert sum(int(v) for k, v in table.items() if k != "Total") == int(table["Total"]), table


def test_cpas_indicators_withhold_what_rests_on_few_cases(world: w.World, analyst: User) -> None:
    rows = _rows(w.export_bytes(analyst, "cpas", w.period_of(analyst), "json"))
    found = {(row["indicator"], row["service_type"]): row for row in rows}
    rate = found["verification_rate", ""]
    assert rate["based_on"] == "<5" and rate["value"] == "x"
    sent = found["referrals_sent", "Medical"]
    assert sent["value"] == "<5"
    content = w.export_bytes(analyst, "cpas", w.period_of(analyst), "csv")
    assert b"<5" in content


def test_formula_cells_are_defused_in_csv_and_xlsx(world: w.World, analyst: User) -> None:
    period = w.period_of(analyst)
    content = w.export_bytes(analyst, "sage", period, "csv").decode("utf-8-sig")
    [_header, row] = list(csv.reader(io.StringIO(content)))
    parties = row[10]
    assert parties.startswith("'") or not parties.startswith("=")
    mara = w.export_bytes(analyst, "mara", period, "csv").decode("utf-8-sig")
    cells = [cell for line in csv.reader(io.StringIO(mara)) for cell in line]
    assert "'" + w.FORMULA_PARTY in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
    workbook = openpyxl.load_workbook(io.BytesIO(w.export_bytes(analyst, "mara", period, "xlsx")))
    values = [cell for sheet in workbook.worksheets for line in sheet.iter_rows() for cell in line]
    assert "'" + w.FORMULA_PARTY in [cell.value for cell in values]
    assert not [cell for cell in values if cell.data_type == "f"]
    assert not [
        cell for cell in values if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "@"))
    ]


def test_the_xlsx_opens_with_openpyxl(world: w.World, analyst: User) -> None:
    period = w.period_of(analyst)
    workbook = openpyxl.load_workbook(io.BytesIO(w.export_bytes(analyst, "gbvims", period, "xlsx")))
    assert workbook.sheetnames == ["notes", "gbvims"]
    header, *rows = list(workbook["gbvims"].iter_rows(values_only=True))
    assert header[0] == "incident_id" and len(rows) == 1
    assert rows[0][header.index("location_admin2")] == "Masisi"
    mara = openpyxl.load_workbook(io.BytesIO(w.export_bytes(analyst, "mara", period, "xlsx")))
    assert mara.sheetnames == [
        "notes",
        "incidents_by_month",
        "incidents_by_admin1",
        "victims_by_sex",
        "violations_by_form",
        "incidents_by_perpetrator",
        "incidents_by_party",
    ]
    parties = {row[0]: row[1:] for row in mara["incidents_by_party"].iter_rows(values_only=True)}
    assert parties["M23/AFC"] == ("yes", "<5")


def test_row_level_exports_read_their_rows_in_batches_not_one_query_per_row(
    world: w.World, reporter: User, wpa: User, office: FieldOffice, consent_text: ConsentText, analyst: User
) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    period = w.period_of(analyst)

    def queries(kind: str) -> int:
        cache.clear()  # the statistics read from the rollup each time, not from the cache
        with CaptureQueriesContext(connection) as captured:
            w.export_bytes(analyst, kind, period, "csv")
        return len(captured)

    for kind in KINDS:  # the user's roles and offices, read once and kept on her
        queries(kind)
    before = {kind: queries(kind) for kind in KINDS}
    for _ in range(3):
        incident = w.incident_make(reporter, wpa, world.village)
        w.survivor_link(wpa, office, incident, consent_text, name="Another")
    rollups_flush()
    assert {kind: queries(kind) for kind in KINDS} == before
    assert len(_rows(w.export_bytes(analyst, "gbvims", period, "json"))) == 4


def test_batched_rows_keep_the_order_given_and_skip_a_row_gone_meanwhile() -> None:
    from reports.exports.tables import batched_rows

    reads: list[list[int]] = []

    def read(ids: list[int]) -> dict[int, list[Any]]:
        reads.append(ids)
        return {i: [i] for i in ids if i != 4}

    assert list(batched_rows([5, 1, 4, 3, 2], read, size=2)) == [[5], [1], [3], [2]]
    assert reads == [[5, 1], [4, 3], [2]]

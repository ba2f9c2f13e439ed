"""A small world for the dashboard tests, built through the real services, and a reader of the
dashboard page's tables.

Places (beside tests/incidents/conftest.py's Nord-Kivu > Masisi > Sake): Ituri (CD54, admin 1)
> Djugu (CD5403, admin 2) > Fataki (CD540301, admin 3).

`world`: in Goma, a closed (verified) incident at Sake of 1 woman and 7 girls, rape and sexual
slavery, by M23/AFC (non-state armed group); in Bunia, a submitted incident at Fataki of 1
woman, rape, by unidentified armed men. Goma's numbers are ones no Bunia incident has (7 girls,
sexual slavery, M23, Nord-Kivu, Masisi): a Bunia WPA's dashboard must show none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest

from crsv.accounts.models import User
from incidents.models import Incident, Location, PartyToConflict
from incidents.services import PerpetratorData
from reports.rollups import rollups_flush
from tests.incidents.factories import LocationFactory, incident_in_state


@pytest.fixture
def ituri() -> Location:
    return LocationFactory(pcode="CD54", name="Ituri", admin_level=1)


@pytest.fixture
def djugu(ituri: Location) -> Location:
    return LocationFactory(pcode="CD5403", name="Djugu", admin_level=2, parent=ituri)


@pytest.fixture
def fataki(djugu: Location) -> Location:
    return LocationFactory(pcode="CD540301", name="Fataki", admin_level=3, parent=djugu)


@dataclass
class World:
    goma: Incident
    bunia: Incident


@pytest.fixture
def world(
    reporter: User,
    reporter_other: User,
    wpa: User,
    wpa_other: User,
    sake: Location,
    fataki: Location,
    m23: PartyToConflict,
) -> World:
    goma = incident_in_state(
        "closed",
        reporter=reporter,
        reviewer=wpa,
        location=sake,
        tally_girls=7,
        violations=("rape", "sexual_slavery"),
        perpetrators=[PerpetratorData(category="non_state_armed_group", count=3, party=m23)],
    )
    bunia = incident_in_state("submitted", reporter=reporter_other, reviewer=wpa_other, location=fataki)
    rollups_flush()
    return World(goma=goma, bunia=bunia)


@dataclass
class PageTables:
    """The dashboard page as read by a person: per panel, each row's label and cell texts (by
    the row's key), and each figure's text."""

    rows: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def cells(self, panel: str, key: str) -> list[str]:
        return self.rows[panel][key][1:]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables = PageTables()
        self.panel: str | None = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.figure: str | None = None
        self.error_of: str | None = None
        self.field: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values: Mapping[str, str | None] = dict(attrs)
        if tag == "section" and values.get("data-panel"):
            self.panel = values["data-panel"]
            self.tables.rows[str(self.panel)] = {}
        elif tag == "tr" and self.panel and values.get("data-key"):
            self.row = []
            self.tables.rows[self.panel][str(values["data-key"])] = self.row
        elif tag in {"th", "td"} and self.row is not None:
            self.cell = []
        elif tag == "dd" and values.get("data-figure"):
            self.figure = values["data-figure"]
            self.tables.figures[str(self.figure)] = ""
        elif tag == "label" and values.get("for", "").startswith("id_"):  # type: ignore[union-attr]
            self.field = str(values["for"])[3:]
        elif tag == "ul" and "errorlist" in (values.get("class") or "") and self.field:
            self.error_of = self.field
            self.tables.errors.setdefault(self.field, [])
        elif tag == "li" and self.error_of:
            self.tables.errors[self.error_of].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"th", "td"} and self.cell is not None and self.row is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr":
            self.row = None
        elif tag == "dd":
            self.figure = None
        elif tag == "ul":
            self.error_of = None
        elif tag == "table":
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
        if self.figure is not None:
            self.tables.figures[self.figure] += data
        if self.error_of is not None and self.tables.errors[self.error_of]:
            self.tables.errors[self.error_of][-1] += data


def page_tables(content: bytes) -> PageTables:
    reader = _Reader()
    reader.feed(content.decode())
    return reader.tables


def api_tables(body: dict[str, Any]) -> PageTables:
    """The API's panels in the shape `page_tables` reads the page's."""
    tables = PageTables()
    for section in body["sections"]:
        for panel in section["panels"]:
            tables.rows[panel["key"]] = {
                row["key"]: [row["label"], *(cell["text"] for cell in row["cells"])] for row in panel["rows"]
            }
            for figure in panel["figures"]:
                text = figure["text"] + (f" ({figure['detail']})" if figure["detail"] else "")
                tables.figures[figure["key"]] = text
    return tables


GetPage = Callable[..., PageTables]

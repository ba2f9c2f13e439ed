"""`manage.py load_locations` on OCHA common operational datasets: the administrative boundaries
(COD-AB, one row per place with its whole hierarchy) and a populated-places file (villages that
name their admin-3 parent by p-code). Upserted by p-code, idempotent, all or nothing."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from crsv.audit.models import AuditEvent
from incidents.models import Location

pytestmark = pytest.mark.django_db

# The shape of a COD-AB admin-3 table (as exported from the boundaries' attribute table).
AB = (
    "ADM3_FR,ADM3_PCODE,ADM3_REF,ADM2_FR,ADM2_EN,ADM2_PCODE,ADM1_FR,ADM1_EN,ADM1_PCODE,ADM0_FR,ADM0_PCODE,"
    "date,validOn\n"
    "Bashali,CD610601,,Masisi,Masisi,CD6106,Nord-Kivu,North Kivu,CD61,RDC,CD,2020-01-01,2023-05-01\n"
    "Bahunde,CD610604,,Masisi,Masisi,CD6106,Nord-Kivu,North Kivu,CD61,RDC,CD,2020-01-01,2023-05-01\n"
    "Buhavu,CD620501,,Kalehe,Kalehe,CD6205,Sud-Kivu,South Kivu,CD62,RDC,CD,2020-01-01,2023-05-01\n"
)
# Villages (populated places): their own p-code and name, their admin-3 parent by p-code.
VILLAGES = (
    "ADM3_PCODE,PCODE,NAME,LAT,LON\n"
    "CD610601,CD610601V001,Kibabi,-1.3342,28.9170\n"
    "CD610601,CD610601V002,Ngungu,-1.4667,28.8833\n"
    "CD620501,CD620501V001,Bulenga,,\n"
)


def _load(tmp_path: Path, content: str, *args: str) -> str:
    path = tmp_path / "cod.csv"
    path.write_text(content, encoding="utf-8")
    out = StringIO()
    call_command("load_locations", str(path), *args, stdout=out)
    return out.getvalue().strip()


def _tree() -> list[tuple[str, str, int, str | None]]:
    return list(
        Location.objects.order_by("pcode").values_list("pcode", "name", "admin_level", "parent__pcode")
    )


def test_boundaries_then_villages_then_again(tmp_path: Path) -> None:
    assert _load(tmp_path, AB) == "locations: 7 were created, 0 were updated, 0 unchanged"
    assert _load(tmp_path, VILLAGES) == "locations: 3 were created, 0 were updated, 0 unchanged"
    assert _tree() == [
        ("CD61", "Nord-Kivu", 1, None),
        ("CD6106", "Masisi", 2, "CD61"),
        ("CD610601", "Bashali", 3, "CD6106"),
        ("CD610601V001", "Kibabi", 4, "CD610601"),
        ("CD610601V002", "Ngungu", 4, "CD610601"),
        ("CD610604", "Bahunde", 3, "CD6106"),
        ("CD62", "Sud-Kivu", 1, None),
        ("CD6205", "Kalehe", 2, "CD62"),
        ("CD620501", "Buhavu", 3, "CD6205"),
        ("CD620501V001", "Bulenga", 4, "CD620501"),
    ]
    kibabi = Location.objects.get(pcode="CD610601V001")
    assert (kibabi.latitude, kibabi.longitude) == (Decimal("-1.334200"), Decimal("28.917000"))
    # Idempotent: the same files again change nothing, and write no audit row.
    audits = AuditEvent.objects.filter(action="location.load").count()
    assert _load(tmp_path, AB) == "locations: 0 were created, 0 were updated, 7 unchanged"
    assert _load(tmp_path, VILLAGES) == "locations: 0 were created, 0 were updated, 3 unchanged"
    assert AuditEvent.objects.filter(action="location.load").count() == audits == 2


def test_a_newer_edition_renames_and_moves_by_pcode(tmp_path: Path) -> None:
    _load(tmp_path, AB)
    _load(tmp_path, VILLAGES)
    moved = VILLAGES.replace("CD610601,CD610601V002,Ngungu", "CD610604,CD610601V002,Ngungu-Centre")
    assert _load(tmp_path, moved.replace(",-1.3342,28.9170", ",,")) == (
        "locations: 0 were created, 1 were updated, 2 unchanged"
    )
    ngungu = Location.objects.select_related("parent").get(pcode="CD610601V002")
    assert (ngungu.name, ngungu.parent.pcode) == ("Ngungu-Centre", "CD610604")  # type: ignore[union-attr]
    kibabi = Location.objects.get(pcode="CD610601V001")
    assert kibabi.latitude == Decimal("-1.334200")  # an empty point does not erase the stored one


def test_the_language_of_the_names(tmp_path: Path) -> None:
    assert "7 were created" in _load(tmp_path, AB, "--language", "en")
    assert Location.objects.get(pcode="CD61").name == "North Kivu"
    assert Location.objects.get(pcode="CD610601").name == "Bashali"  # ADM3 has French only
    assert "2 were updated" in _load(tmp_path, AB, "--language", "fr")
    assert Location.objects.get(pcode="CD62").name == "Sud-Kivu"


def test_the_newer_cod_headers(tmp_path: Path) -> None:
    content = (
        "admin0Pcode,admin1Name_fr,admin1Pcode,admin2Name_fr,admin2Pcode\n"
        "CD,Ituri,CD54,Djugu,CD5403\n"
        "CD,Ituri,CD54,Irumu,CD5404\n"
    )
    assert _load(tmp_path, content) == "locations: 3 were created, 0 were updated, 0 unchanged"
    assert Location.objects.get(pcode="CD5404").parent.pcode == "CD54"  # type: ignore[union-attr]


BAD_FILES = [
    (
        "village under an admin 3 not loaded",
        VILLAGES,
        [
            'line 2, column "ADM3_PCODE" (column A): code CD610601 is neither in the file nor loaded',
            'line 3, column "ADM3_PCODE" (column A): code CD610601 is neither in the file nor loaded',
            'line 4, column "ADM3_PCODE" (column A): code CD620501 is neither in the file nor loaded',
        ],
    ),
    (
        "bad rows",
        AB.replace("Bahunde,CD610604", "Bahunde,CD 610604").replace("Buhavu,CD620501", ",CD620501"),
        [
            "line 3, column \"ADM3_PCODE\" (column B): bad code 'CD 610604'",
            'line 4, column "ADM3_FR" (column A): empty name',
        ],
    ),
    (
        "code reused with another name",
        AB.replace("Kalehe,Kalehe,CD6205", "Kalehe,Kalehe,CD6106"),
        ['line 4, column "ADM2_PCODE" (column F): code CD6106 is reused with another name'],
    ),
    (
        "a language the file does not have",
        AB,
        ["line 1: no name column in PT in the file"],
    ),
    (
        "village name without its p-code column",
        "ADM3_PCODE,NAME\nCD610601,Kibabi\n",
        ['line 1, column "NAME" (column B): no village p-code column beside it'],
    ),
    (
        "half a point",
        "ADM3_PCODE,PCODE,NAME,LAT,LON\nCD610601,CD610601V001,Kibabi,-1.3,\n",
        ['line 2, column "LON" (column E): bad coordinate: give both latitude and longitude'],
    ),
]


@pytest.mark.parametrize(("content", "problems"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_a_bad_file_loads_nothing_and_says_why(tmp_path: Path, content: str, problems: list[str]) -> None:
    args = ("--language", "pt") if "PT" in problems[0] else ()
    with pytest.raises(CommandError) as excinfo:
        _load(tmp_path, content, *args)
    message = str(excinfo.value)
    assert message.startswith("The locations file was not loaded:")
    for problem in problems:
        assert problem in message
    assert len(message.splitlines()) >= len(problems) + 1
    assert not Location.objects.exists()
    assert not AuditEvent.objects.filter(action="location.load").exists()


def test_a_village_under_a_territory_is_refused(tmp_path: Path) -> None:
    _load(tmp_path, AB)
    with pytest.raises(CommandError) as excinfo:
        _load(tmp_path, "ADM3_PCODE,PCODE,NAME\nCD6106,CD6106V01,Kibabi\n")
    assert (
        'line 2, column "ADM3_PCODE" (column A): code CD6106 is admin level 2 in the database, not 3'
        in str(excinfo.value)
    )
    assert not Location.objects.filter(admin_level=4).exists()

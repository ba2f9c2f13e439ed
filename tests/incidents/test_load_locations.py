"""`manage.py load_locations`: a good file upserts; a bad one names line, column, reason and
loads nothing."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from crsv.audit.models import AuditEvent
from incidents.demo import LOCATIONS_CSV
from incidents.models import Location

pytestmark = pytest.mark.django_db

HEADER = (
    "Province,P-code,Territory,P-code,Locality,P-code,Lat,Lon\n"
    "#adm1+name,#adm1+code,#adm2+name,#adm2+code,#adm3+name,#adm3+code,#geo+lat,#geo+lon\n"
)
GOOD_ROWS = (
    "Nord-Kivu,CD61,,,,,,\n"  # line 3
    "Nord-Kivu,CD61,Masisi,CD6106,,,,\n"  # line 4
    "Nord-Kivu,CD61,Masisi,CD6106,Sake,CD610602,-1.5736,29.0436\n"  # line 5
)


def _load(tmp_path: Path, content: str, *args: str) -> str:
    path = tmp_path / "locations.csv"
    path.write_text(content, encoding="utf-8")
    out = StringIO()
    call_command("load_locations", str(path), *args, stdout=out)
    return out.getvalue()


def test_the_shipped_file_loads_and_reloads(tmp_path: Path) -> None:
    out = StringIO()
    call_command("load_locations", str(LOCATIONS_CSV), stdout=out)
    assert out.getvalue().strip() == "locations: 62 were created, 0 were updated, 0 unchanged"
    counts = [Location.objects.filter(admin_level=level).count() for level in (1, 2, 3)]
    assert counts == [3, 24, 35]
    assert set(Location.objects.filter(admin_level=1).values_list("name", flat=True)) == {
        "Nord-Kivu",
        "Sud-Kivu",
        "Ituri",
    }
    sake = Location.objects.select_related("parent__parent").get(pcode="CD610602")
    assert (sake.name, sake.parent.name, sake.parent.parent.name) == ("Sake", "Masisi", "Nord-Kivu")  # type: ignore[union-attr]
    goma = Location.objects.get(pcode="CD6103")
    assert (goma.admin_level, goma.latitude, goma.longitude) == (
        2,
        Decimal("-1.679200"),
        Decimal("29.222800"),
    )
    assert Location.objects.get(pcode="CD6203").latitude is None  # Idjwi: no point given
    out = StringIO()
    call_command("load_locations", str(LOCATIONS_CSV), stdout=out)
    assert out.getvalue().strip() == "locations: 0 were created, 0 were updated, 62 unchanged"


def test_a_hashtag_first_file_with_loose_hashtags(tmp_path: Path) -> None:
    content = (
        "#adm1 +name,#ADM1+pcode,#adm2+name,#adm2 +code,#sector+name,#geo +lat,#geo+lon\n"
        "Ituri,CD54,Djugu,CD5403,ignored,,\n"
        "Ituri,CD54,Irumu,CD5404,ignored,1.45,29.866667\n"
    )
    assert "3 were created" in _load(tmp_path, content)
    irumu = Location.objects.get(pcode="CD5404")
    assert (irumu.parent.pcode, irumu.admin_level) == ("CD54", 2)  # type: ignore[union-attr]
    assert (irumu.latitude, irumu.longitude) == (Decimal("1.450000"), Decimal("29.866667"))


def test_reload_updates_by_pcode_and_keeps_points(tmp_path: Path) -> None:
    _load(tmp_path, HEADER + GOOD_ROWS)
    renamed = HEADER + "Nord-Kivu,CD61,,,,,,\nNord-Kivu,CD61,Masisi,CD6106,Sake-Ville,CD610602,,\n"
    assert "0 were created, 1 were updated, 2 unchanged" in _load(tmp_path, renamed)
    sake = Location.objects.get(pcode="CD610602")
    assert sake.name == "Sake-Ville"
    assert sake.latitude == Decimal("-1.573600")  # an empty point does not erase the stored one


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    assert "3 would be created" in _load(tmp_path, HEADER + GOOD_ROWS, "--dry-run")
    assert not Location.objects.exists()


def test_a_load_is_audited(tmp_path: Path) -> None:
    _load(tmp_path, HEADER + GOOD_ROWS)
    assert AuditEvent.objects.filter(action="location.load", object_type="incidents.location").count() == 1


BAD_FILES = [
    (
        "missing column",
        "Province,Code\n#adm1+name,#adm2+name\nNord-Kivu,Masisi\n",
        ['line 2, column "#adm1+code": missing column', 'line 2, column "#adm2+code": missing column'],
    ),
    (
        "skipped level",
        "#adm1+name,#adm1+code,#adm3+name,#adm3+code\nNord-Kivu,CD61,Sake,CD610602\n",
        ['line 1, column "#adm2+name": missing column', 'line 1, column "#adm2+code": missing column'],
    ),
    (
        "latitude without longitude column",
        "#adm1+name,#adm1+code,#geo+lat\nNord-Kivu,CD61,1.0\n",
        ['line 1, column "#geo+lon": missing column'],
    ),
    (
        "no hashtag row",
        "Province,Code\nNord-Kivu,CD61\n",
        ["line 1: no HXL hashtag row"],
    ),
    (
        "empty code",
        HEADER + GOOD_ROWS + "Nord-Kivu,CD61,Rutshuru,,,,,\n",
        ['line 6, column "#adm2+code" (column D): empty code'],
    ),
    (
        "empty name",
        HEADER + GOOD_ROWS + "Nord-Kivu,CD61,,CD6108,,,,\n",
        ['line 6, column "#adm2+name" (column C): empty name'],
    ),
    (
        "bad code",
        HEADER + GOOD_ROWS + "Nord-Kivu,CD61,Rutshuru,CD 6108,,,,\n",
        ["line 6, column \"#adm2+code\" (column D): bad code 'CD 6108'"],
    ),
    (
        "code reused with another name",
        HEADER + GOOD_ROWS + "Nord-Kivu,CD61,Rutshuru,CD6106,,,,\n",
        [
            'line 6, column "#adm2+code" (column D): '
            "code CD6106 is reused with another name: 'Masisi' on line 4"
        ],
    ),
    (
        "code reused with another parent",
        HEADER + GOOD_ROWS + "Sud-Kivu,CD62,,,,,,\nSud-Kivu,CD62,Masisi,CD6106,,,,\n",
        ['line 7, column "#adm2+code" (column D): code CD6106 is reused with another parent: CD61 on line 4'],
    ),
    (
        "code reused at another level",
        HEADER + GOOD_ROWS + "Nord-Kivu,CD61,Masisi,CD6106,Masisi,CD61,,\n",
        ['line 6, column "#adm3+code" (column F): code CD61 is reused: admin level 1 on line 3'],
    ),
    (
        "not a number",
        HEADER + GOOD_ROWS + "Nord-Kivu,CD61,Masisi,CD6106,Kitshanga,CD610603,abc,29.0\n",
        ["line 6, column \"#geo+lat\" (column G): bad coordinate: 'abc' is not a number"],
    ),
    (
        "out of range",
        HEADER + GOOD_ROWS + "Nord-Kivu,CD61,Masisi,CD6106,Kitshanga,CD610603,-1.17,190\n",
        ['line 6, column "#geo+lon" (column H): bad coordinate: 190 is outside -180..180'],
    ),
    (
        "half a point",
        HEADER + GOOD_ROWS + "Nord-Kivu,CD61,Masisi,CD6106,Kitshanga,CD610603,-1.17,\n",
        ['line 6, column "#geo+lon" (column H): bad coordinate: give both latitude and longitude'],
    ),
    (
        "another point for the same place",
        HEADER + GOOD_ROWS + "Nord-Kivu,CD61,Masisi,CD6106,Sake,CD610602,-1.6,29.0\n",
        ['line 6, column "#geo+lat" (column G): bad coordinate: CD610602 has another point on line 5'],
    ),
    (
        "several problems at once",
        HEADER + "Nord-Kivu,,,,,,,\n" + GOOD_ROWS + "Nord-Kivu,CD61,Masisi,CD6106,Sake,CD610602,x,29\n",
        [
            'line 3, column "#adm1+code" (column B): empty code',
            "line 7, column \"#geo+lat\" (column G): bad coordinate: 'x' is not a number",
        ],
    ),
]


@pytest.mark.parametrize(("content", "problems"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_a_bad_file_loads_nothing(
    tmp_path: Path, masisi: Location, content: str, problems: list[str]
) -> None:
    before = list(Location.objects.order_by("pcode").values_list("pcode", "name", "parent_id"))
    with pytest.raises(CommandError) as excinfo:
        _load(tmp_path, content)
    message = str(excinfo.value)
    assert message.startswith("The locations file was not loaded:")
    for problem in problems:
        assert problem in message
    assert len(message.splitlines()) == len(problems) + 1  # exactly those problems
    assert list(Location.objects.order_by("pcode").values_list("pcode", "name", "parent_id")) == before
    assert not AuditEvent.objects.filter(action="location.load").exists()


def test_a_level_conflict_with_the_database_loads_nothing(tmp_path: Path, masisi: Location) -> None:
    content = "#adm1+name,#adm1+code\nUvira,CD6208\nMasisi,CD6106\n"
    with pytest.raises(CommandError) as excinfo:
        _load(tmp_path, content)
    assert "line 3: code CD6106 is admin level 2 in the database, not 1" in str(excinfo.value)
    assert not Location.objects.filter(pcode="CD6208").exists()


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("#adm1+name,#adm1+code\nÉquateur,CD41\n".encode("latin-1"))
    with pytest.raises(CommandError, match="line 1: not UTF-8 text"):
        call_command("load_locations", str(path))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such file"):
        call_command("load_locations", str(tmp_path / "nope.csv"))

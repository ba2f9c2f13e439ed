"""The location search (selectors.location_search): name start or any part of a word, in any
case and with or without accents, or p-code start; at most 20, best first; the user's scope;
two queries whatever the text. And the synthetic villages it is measured on."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crsv.accounts.models import User
from incidents.locations.synthetic import VILLAGES_PER_GROUPEMENT, synthetic_name
from incidents.models import Location
from incidents.selectors.location_search import MATCHES_MAX, fold, location_search
from tests.incidents.factories import LocationFactory

pytestmark = pytest.mark.django_db


def test_python_and_database_fold_every_character_alike() -> None:
    characters = [chr(code) for code in range(1, 0x250)] + list("\u00a0«»·’‘“”–—…•ʼ´")
    samples = ["".join(characters[i : i + 40]) for i in range(0, len(characters), 40)]
    samples += ["  Kalehe-Centre ", "Béni (ville)", "ŒUVRE ß", "N'Djili", "", "---"]
    with connection.cursor() as cursor:
        for sample in samples:
            cursor.execute("SELECT incidents_fold(%s)", [sample])
            assert cursor.fetchone()[0] == fold(sample), repr(sample)
    assert fold("  Kalehe-CENTRE ") == "kalehe centre"
    assert fold("Béni, Nord-Kivu") == "beni nord kivu"


@pytest.fixture
def places(sake: Location) -> dict[str, Location]:
    """Sake (Masisi, Nord-Kivu) and a few villages, one named with accents."""
    bashali = LocationFactory(pcode="CD610601", name="Bashali", admin_level=3, parent=sake.parent)
    made = {
        "sake": sake,
        "bashali": bashali,
        "kibabi": LocationFactory(pcode="CD610601V01", name="Kibabi", admin_level=4, parent=bashali),
        "kibabi_bas": LocationFactory(pcode="CD610601V02", name="Kibabi-Bas", admin_level=4, parent=bashali),
        "nyabiondo": LocationFactory(pcode="CD610601V03", name="Nyabiondo", admin_level=4, parent=bashali),
        "betou": LocationFactory(pcode="CD610601V04", name="Bétou Ngoma", admin_level=4, parent=bashali),
    }
    return made


def _codes(user: User, text: str) -> list[str]:
    return [match.pcode for match in location_search(user=user, text=text)]


def test_the_ways_in_and_their_order(reporter: User, places: dict[str, Location]) -> None:
    assert _codes(reporter, "kib") == ["CD610601V01", "CD610601V02"]  # name starts: shortest first
    assert _codes(reporter, "KIBABI bas") == ["CD610601V02"]  # every word, any case
    assert _codes(reporter, "bas") == ["CD610601", "CD610601V02"]  # a name's start, then a word's
    assert _codes(reporter, "biond") == ["CD610601V03"]  # within a word
    assert _codes(reporter, "betou") == _codes(reporter, "Bétou") == ["CD610601V04"]  # accents
    assert _codes(reporter, "ngoma") == ["CD610601V04"]  # the second word's start
    assert _codes(reporter, "cd610601v0") == ["CD610601V01", "CD610601V02", "CD610601V03", "CD610601V04"]
    assert _codes(reporter, "CD6106")[:2] == ["CD6106", "CD610601"]  # a p-code's start
    assert _codes(reporter, "k") == []  # too short to be of use
    assert _codes(reporter, "zzz") == []
    assert _codes(reporter, "'%_\\") == []  # nothing of the text is SQL: no error, no match


def test_labels_name_the_hierarchy(reporter: User, places: dict[str, Location]) -> None:
    [match] = location_search(user=reporter, text="nyabiondo")
    assert match.label == "Nyabiondo · Bashali · Masisi · Nord-Kivu (CD610601V03)"
    [match] = location_search(user=reporter, text="masisi")
    assert match.label == "Masisi · Nord-Kivu (CD6106)"


def test_an_analyst_finds_provinces_and_territories_only(analyst: User, places: dict[str, Location]) -> None:
    assert _codes(analyst, "CD61") == ["CD61", "CD6106"]
    assert _codes(analyst, "kibabi") == []


def test_at_most_twenty_in_two_queries(reporter: User, masisi: Location) -> None:
    parent = LocationFactory(pcode="CD610699", name="Groupement", admin_level=3, parent=masisi)
    Location.objects.bulk_create(
        Location(pcode=f"CD610699V{n:03d}", name=f"Kasika {n}", admin_level=4, parent=parent)
        for n in range(60)
    )
    location_search(user=reporter, text="warm")  # her roles, read once per request
    for text in ("kasika", "kasika 4", "CD610699", "cd610699v00", "Kasika 59", "nothing here"):
        with CaptureQueriesContext(connection) as queries:
            found = location_search(user=reporter, text=text)
        assert len(queries) == (2 if found else 1), text  # the matches, then their labels
        assert len(found) <= MATCHES_MAX
    assert len(location_search(user=reporter, text="kasika")) == MATCHES_MAX
    assert _codes(reporter, "kasika 59") == ["CD610699V059"]


def test_the_indexes_serve_the_search(reporter: User, places: dict[str, Location]) -> None:
    """Each way in walks its index (planned with sequential scans off: the table is small)."""
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for where in (
            "incidents_fold(name) COLLATE \"C\" LIKE 'kib%'",
            "upper(pcode) COLLATE \"C\" LIKE 'CD61%'",
            "incidents_location_lexemes(incidents_fold(name)) @@ '''~bio'':*'::tsquery",
        ):
            cursor.execute(f"EXPLAIN SELECT id FROM incidents_location WHERE {where}")  # noqa: S608  # constant
            plans.append(" ".join(row[0] for row in cursor.fetchall()))
    assert "location_folded_name" in plans[0]
    assert "location_pcode_upper" in plans[1]
    assert "location_name_lexemes" in plans[2]


def test_synthetic_villages_are_the_same_each_time(tmp_path: object) -> None:
    out = StringIO()
    call_command("locations_synthesize", "--villages", "120", stdout=out)
    assert "synthetic locations: 144 were created, 0 were updated, 0 unchanged" in out.getvalue()
    territories = Location.objects.filter(admin_level=2).count()
    assert territories == 24  # the demo's admin levels 1-2 (and 3), loaded first
    villages = Location.objects.filter(admin_level=4).select_related("parent__parent")
    assert villages.count() == 120
    assert {village.parent.parent.admin_level for village in villages} == {2}  # type: ignore[union-attr]
    first = Location.objects.get(pcode="CD5401G001V01")  # village 0: the first territory's first
    assert first.name == synthetic_name(0)
    names = dict(villages.values_list("pcode", "name"))
    out = StringIO()
    call_command("locations_synthesize", "--villages", "240", stdout=out)
    assert "120 were created, 0 were updated, 144 unchanged" in out.getvalue()  # more, same first ones
    assert dict(Location.objects.filter(pcode__in=names).values_list("pcode", "name")) == names
    assert VILLAGES_PER_GROUPEMENT == 50 and not Location.objects.filter(pcode__endswith="V51").exists()
    with pytest.raises(CommandError, match="villages: 1 to"):
        call_command("locations_synthesize", "--villages", "0")

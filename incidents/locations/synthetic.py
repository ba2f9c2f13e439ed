"""A synthetic country's villages for the demo (`make run` with CRSV_DEMO_VILLAGES=N) and the
benchmark: `manage.py locations_synthesize --villages N`.

Under the demo's admin levels 1 and 2 (the eastern-DRC file, loaded first), each territory gets
groupements (admin level 3) of at most `VILLAGES_PER_GROUPEMENT` villages (admin level 4), the
villages dealt to the territories in turn. Names and p-codes are a function of the village's
number alone, so the same N makes the same places, and a larger N adds to them: loading again
changes nothing (the loader upserts by p-code). P-codes are the territory's followed by
`G<nnn>` (groupement) and `V<nn>` (village): CD6104G001V01, never a real OCHA p-code.
"""

from __future__ import annotations

from pathlib import Path

from incidents.locations import LocationsLoadResult, Place, locations_load_csv, locations_save
from incidents.models import Location

DEMO_CSV = Path(__file__).resolve().parent.parent / "data" / "locations_drc_east.csv"
VILLAGES_PER_GROUPEMENT = 50
VILLAGES_MAX = 200_000

# Syllables of the names: plain, with an accent (the search ignores it), and endings.
_STARTS = [
    "ka",
    "lu",
    "mu",
    "bi",
    "ki",
    "nya",
    "ru",
    "ma",
    "ngo",
    "tshi",
    "bu",
    "ko",
    "se",
    "wa",
    "ga",
    "ndu",
]
_MIDDLES = [
    "la",
    "mbe",
    "ri",
    "so",
    "nge",
    "ba",
    "lé",
    "to",
    "ku",
    "nda",
    "mi",
    "ré",
    "sha",
    "go",
    "vu",
    "ye",
]
_ENDS = ["nga", "ro", "mbo", "zi", "la", "shi", "ndo", "ke", "mba", "ré", "gu", "ti", "nyi", "we", "ka", "bé"]


def _mix(number: int) -> int:
    """A fixed scramble of `number` (Knuth's multiplicative hash), the same on every run."""
    return (number * 2654435761 + 97) % 2**32


def synthetic_name(number: int) -> str:
    """The name of village (or groupement) `number`: three to five syllables, now and then two
    words joined by a hyphen, as Kalunga-Mbote."""
    mixed = _mix(number)
    parts = [_STARTS[mixed % 16]]
    for _ in range(1 + (mixed >> 4) % 3):
        mixed = _mix(mixed)
        parts.append(_MIDDLES[mixed % 16] if len(parts) < 3 else _ENDS[mixed % 16])
    parts.append(_ENDS[(mixed >> 8) % 16])
    word = "".join(parts)
    if (mixed >> 12) % 9 == 0:
        return f"{word.capitalize()}-{synthetic_name(number + 1_000_003).split('-')[0]}"
    return word.capitalize()


def synthetic_places(*, villages: int, territories: list[Location]) -> list[Place]:
    """The groupements and villages for `villages` villages under `territories` (admin 2)."""
    places: list[Place] = []
    groupements: set[str] = set()
    for number in range(villages):
        territory = territories[number % len(territories)]
        rank = number // len(territories)  # the village's rank within its territory
        group = f"{territory.pcode}G{rank // VILLAGES_PER_GROUPEMENT + 1:03d}"
        if group not in groupements:
            groupements.add(group)
            name = f"Groupement {synthetic_name(hash_of(group))}"
            places.append(Place(group, name, 3, territory.pcode, line=len(places) + 1))
        code = f"{group}V{rank % VILLAGES_PER_GROUPEMENT + 1:02d}"
        places.append(Place(code, synthetic_name(number), 4, group, line=len(places) + 1))
    return places


def hash_of(code: str) -> int:
    """A stable number for a p-code (Python's hash() changes with each process)."""
    return int.from_bytes(code.encode(), "big") % 2**31


def locations_synthesize(*, villages: int, dry_run: bool = False) -> LocationsLoadResult:
    """Load the demo's admin levels 1-3, then `villages` synthetic villages under them."""
    if not 0 < villages <= VILLAGES_MAX:
        raise ValueError(f"villages: 1 to {VILLAGES_MAX}")
    locations_load_csv(DEMO_CSV, dry_run=dry_run)
    territories = list(Location.objects.filter(admin_level=2).order_by("pcode"))
    if not territories:  # a dry run on an empty database: the demo file was not kept
        return LocationsLoadResult()
    return locations_save(synthetic_places(villages=villages, territories=territories), dry_run=dry_run)

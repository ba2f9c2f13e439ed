"""Finding a location by what a person types: the start or any part of a word of its name, in
any case, with or without accents, or the start of its p-code (the intake's search step and its
type-ahead). A country's 100,000 villages are never listed whole: at most `MATCHES_MAX`.

Names are compared folded (`fold`): lower case, Latin accents and ligatures removed, punctuation
and spaces made single spaces, so "kalehe centre" finds "Kalehe-Centre" and "beni" finds "Béni".
The database folds with `incidents_fold`, made by migration incidents/0009 from the same
constants as `fold` below; tests/incidents/test_location_search.py checks that both agree on
every character up to U+024F. Letters outside Latin scripts keep their case.

Three indexed ways in, one query (a UNION of three short, limited scans), then the candidates
with their ancestors for the labels (a second query), ordered by way in, then by name:

1. the name starts with the text (B-tree on the folded name, in byte order): first;
2. the p-code starts with it (B-tree on the upper-case p-code);
3. for three letters or more: each word of the text starts a word of the name, or lies within
   one (GIN on `incidents_location_lexemes`: the name's words and their tails).
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQueryField
from django.db.models import BooleanField, Func, IntegerField, QuerySet, Value
from django.db.models.functions import Cast, Collate, Upper

from crsv.accounts.models import User
from incidents.models import Location
from incidents.models.locations_and_parties import FoldedName, NameLexemes
from incidents.selectors.records import location_list

MATCHES_MAX = 20
TEXT_MIN = 2  # fewer characters would match too much to be of use
TEXT_MAX = 100
_WITHIN_MIN = 3  # the shortest part of a word searched within words (shorter: word starts only)

# --- folding (keep in step with migration incidents/0009_location_search) -------------------------

# A name with a character beyond ASCII is decomposed (NFKD) and its combining marks dropped
# ("é" -> "e"); what that leaves beyond ASCII in the Latin letters is mapped here.
FOLD_COMBINING = r"[\u0300-\u036f]+"
FOLD_SPECIAL_FROM = "ÐðØøĐđĦħıĸŁłŦŧƒ"
FOLD_SPECIAL_TO = "ddooddhhikllttf"
FOLD_LIGATURES = (
    ("Æ", "ae"),
    ("æ", "ae"),
    ("Œ", "oe"),
    ("œ", "oe"),
    ("ß", "ss"),
    ("Þ", "th"),
    ("þ", "th"),
    ("Ŋ", "ng"),
    ("ŋ", "ng"),
)
# ASCII punctuation and controls, and the typographic marks a name may carry: a word break. The
# same pattern is a Python and a PostgreSQL (ARE) regular expression.
FOLD_SEPARATORS = (
    r"[\u0001-\u002f\u003a-\u0040\u005b-\u0060\u007b-\u007f"
    r"\u00a0\u00ab\u00b4\u00b7\u00bb\u02bc\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026]+"
)
_SPECIALS = str.maketrans(
    {**dict(zip(FOLD_SPECIAL_FROM, FOLD_SPECIAL_TO, strict=True)), **dict(FOLD_LIGATURES)}
)
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_COMBINING = re.compile(FOLD_COMBINING)
_SEPARATORS = re.compile(FOLD_SEPARATORS)
_PCODE_START = re.compile(r"^[A-Za-z0-9_-]+$")


def fold(text: str) -> str:
    """`text` as the search compares it (what `incidents_fold` does in the database): lower
    case (ASCII letters only: the same in every database locale), accents dropped, words
    separated by single spaces."""
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text)).translate(_SPECIALS)
    return _SEPARATORS.sub(" ", text.translate(_ASCII_LOWER)).strip(" ")


# --- the search ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocationMatch:
    """A location as offered to choose: its p-code, and a label naming its ancestors,
    "Kalehe · Sud-Kivu (CD6205)"."""

    pcode: str
    label: str


def location_label(location: Location) -> str:
    """The place, then its ancestors up to the province, then its p-code (select the ancestors
    with the query: `parent__parent__parent`)."""
    names = []
    place: Location | None = location
    while place is not None:
        names.append(place.name)
        place = place.parent
    return f"{' · '.join(names)} ({location.pcode})"


def location_match(location: Location) -> LocationMatch:
    return LocationMatch(pcode=location.pcode, label=location_label(location))


class _Matches(Func):
    """`lexemes @@ 'query'::tsquery`: the query is written in tsquery syntax by `_tsquery`."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _tsquery(words: list[str]) -> str:
    """Each word starts a word of the name or, when long enough, lies within one. The words
    are folded: no quote, backslash or operator is left in them."""
    parts = [f"('{word}':* | '~{word}':*)" if len(word) >= _WITHIN_MIN else f"'{word}':*" for word in words]
    return " & ".join(parts)


def _candidates(rows: QuerySet[Location], text: str) -> dict[int, int]:
    """The ids of up to 3 x `MATCHES_MAX` candidates and their rank (0: the name starts with
    the text, 1: the p-code does, 2: a word does or holds it), in one query."""
    folded = fold(text)
    name_key = Collate(FoldedName("name"), "C")
    branches: list[QuerySet[Any, Any]] = []  # each annotated its own way
    if folded:
        starts = rows.alias(name_key=name_key).filter(name_key__startswith=folded)
        starts = starts.order_by("name_key", "admin_level", "pcode")[:MATCHES_MAX]
        branches.append(starts.annotate(rank=Value(0, IntegerField())).values("id", "rank"))
    if len(folded) >= _WITHIN_MIN:
        # Any `MATCHES_MAX` of them, unordered: ordering all the matches of three letters would
        # fold the name of each; the few taken are ordered with the others below.
        query = Cast(Value(_tsquery(folded.split(" "))), SearchQueryField())
        within = rows.filter(_Matches(NameLexemes(FoldedName("name")), query))[:MATCHES_MAX]
        branches.append(within.annotate(rank=Value(2, IntegerField())).values("id", "rank"))
    code = text.strip()
    if _PCODE_START.match(code):
        coded = rows.alias(code_key=Collate(Upper("pcode"), "C")).filter(code_key__startswith=code.upper())
        coded = coded.order_by("code_key")[:MATCHES_MAX]
        branches.append(coded.annotate(rank=Value(1, IntegerField())).values("id", "rank"))
    if not branches:
        return {}
    union = branches[0].union(*branches[1:], all=True) if len(branches) > 1 else branches[0]
    ranks: dict[int, int] = {}
    for row in union:
        ranks[row["id"]] = min(row["rank"], ranks.get(row["id"], row["rank"]))
    return ranks


def location_search(*, user: User, text: str) -> list[LocationMatch]:
    """The locations `user` may choose (`location_list`) that match `text`, best first, at most
    `MATCHES_MAX`; none for fewer than `TEXT_MIN` characters. Two queries at most, whatever the
    text (one when nothing matches)."""
    text = text.strip()[:TEXT_MAX]
    if len(text) < TEXT_MIN:
        return []
    ranks = _candidates(location_list(user=user).select_related(None).order_by(), text)
    found = Location.objects.select_related("parent__parent__parent").in_bulk(ranks)

    def order(place: Location) -> tuple[int, str, int, str]:
        rank = ranks[place.pk]
        return (rank, place.pcode if rank == 1 else fold(place.name), place.admin_level, place.pcode)

    best = sorted(found.values(), key=order)
    return [location_match(place) for place in best[:MATCHES_MAX]]


def location_by_pcode(*, user: User, pcode: str) -> Location | None:
    """The location of this p-code that `user` may choose, with its ancestors; None if none."""
    pcode = pcode.strip()
    if not pcode or len(pcode) > TEXT_MAX:
        return None
    rows = location_list(user=user).select_related("parent__parent__parent")
    found = list(rows.alias(code_key=Collate(Upper("pcode"), "C")).filter(code_key=pcode.upper())[:5])
    exact = [location for location in found if location.pcode == pcode]
    return exact[0] if exact else (found[0] if found else None)

"""The location search (issue 13 item 7): two SQL functions and three indexes.

`incidents_fold(text)` folds a name as `incidents.selectors.location_search.fold` does (ASCII
lower case, accents dropped after NFKD, a few Latin letters and ligatures mapped, punctuation
made single spaces): its constants are copied here, frozen, and
tests/incidents/test_location_search.py checks that both agree. It is a SQL-standard body
(RETURN ...): resolved when created, so a restore under an empty search_path rebuilds the
indexes. `incidents_location_lexemes(folded)` makes the tsvector of a folded name's words and
of their tails ("~" and three letters or more), which a GIN index serves for "any part of a
word" (pg_trgm and unaccent are not in the embedded PostgreSQL); it calls built-ins only, and
its cost is set high so that the planner reaches it through the index rather than row by row.
"""

import django.contrib.postgres.indexes
import django.db.models.functions.comparison
import django.db.models.functions.text
from django.db import migrations, models

import incidents.models.locations_and_parties

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
FOLD_SEPARATORS = (
    r"[\u0001-\u002f\u003a-\u0040\u005b-\u0060\u007b-\u007f"
    r"\u00a0\u00ab\u00b4\u00b7\u00bb\u02bc\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026]+"
)


def _fold_sql() -> str:
    # Beyond ASCII only (most names are ASCII, and translate() is slow): decompose, drop the
    # combining marks, map what is left. lower() under "C" lowers ASCII letters only, in any
    # database locale (a Turkish one would lower "I" to a dotless i).
    latin = rf"regexp_replace(normalize(text, NFKD), '{FOLD_COMBINING}', '', 'g')"
    for ligature, letters in FOLD_LIGATURES:
        latin = f"replace({latin}, '{ligature}', '{letters}')"
    latin = f"translate({latin}, '{FOLD_SPECIAL_FROM}', '{FOLD_SPECIAL_TO}')"
    return (
        "CREATE FUNCTION incidents_fold(text text) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
        rf"RETURN btrim(regexp_replace(lower((CASE WHEN text ~ '[^\u0001-\u007f]' THEN {latin} "
        f"""ELSE text END) COLLATE "C"), '{FOLD_SEPARATORS}', ' ', 'g'), ' ')"""
    )


LEXEMES_SQL = """
CREATE FUNCTION incidents_location_lexemes(folded text) RETURNS tsvector
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000
AS $$
DECLARE
    word text;
    start integer;
    lexemes text[] := '{}';
BEGIN
    FOREACH word IN ARRAY string_to_array(folded, ' ') LOOP
        CONTINUE WHEN word = '';
        lexemes := lexemes || word;
        FOR start IN 2 .. length(word) - 2 LOOP
            lexemes := lexemes || ('~' || substr(word, start));
        END LOOP;
    END LOOP;
    RETURN array_to_tsvector(lexemes);
END
$$
"""


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0008_alerts"),
    ]

    operations = [
        migrations.RunSQL(sql=_fold_sql(), reverse_sql="DROP FUNCTION incidents_fold(text)"),
        migrations.RunSQL(sql=LEXEMES_SQL, reverse_sql="DROP FUNCTION incidents_location_lexemes(text)"),
        migrations.AddIndex(
            model_name="location",
            index=models.Index(
                django.db.models.functions.comparison.Collate(
                    incidents.models.locations_and_parties.FoldedName("name"), "C"
                ),
                name="location_folded_name",
            ),
        ),
        migrations.AddIndex(
            model_name="location",
            index=models.Index(
                django.db.models.functions.comparison.Collate(
                    django.db.models.functions.text.Upper("pcode"), "C"
                ),
                name="location_pcode_upper",
            ),
        ),
        migrations.AddIndex(
            model_name="location",
            index=django.contrib.postgres.indexes.GinIndex(
                incidents.models.locations_and_parties.NameLexemes(
                    incidents.models.locations_and_parties.FoldedName("name")
                ),
                name="location_name_lexemes",
            ),
        ),
    ]

"""The consent ledger is append-only (a withdrawal is a new entry), enforced by the database;
and the first consent texts, in English and French (admins publish later versions)."""

from django.db import migrations
from django.utils import timezone

SQL = """
CREATE TRIGGER survivors_consent_append_only
    BEFORE UPDATE OR DELETE ON survivors_consent
    FOR EACH ROW EXECUTE FUNCTION crsv_refuse_append_only_change();
CREATE TRIGGER survivors_consent_no_truncate
    BEFORE TRUNCATE ON survivors_consent
    FOR EACH STATEMENT EXECUTE FUNCTION crsv_refuse_append_only_change();
"""

REVERSE = """
DROP TRIGGER IF EXISTS survivors_consent_no_truncate ON survivors_consent;
DROP TRIGGER IF EXISTS survivors_consent_append_only ON survivors_consent;
"""

TEXTS = {
    "en": (
        "Informed consent",
        "I have been told, in a language I understand, what will be recorded about me, who may see "
        "it, and why. I know that I may refuse any part, that refusing will not stop me receiving "
        "help, and that I may withdraw my consent at any time. For a child: the caregiver gives "
        "consent and the child gives assent.",
    ),
    "fr": (
        "Consentement éclairé",
        "On m'a expliqué, dans une langue que je comprends, ce qui sera enregistré à mon sujet, qui "
        "pourra le voir, et pourquoi. Je sais que je peux refuser tout ou partie, que ce refus ne "
        "m'empêchera pas de recevoir de l'aide, et que je peux retirer mon consentement à tout "
        "moment. Pour un enfant : la personne qui en a la charge donne son consentement et "
        "l'enfant son assentiment.",
    ),
}


def add_texts(apps, schema_editor):
    ConsentText = apps.get_model("survivors", "ConsentText")
    for language, (title, body) in TEXTS.items():
        ConsentText.objects.get_or_create(
            version="1.0",
            language=language,
            defaults={"title": title, "body": body, "published_at": timezone.now()},
        )


class Migration(migrations.Migration):
    dependencies = [("survivors", "0001_initial"), ("audit", "0002_append_only_triggers")]

    operations = [
        migrations.RunSQL(SQL, reverse_sql=REVERSE),
        migrations.RunPython(add_texts, migrations.RunPython.noop),
    ]

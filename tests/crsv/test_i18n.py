"""English and French: the language switch and the French catalogue."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from crsv.accounts.models import User
from tests.conftest import verify_second_factor

pytestmark = pytest.mark.django_db


def test_language_switch_is_public_and_turns_pages_french(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/accounts/login/"})
    assert response.status_code == 302
    body = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="fr"' in body
    assert "Se connecter" in body
    assert "Nom d’utilisateur" in body or "Nom d'utilisateur" in body


def test_home_in_french(client: Client, wpa: User) -> None:
    client.force_login(wpa)
    verify_second_factor(client, wpa)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    body = client.get("/").content.decode()
    assert "Vos rôles" in body
    assert "Conseillère pour la protection des femmes" in body
    assert "Vos bureaux" in body


def test_the_language_chosen_is_kept_on_the_account_for_her_e_mails(client: Client, wpa: User) -> None:
    from crsv.notifications.services import recipient_language

    assert recipient_language(wpa) == "en"
    client.force_login(wpa)
    verify_second_factor(client, wpa)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    wpa.refresh_from_db()
    assert wpa.language == "fr"
    assert recipient_language(wpa) == "fr"
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})  # not a language: kept
    wpa.refresh_from_db()
    assert wpa.language == "fr"


@pytest.mark.parametrize(
    "english",
    [
        "Sign in",
        "Sign out",
        "Your roles",
        "Your field offices",
        "Language",
        "Skip to content",
        "You are signed out",
        "Reporter",
        "Analyst",
        "Auditor",
        "Administrator",
        "Your session expired. Please sign in again.",
        "Wrong username or password.",
        "The token has expired; request a new one.",
    ],
)
def test_every_string_has_a_french_translation(english: str) -> None:
    with translation.override("fr"):
        assert translation.gettext(english) != english


def _po_msgids(path: Path) -> list[str]:
    """The msgids of a .po file (a small reader: enough for Django's makemessages output)."""
    ids, current, reading = [], [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            current, reading = [line[6:]], True
        elif reading and line.startswith('"'):
            current.append(line)
        else:
            if reading and line.startswith(("msgstr", "msgid_plural")):
                text = "".join(ast.literal_eval(part) for part in current)
                if text:
                    ids.append(text)
            reading = False
    return ids


def test_the_french_catalogue_is_complete_and_compiled() -> None:
    """Every string marked for translation has a French translation in the compiled .mo."""
    from django.conf import settings

    folder = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    msgids = _po_msgids(folder / "django.po")
    assert len(msgids) > 500
    compiled = catalogue._catalog  # type: ignore[attr-defined]  # msgid -> msgstr, as compiled
    # A plural entry is compiled under (msgid, 0), (msgid, 1), ...
    missing = [m for m in msgids if not (compiled.get(m) or compiled.get((m, 0)))]
    assert missing == []

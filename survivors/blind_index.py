"""Blind index: exact-match search on names and phone numbers without storing them readable.

An entry is HMAC-SHA256, under its own key (`CRSV_BLIND_INDEX_KEY`, never the master keys), of
a normalised value. Only high-entropy fields are indexed (name, phone): for a low-entropy field
an attacker holding the key could try every value.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata
from functools import lru_cache

import phonenumbers
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

DEFAULT_REGION = "CD"  # the DRC: +243


def normalise_name(value: str) -> str:
    """Case, accents and spacing do not matter: 'Éspérance  KAVIRA' == 'esperance kavira'."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def normalise_phone(value: str) -> str:
    """E.164, with the DRC's +243 as default country: '0970 000 001' -> '+243970000001'.
    Returns "" for something that is not a phone number."""
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=1)
def _key() -> bytes:
    raw = settings.CRSV_BLIND_INDEX_KEY
    try:
        key = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except ValueError as exc:
        raise ImproperlyConfigured("CRSV_BLIND_INDEX_KEY is not URL-safe base64.") from exc
    if len(key) != 32:
        raise ImproperlyConfigured("CRSV_BLIND_INDEX_KEY must be 32 bytes.")
    return key


@receiver(setting_changed)
def _forget_key(setting: str, **kwargs: object) -> None:
    if setting == "CRSV_BLIND_INDEX_KEY":
        _key.cache_clear()


def digest(kind: str, normalised: str) -> bytes:
    """The index entry for a normalised value; the kind is mixed in, so a name never matches a
    phone number's entry."""
    return hmac.new(_key(), f"{kind}\x00{normalised}".encode(), hashlib.sha256).digest()


def entries(*, name: str, phone: str) -> list[tuple[str, bytes]]:
    """The (kind, digest) entries for a case's current name and phone (none for empty values)."""
    found = []
    if normalised := normalise_name(name):
        found.append(("name", digest("name", normalised)))
    if normalised := normalise_phone(phone):
        found.append(("phone", digest("phone", normalised)))
    return found

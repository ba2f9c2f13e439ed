"""The one encrypted-field idiom (crsv.crypto.EncryptedField): reading decrypts or raises,
assigning encrypts with the key already on the row and never writes nor creates a key; and the
ciphertexts stored before the idiom (same associated data: table|field|row) still decrypt."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test.utils import override_settings

from crsv import crypto
from crsv.crypto import DataKeyMissing, DecryptionError, Sealed
from crsv.keys.models import DataKey
from crsv.keys.services import data_key_create, data_key_provision
from incidents.models import Incident, IncidentEvent, Perpetrator
from survivors.identity import SurvivorIdentity
from survivors.models import BreakGlass, Survivor

# Written before issue 9 by the code paths it replaced (Incident.narrative's property setter,
# IncidentEvent.reason's, survivors.identity.identity_encrypt, BreakGlass.cipher()), under a
# fixture master key: a change of format or of associated data makes these fail.
FIXTURE_MASTER_KEYS = "fixture:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
FIXTURE_DATA_KEY = uuid.UUID("11111111-1111-4111-8111-111111111111")
FIXTURE_WRAPPED = bytes.fromhex(
    "010e868dbba6f28c4ecddf5a64501859f4534ea6733ee9961c527a912a022b5e68c134168a0c4fb50bb9e3d5"
    "3eb9d9dbea8defdf0ad105b45b66e3bd4f"
)
INCIDENT_ROW = uuid.UUID("22222222-2222-4222-8222-222222222222")
EVENT_ROW = uuid.UUID("33333333-3333-4333-8333-333333333333")
SURVIVOR_ROW = uuid.UUID("44444444-4444-4444-8444-444444444444")
GLASS_ROW = uuid.UUID("55555555-5555-4555-8555-555555555555")
OLD_NARRATIVE = bytes.fromhex(
    "01df98a1518db5e060b756914cfa634df7724eb349d0b57161418b8381672a9b94f2a81107ac4222885b5307aaa9c6"
    "5e9199ed0da7"
)
OLD_REASON = bytes.fromhex(
    "01dcfb53437db52c4e168b3b8289b235773e1b29b8fffd170d81ae88dea2e5e0c90ca14d5603d3fe6e"
)
OLD_NAME = bytes.fromhex("01ad6d8449789e0654fba5e957a3bfcc128e755b29abfd7a1e5fe77e8773d1c0a26078aba630")
OLD_GLASS = bytes.fromhex(
    "015b3ac0c30bf96cc3ecb0369a034f519b0a8278e29b80503cfca51bfcd4c45d8f7bece0d33a405a683f8266c62a"
)


@pytest.fixture
def fixture_key() -> Iterator[DataKey]:
    with override_settings(CRSV_MASTER_KEYS=FIXTURE_MASTER_KEYS):
        yield DataKey(public_id=FIXTURE_DATA_KEY, master_key_id="fixture", wrapped_key=FIXTURE_WRAPPED)


def test_ciphertexts_written_before_the_idiom_still_decrypt(fixture_key: DataKey) -> None:
    incident = Incident(public_id=INCIDENT_ROW, data_key=fixture_key, narrative_ct=OLD_NARRATIVE)
    event = IncidentEvent(public_id=EVENT_ROW, incident=incident, reason_ct=OLD_REASON)
    survivor = Survivor(public_id=SURVIVOR_ROW, data_key=fixture_key, name_ct=OLD_NAME)
    glass = BreakGlass(public_id=GLASS_ROW, survivor=survivor, reason_ct=OLD_GLASS)
    assert incident.narrative == "Written before issue 9."
    assert event.reason == "Old reason."
    assert survivor.name == "Old Name"
    assert glass.reason == "Old glass reason"


def test_a_ciphertext_on_another_row_or_field_does_not_decrypt(fixture_key: DataKey) -> None:
    moved = Incident(public_id=uuid.uuid4(), data_key=fixture_key, narrative_ct=OLD_NARRATIVE)
    with pytest.raises(DecryptionError):
        _ = moved.narrative
    other_field = Survivor(public_id=SURVIVOR_ROW, data_key=fixture_key, phone_ct=OLD_NAME)
    with pytest.raises(DecryptionError):
        _ = other_field.phone


@pytest.mark.django_db
def test_assignment_encrypts_in_memory_and_writes_nothing(
    django_assert_num_queries: Any,
) -> None:
    data_key, _plain = data_key_create()
    incident = Incident(data_key=data_key)
    with django_assert_num_queries(0):
        incident.narrative = "Seen at the checkpoint."
        incident.latitude = Decimal("-1.5")
    assert incident.narrative_ct is not None and b"checkpoint" not in bytes(incident.narrative_ct)
    assert (incident.narrative, incident.latitude) == ("Seen at the checkpoint.", Decimal("-1.500000"))


@pytest.mark.django_db
def test_assignment_without_a_data_key_is_a_programming_error_and_creates_none(
    django_assert_num_queries: Any,
) -> None:
    before = DataKey.objects.count()
    incident = Incident()
    with django_assert_num_queries(0), pytest.raises(DataKeyMissing, match="data_key_provision"):
        incident.narrative = "No key yet."
    assert incident.narrative_ct is None and incident.data_key_id is None
    assert DataKey.objects.count() == before
    # Blanking needs no key: a display instance can be redacted.
    incident.latitude = None
    Perpetrator(incident=incident).names = ""


@pytest.mark.django_db
def test_the_service_provisions_the_key_once() -> None:
    survivor = Survivor()
    assert data_key_provision(survivor) is True
    first = survivor.data_key_id
    assert data_key_provision(survivor) is False
    assert survivor.data_key_id == first
    SurvivorIdentity(name="Amani").write_to(survivor)
    assert SurvivorIdentity.of(survivor).name == "Amani"


def test_reading_never_returns_ciphertext_or_an_empty_value(fixture_key: DataKey) -> None:
    tampered = bytearray(OLD_NAME)
    tampered[-1] ^= 1
    with pytest.raises(DecryptionError):
        _ = Survivor(public_id=SURVIVOR_ROW, data_key=fixture_key, name_ct=bytes(tampered)).name
    # A survivor's field is always encrypted: a NULL column is a failure, not "".
    with pytest.raises(DecryptionError):
        _ = Survivor(public_id=SURVIVOR_ROW, data_key=fixture_key, name_ct=None).name
    # Erased: the data key is gone.
    erased = DataKey(public_id=FIXTURE_DATA_KEY, master_key_id="fixture", wrapped_key=None)
    with pytest.raises(DecryptionError):
        _ = Survivor(public_id=SURVIVOR_ROW, data_key=erased, name_ct=OLD_NAME).name
    # Ciphertext but no data key on the row.
    with pytest.raises(DecryptionError):
        _ = Incident(public_id=INCIDENT_ROW, narrative_ct=OLD_NARRATIVE).narrative


def test_a_coordinate_keeps_six_places_and_an_invalid_one_reaches_validation(fixture_key: DataKey) -> None:
    incident = Incident(data_key=fixture_key)
    incident.longitude = Decimal("29.25")
    assert str(incident.longitude) == "29.250000"
    incident.longitude = Decimal("29.1234567")  # seven places: stored as given, refused by the service
    assert incident.longitude == Decimal("29.1234567")


def test_every_encrypted_attribute_is_the_one_idiom() -> None:
    expected = {
        Incident: {"narrative", "latitude", "longitude"},
        IncidentEvent: {"reason"},
        Perpetrator: {"unit", "commander", "names"},
        Survivor: {
            "name",
            "date_of_birth",
            "phone",
            "address",
            "caregiver",
            "safe_contact_method",
            "safe_contact_times",
            "notes",
        },
        BreakGlass: {"reason"},
    }
    for model, names in expected.items():
        found = {name for name, value in vars(model).items() if isinstance(value, crypto.EncryptedField)}
        assert found == names, model
        columns = {field.column for field in model._meta.concrete_fields}
        assert not names & columns, model  # no plaintext column of the same name
        assert {f"{name}_ct" for name in names} <= columns, model


def _sealed(survivor: Survivor) -> Sealed:
    key = survivor.data_key
    return Sealed(
        survivor.name_ct,
        str(survivor.public_id),
        str(key.public_id),
        key.master_key_id,
        key.wrapped_key,
    )


def _in_memory_case(name: str) -> Survivor:
    """A case with its own data key, encrypted in memory (no database)."""
    public_id = uuid.uuid4()
    key_id, wrapped = crypto.wrap_data_key(crypto.new_data_key(), owner=str(public_id))
    survivor = Survivor(
        public_id=uuid.uuid4(),
        data_key=DataKey(public_id=public_id, master_key_id=key_id, wrapped_key=wrapped),
    )
    survivor.name = name
    return survivor


def test_many_values_open_as_each_row_reads_them(fixture_key: DataKey) -> None:
    """`decrypt_many` (a list page's names, read as values): what reading each row gives, the
    ciphertexts written before the idiom included, and the same refusals. (Under the fixture's
    master key, which `_in_memory_case` wraps with too.)"""
    cases = [_in_memory_case(f"Case {i}") for i in range(3)]
    old = Survivor(public_id=SURVIVOR_ROW, data_key=fixture_key, name_ct=OLD_NAME)
    sealed = [_sealed(case) for case in [*cases, old]]
    assert Survivor.name.decrypt_many(Survivor, sealed) == ["Case 0", "Case 1", "Case 2", "Old Name"]
    assert Survivor.name.decrypt_many(Survivor, []) == []
    tampered = bytearray(OLD_NAME)
    tampered[-1] ^= 1
    refused = [
        dataclasses.replace(sealed[0], row=sealed[1].row),  # moved to another row
        dataclasses.replace(sealed[0], blob=bytes(tampered)),
        dataclasses.replace(sealed[0], blob=None),  # a survivor's field is never NULL
        dataclasses.replace(sealed[0], wrapped_key=None),  # erased: the key is destroyed
        dataclasses.replace(sealed[0], key_owner=sealed[1].key_owner),  # another row's key
        dataclasses.replace(sealed[3], key_id="gone"),  # a master key no longer configured
    ]
    for bad in refused:
        with pytest.raises(DecryptionError):
            Survivor.name.decrypt_many(Survivor, [sealed[1], bad])
    with pytest.raises(DecryptionError):  # the same ciphertext read as another field
        Survivor.phone.decrypt_many(Survivor, sealed[:1])
    with pytest.raises(DecryptionError):  # or another table
        Incident.narrative.decrypt_many(Incident, sealed[:1])
    # A field that may be NULL reads a NULL column as its empty value, as the attribute does.
    assert Incident.narrative.decrypt_many(Incident, [dataclasses.replace(sealed[0], blob=None)]) == [""]
    assert "Case" not in repr(sealed[0]) and "blob" not in repr(sealed[0])

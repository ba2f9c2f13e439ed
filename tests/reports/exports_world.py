"""A small world for the de-identified exports' tests, built through the real services.

Places: Nord-Kivu (CD61, admin 1) > Masisi (CD6106, admin 2) > a canary locality (admin 3) > a
canary village (admin 4, with a point). A Goma incident there, in the current month, with a
canary narrative and exact coordinates, perpetrators named (canary names, unit, commander) for
M23 (annex-listed) and a party whose name is a formula; a survivor linked to it with a canary
name, phone and address, consenting to statistics, referred for medical care. Every value a
de-identified export must never hold is in `CANARIES` (with the survivor's code and the
incident's reference, known once built).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from crsv.accounts.models import FieldOffice, User
from incidents.models import Incident, Location, PartyToConflict
from incidents.services import PerpetratorData
from referrals.models import Referral, ServiceProvider
from referrals.services import referral_create
from reports.exports import statistics_export
from reports.rollups import rollups_flush
from survivors.identity import SurvivorIdentity
from survivors.models import Consent, ConsentText, Survivor
from survivors.services import SurvivorProfile, consent_record, survivor_register
from tests.incidents.factories import LocationFactory, PartyFactory, incident_in_state, office_today

NARRATIVE = "Canary-narrative-QX7 the armed men came at dawn"
LOCALITY = "Canary-locality-QX7"
VILLAGE = "Canary-village-QX7"
LOCALITY_PCODE = "CD6106QX7"
VILLAGE_PCODE = "CD6106QX701"
LATITUDE, LONGITUDE = Decimal("-1.654321"), Decimal("29.123457")
SURVIVOR_NAME = "Canary-survivor-QX7"
SURVIVOR_PHONE = "+243 812 345 678"
SURVIVOR_ADDRESS = "Canary-address-QX7"
PERPETRATOR_NAMES = "Canary-perpetrator-QX7"
PERPETRATOR_UNIT = "Canary-unit-QX7"
PERPETRATOR_COMMANDER = "Canary-commander-QX7"
FORMULA_PARTY = '=HYPERLINK("http://evil.example","M24")'
CANARIES = [
    NARRATIVE,
    LOCALITY,
    VILLAGE,
    LOCALITY_PCODE,
    VILLAGE_PCODE,
    str(LATITUDE),
    str(LONGITUDE),
    "1.654321",
    SURVIVOR_NAME,
    SURVIVOR_PHONE,
    "812345678",
    "812 345 678",
    SURVIVOR_ADDRESS,
    PERPETRATOR_NAMES,
    PERPETRATOR_UNIT,
    PERPETRATOR_COMMANDER,
]


def this_month(user: User) -> date:
    """The first day of last month: the latest period that has ended, the only kind exported."""
    return (office_today(user).replace(day=1) - timedelta(days=1)).replace(day=1)


def period_of(user: User) -> str:
    return this_month(user).isoformat()[:7]


@dataclass
class World:
    incident: Incident
    survivor: Survivor
    masisi: Location
    village: Location
    m23: PartyToConflict
    formula_party: PartyToConflict
    never: list[str] = field(default_factory=list)  # every canary, with the code and reference


def places() -> tuple[Location, Location]:
    nord_kivu = LocationFactory(pcode="CD61", name="Nord-Kivu", admin_level=1)
    masisi = LocationFactory(pcode="CD6106", name="Masisi", admin_level=2, parent=nord_kivu)
    locality = LocationFactory(pcode=LOCALITY_PCODE, name=LOCALITY, admin_level=3, parent=masisi)
    village = LocationFactory(
        pcode=VILLAGE_PCODE,
        name=VILLAGE,
        admin_level=4,
        parent=locality,
        latitude=Decimal("-1.600000"),
        longitude=Decimal("29.100000"),
    )
    return masisi, village


def incident_make(
    reporter: User, reviewer: User, location: Location, state: str = "submitted", **values: Any
) -> Incident:
    """An incident of last month (its first day, so a period of the month holds it)."""
    first = this_month(reporter)
    values.setdefault("incident_date_start", first)
    values.setdefault("incident_date_end", first)
    return incident_in_state(state, reporter=reporter, reviewer=reviewer, location=location, **values)


def consent_statistics(actor: User, survivor: Survivor, text: ConsentText) -> Consent:
    return consent_record(
        actor=actor,
        survivor=survivor,
        purpose=Consent.Purpose.STATISTICS,
        given_by=Consent.GivenBy.SURVIVOR,
        method=Consent.Method.ORAL,
        explained_in="fr",
        consent_text=text,
    )


def survivor_link(
    wpa: User, office: FieldOffice, incident: Incident, text: ConsentText, **identity: str
) -> Survivor:
    survivor = survivor_register(
        actor=wpa,
        field_office=office,
        identity=SurvivorIdentity(**identity),
        profile=SurvivorProfile(sex=Survivor.Sex.FEMALE, age=24),
        incident=incident,
    )
    consent_statistics(wpa, survivor, text)
    return survivor


def world_build(*, reporter: User, wpa: User, office: FieldOffice, consent_text: ConsentText) -> World:
    masisi, village = places()
    m23 = PartyFactory(name="M23/AFC", listed_in_sg_annex=True)
    formula_party = PartyFactory(name=FORMULA_PARTY)
    incident = incident_make(
        reporter,
        wpa,
        village,
        "closed",
        narrative=NARRATIVE,
        latitude=LATITUDE,
        longitude=LONGITUDE,
        tally_girls=1,
        violations=("rape", "sexual_slavery"),
        perpetrators=[
            PerpetratorData(
                category="non_state_armed_group",
                count=3,
                sex="male",
                age_group="adult",
                party=m23,
                names=PERPETRATOR_NAMES,
                unit=PERPETRATOR_UNIT,
                commander=PERPETRATOR_COMMANDER,
            ),
            PerpetratorData(category="pro_government_militia", count=1, party=formula_party),
        ],
    )
    survivor = survivor_link(
        wpa,
        office,
        incident,
        consent_text,
        name=SURVIVOR_NAME,
        phone=SURVIVOR_PHONE,
        address=SURVIVOR_ADDRESS,
    )
    hospital = ServiceProvider.objects.create(name="HEAL Africa", service_types=["medical", "psychosocial"])
    hospital.field_offices.set([office])
    consent_record(
        actor=wpa,
        survivor=survivor,
        purpose=Consent.Purpose.REFERRAL,
        service_type="medical",
        given_by=Consent.GivenBy.SURVIVOR,
        method=Consent.Method.ORAL,
        explained_in="fr",
        consent_text=consent_text,
    )
    referral = referral_create(
        actor=wpa,
        survivor=survivor,
        provider=hospital,
        service_type="medical",
        urgency=Referral.Urgency.EMERGENCY,
        incident=incident,
        send=True,
    )
    # Sent in the exported month (a period that has ended): dated back, as the rollup's triggers
    # see any write.
    sent_at = datetime.combine(this_month(reporter), time(12), tzinfo=UTC)
    Referral.objects.filter(pk=referral.pk).update(sent_at=sent_at)
    rollups_flush()
    incident.refresh_from_db()
    never = [*CANARIES, survivor.code, str(survivor.public_id), str(incident.public_id)]
    assert incident.reference
    never.append(incident.reference)
    return World(incident, survivor, masisi, village, m23, formula_party, never)


def export_bytes(user: User, kind: str, period: str, file_format: str) -> bytes:
    """The file's bytes, as a download would send them (the service's chunks, encoded)."""
    export = statistics_export(actor=user, kind=kind, period=period, file_format=file_format)
    return b"".join(chunk.encode() if isinstance(chunk, str) else chunk for chunk in export.chunks)


def readable_bytes(content: bytes) -> list[bytes]:
    """The file's bytes and, for a zip (XLSX), each member's uncompressed bytes too."""
    if not content.startswith(b"PK"):
        return [content]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [content, *(archive.read(name) for name in archive.namelist())]

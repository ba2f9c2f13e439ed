"""Seed reference data: the parties to the conflict in eastern DRC that the demo data uses.

The annex flag reflects our reading of the annexes of recent Secretary-General reports on
conflict-related sexual violence; administrators keep the registry current in the admin.
"""

from __future__ import annotations

from django.db import transaction

from crsv.audit.services import audit_record
from incidents.models import PartyToConflict

# (name, aliases, listed in the SG annex)
DRC_EAST_PARTIES: list[tuple[str, list[str], bool]] = [
    ("FARDC", ["Forces armées de la République démocratique du Congo"], True),
    ("PNC", ["Police nationale congolaise"], True),
    ("M23/AFC", ["M23", "Mouvement du 23 mars", "AFC", "Alliance Fleuve Congo"], True),
    ("ADF", ["Allied Democratic Forces", "ISCAP"], True),
    ("CODECO", ["Coopérative pour le développement du Congo", "URDPC"], True),
    ("FDLR", ["Forces démocratiques de libération du Rwanda"], True),
    ("FRPI", ["Force de résistance patriotique de l'Ituri"], True),
    ("Nyatura", ["Nyatura groups"], True),
    ("Raia Mutomboki", ["Raïa Mutomboki"], True),
    ("NDC-R", ["Nduma défense du Congo-Rénové"], True),
    ("Mai-Mai Yakutumba", ["CNPSC", "Coalition nationale du peuple pour la souveraineté du Congo"], True),
    ("Mai-Mai (other groups)", ["Maï-Maï"], False),
    ("Wazalendo", ["Volontaires pour la défense de la patrie", "VDP"], False),
    ("Twirwaneho", [], False),
    ("Zaïre", ["ADCVI", "Auto-défense des communautés victimes de l'Ituri"], False),
]


@transaction.atomic
def parties_ensure() -> list[PartyToConflict]:
    """Create the seed parties that are missing (by name); never changes existing ones."""
    parties = []
    for name, aliases, listed in DRC_EAST_PARTIES:
        party, created = PartyToConflict.objects.get_or_create(
            name=name, defaults={"aliases": aliases, "listed_in_sg_annex": listed}
        )
        if created:
            audit_record(actor=None, action="partytoconflict.add", obj=party)
        parties.append(party)
    return parties

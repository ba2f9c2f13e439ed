"""Every write on survivor cases and their consent ledger: one service per use case, which
authorizes (`survivors.permissions.case_authorize`), validates, writes and audits; the pages and
the API only adapt (`cases`, `consents`, `access`)."""

from __future__ import annotations

from survivors.services.access import (
    survivor_break_glass,
    survivor_erase,
    survivor_grant,
    survivor_revoke,
)
from survivors.services.cases import (
    PROFILE_FIELDS,
    IntakeConsentErrors,
    SurvivorProfile,
    age_band_for,
    survivor_assign,
    survivor_edit,
    survivor_intake,
    survivor_register,
    survivor_update,
)
from survivors.services.consents import (
    ConsentGrant,
    consent_record,
    consent_withdraw,
)

__all__ = [
    "PROFILE_FIELDS",
    "ConsentGrant",
    "IntakeConsentErrors",
    "SurvivorProfile",
    "age_band_for",
    "consent_record",
    "consent_withdraw",
    "survivor_assign",
    "survivor_break_glass",
    "survivor_edit",
    "survivor_erase",
    "survivor_grant",
    "survivor_intake",
    "survivor_register",
    "survivor_revoke",
    "survivor_update",
]

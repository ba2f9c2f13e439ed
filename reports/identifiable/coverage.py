"""Which cases an export may carry now: the one decision of the request, the approval and the
download, made from the project's own rules, never restated here:

- whether the requester may identify the case: `Survivor.objects.identifying_to(requester)`
  (assigned, registered until a WPA takes it, granted, or opened by her own break-glass; all
  bounded by her memberships now);
- whether the survivor's consent covers the recipient: `survivors.consent.consent_relied_on`
  (purpose `share_identifiable` naming that very provider, or purpose `legal`), at this moment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from reports.identifiable.models import IdentifiableExport, IdentifiableExportCase
from survivors.consent import consent_relied_on
from survivors.models import Consent, Survivor

Exclusion = IdentifiableExportCase.Exclusion


@dataclass(frozen=True)
class Coverage:
    """What was decided of one case: its exclusion (empty: included) and the grant relied on."""

    survivor: Survivor
    excluded_because: str
    consent: Consent | None

    @property
    def included(self) -> bool:
        return self.excluded_because == Exclusion.NONE


def consent_purpose(recipient: str) -> str:
    """The consent purpose a recipient needs."""
    if recipient == IdentifiableExport.Recipient.LEGAL:
        return Consent.Purpose.LEGAL
    return Consent.Purpose.SHARE_IDENTIFIABLE


def coverage_check(
    *, requester: Any, recipient: str, provider: Any, survivors: Iterable[Survivor]
) -> list[Coverage]:
    """Each case of `survivors`, in order, decided for `requester` and the recipient now: erased,
    not identifiable to her, not covered by a consent, or included with the grant relied on.
    One query for her access, then one per case for its ledger (an export holds at most
    `services.MAX_CASES`)."""
    cases = list(survivors)
    identifiable = set(
        Survivor.objects.identifying_to(requester)
        .filter(pk__in=[case.pk for case in cases])
        .values_list("pk", flat=True)
    )
    purpose = consent_purpose(recipient)
    decided: list[Coverage] = []
    for case in cases:
        if case.erased_at is not None:
            decided.append(Coverage(case, Exclusion.ERASED, None))
        elif case.pk not in identifiable:
            decided.append(Coverage(case, Exclusion.NOT_IDENTIFIABLE, None))
        else:
            grant = consent_relied_on(
                survivor=case,
                purpose=purpose,
                provider=provider if purpose == Consent.Purpose.SHARE_IDENTIFIABLE else None,
            )
            decided.append(Coverage(case, Exclusion.NONE if grant else Exclusion.NO_CONSENT, grant))
    return decided

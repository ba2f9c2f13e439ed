"""Each survivor's statistics flag (`ConsentFlag`): may her linked incidents and referrals count?

The one consent rule (`survivors.consent.consent_allows`, purpose statistics) decides it. The
rollup's SQL reads the flag, never the ledger, so the facts do not change with the clock alone:
a consent recorded or withdrawn writes the flag in its own transaction (registry hook), and
`consent_flags_refresh_due` (a beat task every few minutes) writes the flags of the survivors
whose grant expired or began since. A change of flag is a change of the rollup's input: the
table's trigger moves her incidents' and referrals' counts in the same transaction.

An erased case keeps the flag it had: the pseudonymous statistics remain (DESIGN §4).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from reports.models import ConsentFlag
from survivors.consent import consent_allows, consent_grants_in_force
from survivors.models import Consent, Survivor


def consent_flag_refresh_for(*, survivor: Survivor) -> bool:
    """Write `survivor`'s flag from the ledger now; True when it changed. Erased: unchanged."""
    if survivor.erased_at is not None:
        return False
    counts = consent_allows(survivor=survivor, purpose=Consent.Purpose.STATISTICS)
    flag = ConsentFlag.objects.filter(survivor_id=survivor.pk).first()
    if flag is None:
        if not counts:
            return False  # no row and no consent: she does not count either way
        ConsentFlag.objects.create(survivor_id=survivor.pk, counts=True)
        return True
    if flag.counts == counts:
        return False
    flag.counts = counts
    flag.save(update_fields=["counts", "updated_at"])
    return True


def consent_flags_refresh_due(*, now: datetime | None = None, lookback: timedelta = timedelta(days=1)) -> int:
    """Refresh the flags of the survivors whose statistics grant expired or began in the last
    `lookback` (idempotent, so overlapping runs and a day of downtime lose nothing); returns how
    many flags changed. The recompute command checks every flag besides."""
    now = now or timezone.now()
    since = now - lookback
    timed = Consent.objects.filter(purpose=Consent.Purpose.STATISTICS).filter(
        Q(expires_at__gt=since, expires_at__lte=now) | Q(given_at__gt=since, given_at__lte=now)
    )
    changed = 0
    for survivor in Survivor.objects.filter(pk__in=timed.values("survivor_id"), erased_at__isnull=True):
        changed += consent_flag_refresh_for(survivor=survivor)
    return changed


def consent_flags_refresh_all() -> int:
    """Write every live survivor's flag from the ledger (three queries and the changes, in bulk);
    returns how many changed. `statistics_recompute` runs it first."""
    allowed = set(
        consent_grants_in_force(purpose=Consent.Purpose.STATISTICS).values_list("survivor_id", flat=True)
    )
    flags = dict(ConsentFlag.objects.values_list("survivor_id", "counts"))
    live = Survivor.objects.filter(erased_at__isnull=True).values_list("id", flat=True)
    missing: list[ConsentFlag] = []
    to_true: list[int] = []
    to_false: list[int] = []
    for survivor_id in live.iterator(chunk_size=5000):
        want, have = survivor_id in allowed, flags.get(survivor_id)
        if have is None and want:
            missing.append(ConsentFlag(survivor_id=survivor_id, counts=True))
        elif have is not None and have != want:
            (to_true if want else to_false).append(survivor_id)
    ConsentFlag.objects.bulk_create(missing, batch_size=2000)
    ConsentFlag.objects.filter(survivor_id__in=to_true).update(counts=True, updated_at=timezone.now())
    ConsentFlag.objects.filter(survivor_id__in=to_false).update(counts=False, updated_at=timezone.now())
    return len(missing) + len(to_true) + len(to_false)

"""The rollup's upkeep from Python: apply early, and recompute from scratch.

The triggers of migration 0002 keep `reports_rollup` at every commit; `rollups_flush` applies a
transaction's pending changes before it commits (a read in the same transaction, the tests).
`rollups_recompute` checks every survivor's consent flag against the ledger, then compares the
rollup with a full scan of the `reports_fact` view and, unless told only to check, replaces it:
the answer to "do the numbers equal a full scan's?" and the repair when someone changed rows
under the triggers (a location moved to another parent, a restore from a dump without them).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from reports.consent_flags import consent_flags_refresh_all
from reports.models import RecomputeRun

# Keys whose rollup total differs from the full scan (a key missing on one side counts as 0).
_DIFFERENCES = """
WITH scan AS (
    SELECT mission_id, field_office_id, month, admin1_id, admin2_id, measure, value, sum(weight) AS total
      FROM reports_fact GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(weight) <> 0
), kept AS (
    SELECT mission_id, field_office_id, month, admin1_id, admin2_id, measure, value, total
      FROM reports_rollup WHERE total <> 0
)
SELECT count(*), (SELECT count(*) FROM scan)
  FROM scan FULL JOIN kept USING (field_office_id, month, admin1_id, admin2_id, measure, value)
 WHERE scan.total IS DISTINCT FROM kept.total
"""
_REPLACE = """
DELETE FROM reports_rollup;
INSERT INTO reports_rollup (mission_id, field_office_id, month, admin1_id, admin2_id, measure, value, total)
SELECT mission_id, field_office_id, month, admin1_id, admin2_id, measure, value, sum(weight)
  FROM reports_fact GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(weight) <> 0;
DELETE FROM reports_rollupmonth;
INSERT INTO reports_rollupmonth (mission_id, month, measure, value, total)
SELECT mission_id, month, measure, value, sum(total) FROM reports_rollup
 GROUP BY 1, 2, 3, 4 HAVING sum(total) <> 0;
"""
# Months whose sum over offices and places differs from the monthly rollup.
_MONTHLY_DIFFERENCES = """
WITH summed AS (
    SELECT mission_id, month, measure, value, sum(total) AS total FROM reports_rollup
     GROUP BY 1, 2, 3, 4 HAVING sum(total) <> 0
), kept AS (
    SELECT mission_id, month, measure, value, total FROM reports_rollupmonth WHERE total <> 0
)
SELECT count(*) FROM summed FULL JOIN kept USING (mission_id, month, measure, value)
 WHERE summed.total IS DISTINCT FROM kept.total
"""


def rollups_flush() -> None:
    """Apply the open transaction's pending rollup changes now (they apply at commit anyway)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS reports_dirty_apply IMMEDIATE")
        cursor.execute("SET CONSTRAINTS reports_dirty_apply DEFERRED")


@dataclass(frozen=True)
class RecomputeResult:
    flags_changed: int
    keys: int
    differences: int
    replaced: bool


def rollups_recompute(*, replace: bool = True, run_by: str = "") -> RecomputeResult:
    """Refresh every consent flag, compare the rollup with a full scan, replace it when asked.

    Writers wait while it runs (the rollup is locked in EXCLUSIVE mode: readers go on), so the
    comparison and the replacement see one state."""
    started = timezone.now()
    with transaction.atomic():
        flags_changed = consent_flags_refresh_all()
        rollups_flush()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 0")
            cursor.execute("LOCK TABLE reports_rollup IN EXCLUSIVE MODE")
            cursor.execute("LOCK TABLE reports_rollupmonth IN EXCLUSIVE MODE")
            cursor.execute(_DIFFERENCES)
            differences, keys = cursor.fetchone()
            cursor.execute(_MONTHLY_DIFFERENCES)
            differences += cursor.fetchone()[0]
            if replace and (differences or flags_changed):
                cursor.execute(_REPLACE)
                # Every cached read of the rollup is out of date.
                cursor.execute("UPDATE reports_rollupversion SET version = nextval('reports_rollup_version')")
        RecomputeRun.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            keys=keys,
            differences=differences,
            run_by=run_by,
        )
    replaced = replace and bool(differences or flags_changed)
    return RecomputeResult(flags_changed=flags_changed, keys=keys, differences=differences, replaced=replaced)

"""Issue 12's budgets: the sealed audit trail over 1,000,000 audit events.

The data: 1,000,000 AuditEvents over 24 months (2024-01-01 to 2025-12-31, ids in time order)
by 200 actors of skewed activity (actor k's share is sqrt((k+1)/200) - sqrt(k/200): the busiest
writes 7%, bench_audit_050 about the average 0.5%, some 200 rows a month), 3% with no actor
(beat tasks, failed sign-ins); a mix of sign-ins, incident, case, consent and referral actions,
each with its object; and 500,000 AccessEvents as the case list writes them (50 rows at a time,
one actor, one time). Loaded set-based (INSERT ... SELECT generate_series), then sealed by the
real sealer (`audit_seal_pending`), as the beat task would have.

- `BUDGET audit_trail_page_vs_incident_list_page` >= 0.80: the auditor's trail page filtered by
  one actor and one month (`/audit/?actor=bench_audit_050&since=2025-03-01&until=2025-03-31`,
  50 rows) against the incidents suite's incident list page (50 rows), same server, same run.
- `BUDGET verify_audit_vs_bare_hmac` >= 0.30: `verify_audit`'s rows per second over every
  sealed row (both tables) against a bare loop computing the same HMAC chain over the same rows
  read with one server-side cursor (its heads must equal the seals': the same computation).

BENCH_AUDIT_EVENTS and BENCH_ACCESS_EVENTS set the counts (the tests load a handful).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import ROUNDS, Budget, Target, fetch, ratio
from benchmarks.incidents import BENCH_WPA as INCIDENTS_WPA
from benchmarks.incidents import _plain_indexes

AUDIT_EVENTS = int(os.environ.get("BENCH_AUDIT_EVENTS", "1000000"))
ACCESS_EVENTS = int(os.environ.get("BENCH_ACCESS_EVENTS", "500000"))
ACTORS = 200
START = "2024-01-01T00:00:00+00:00"
DAYS = 731  # 24 months
BENCH_AUDITOR = "bench_auditor"
TRAIL_ACTOR = "bench_audit_050"
TRAIL_PATH = f"/audit/?actor={TRAIL_ACTOR}&since=2025-03-01&until=2025-03-31"
# Suites whose data this one's targets read (the incident list page).
NEEDS = ("incidents",)
# (action, object type, changes) and its weight in the mix.
ACTIONS: list[tuple[str, str, str, int]] = [
    ("login", "accounts.user", "{}", 20),
    ("logout", "accounts.user", "{}", 12),
    ("token_issued", "accounts.user", "{}", 3),
    ("incident.create", "incidents.incident", "{}", 8),
    ("incident.update", "incidents.incident", "{}", 10),
    ("incident.submit", "incidents.incident", "{}", 6),
    ("incident.assign", "incidents.incident", "{}", 3),
    ("incident.verify", "incidents.incident", "{}", 3),
    ("survivor.register", "survivors.survivor", "{}", 4),
    ("survivor.update", "survivors.survivor", "{}", 8),
    ("survivor.assign", "survivors.survivor", "{}", 2),
    ("survivor.grant", "survivors.survivor", "{}", 2),
    ("consent.record", "survivors.consent", "{}", 5),
    ("referral.sent", "referrals.referral", "{}", 5),
    ("referral.accepted", "referrals.referral", "{}", 4),
    (
        "user.access_changed",
        "accounts.user",
        '{"offices": {"after": ["GOM", "BUN"], "before": ["GOM"]}, '
        '"roles": {"after": ["senior_wpa"], "before": ["wpa"]}}',
        1,
    ),
]
TABLES = ("audit_auditevent", "audit_accessevent", "audit_auditseal")


def _users() -> tuple[list[int], Any]:
    """The 200 actors (WPAs of the incidents suite's first office) and the auditor."""
    from django.contrib.auth.models import Group

    from benchmarks.incidents import MISSION
    from crsv.accounts.models import FieldOffice, Membership, User

    office = FieldOffice.objects.filter(mission__code=MISSION).order_by("code").first()
    assert office is not None, "load the incidents suite first"
    wpa = Group.objects.get(name="wpa")
    actors = []
    for n in range(ACTORS):
        user, created = User.objects.get_or_create(username=f"bench_audit_{n:03d}")
        if created:
            user.groups.add(wpa)
            Membership.objects.get_or_create(user=user, field_office=office)
        actors.append(user.pk)
    auditor, _ = User.objects.get_or_create(username=BENCH_AUDITOR)
    auditor.groups.add(Group.objects.get(name="auditor"))
    Membership.objects.get_or_create(user=auditor, field_office=office)
    return actors, auditor


def _loaded(events: int, accesses: int) -> bool:
    """The seals cover exactly this suite's rows: ids 1 to `events` (and 1 to `accesses`), all
    sealed. Rows the other suites write later (a case list's access events) stay unsealed and
    out of the measured set, so every run verifies the same rows."""
    from django.db.models import Max, Sum

    from crsv.audit.models import AuditSeal

    for table, count in ((AuditSeal.Table.AUDIT_EVENT, events), (AuditSeal.Table.ACCESS_EVENT, accesses)):
        sealed = AuditSeal.objects.filter(table=table).aggregate(rows=Sum("row_count"), top=Max("last_id"))
        if (sealed["rows"] or 0) != count or (sealed["top"] or 0) != count:
            return False
    return True


def load(*, events: int = AUDIT_EVENTS, accesses: int = ACCESS_EVENTS) -> None:
    """Load `events` audit events and `accesses` access events afresh, and seal them."""
    from django.conf import settings
    from django.db import connection, transaction

    from crsv.audit.sealing import audit_seal_pending

    actors, _auditor = _users()
    if _loaded(events, accesses) and not os.environ.get("BENCH_RELOAD"):
        print(f"  audit: {events} audit events and {accesses} access events already loaded and sealed")
        return
    started = time.time()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            raise SystemExit("benchmarks.audit: the append-only tables are emptied as a superuser only")
        # Past the append-only triggers (TRUNCATE) and the per-row foreign-key triggers, as
        # pg_restore does: the benchmark database holds only benchmark data.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY")
        # Indexes built once at the end, by a sort, rather than row by row: the plain ones and
        # the unique public id (random UUIDs: a million random inserts into a B-tree).
        rebuild = _plain_indexes(cursor, ["audit_auditevent", "audit_accessevent"])
        for name, _definition in rebuild:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'audit_auditevent'::regclass AND contype = 'u'"
        )
        unique = list(cursor.fetchall())
        for name, _definition in unique:
            cursor.execute(f'ALTER TABLE audit_auditevent DROP CONSTRAINT "{name}"')
        _insert_audit_events(cursor, actors, events)
        _insert_access_events(cursor, actors, accesses)
        inserted = time.time()
        for name, definition in unique:
            cursor.execute(f'ALTER TABLE audit_auditevent ADD CONSTRAINT "{name}" {definition}')
        for _name, definition in rebuild:
            cursor.execute(definition)
        print(f"  audit: rows {inserted - started:.1f} s, indexes {time.time() - inserted:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_auditevent")
        cursor.execute("ANALYZE audit_accessevent")
        cursor.execute("ANALYZE accounts_user")
    loaded = time.time()
    print(f"  audit: loaded {events} audit events and {accesses} access events in {loaded - started:.1f} s")
    if settings.AUDIT_SEAL_FILE:  # the heads of the seals just truncated
        Path(settings.AUDIT_SEAL_FILE).write_text("")
    seals = audit_seal_pending(budget_seconds=float("inf"))
    print(f"  audit: sealed {sum(s.row_count for s in seals)} rows in {time.time() - loaded:.1f} s")


def _insert_audit_events(cursor: Any, actors: list[int], count: int) -> None:
    weighted = [entry for entry in ACTIONS for _ in range(entry[3])]
    cursor.execute("SELECT setseed(0.12)")
    cursor.execute(
        """
        INSERT INTO audit_auditevent
            (public_id, occurred_at, actor_id, action, object_type, object_public_id, ip_address, changes)
        SELECT gen_random_uuid(),
               %(start)s::timestamptz + (g - 1) * (%(days)s * interval '1 day' / %(count)s),
               CASE WHEN a < 0.03 THEN NULL ELSE (%(actors)s::bigint[])[1 + k] END,
               CASE WHEN a < 0.03 THEN 'login_failed' ELSE (%(actions)s::text[])[1 + w] END,
               (%(types)s::text[])[1 + w],
               gen_random_uuid(),
               CASE WHEN a < 0.01 THEN NULL
                    ELSE ('10.20.' || (k / 200) || '.' || (1 + mod(k, 200)))::inet END,
               (%(changes)s::text[])[1 + w]::jsonb
        FROM (
            SELECT g, a, floor(%(actors_n)s * power(b, 2))::int AS k, floor(%(weights)s * c)::int AS w
            FROM (SELECT g, random() AS a, random() AS b, random() AS c
                  FROM generate_series(1, %(count)s) AS g) AS draws
        ) AS rows
        """,
        {
            "start": START,
            "days": DAYS,
            "count": count,
            "actors": actors,
            "actors_n": len(actors),
            "actions": [entry[0] for entry in weighted],
            "types": [entry[1] for entry in weighted],
            "changes": [entry[2] for entry in weighted],
            "weights": len(weighted),
        },
    )


def _insert_access_events(cursor: Any, actors: list[int], count: int) -> None:
    """`count` access events, 50 per case-list page view: one actor and one time per view, 50
    survivors of a pool of 20,000."""
    views = -(-count // 50)  # the last view shows what is left
    cursor.execute(
        """
        INSERT INTO audit_accessevent (occurred_at, actor_id, survivor_public_id, kind, ip_address)
        SELECT %(start)s::timestamptz + (v - 1) * (%(days)s * interval '1 day' / %(views)s),
               (%(actors)s::bigint[])[1 + mod(v * 7919, %(actors_n)s)],
               md5(mod(v * 50 + n, 20000)::text)::uuid, 'list',
               ('10.20.0.' || (1 + mod(v, 200)))::inet
        FROM generate_series(1, %(views)s) AS v, generate_series(1, 50) AS n
        WHERE (v - 1) * 50 + n <= %(count)s
        ORDER BY v, n
        """,
        {
            "start": START,
            "days": DAYS,
            "views": views,
            "count": count,
            "actors": actors,
            "actors_n": len(actors),
        },
    )


def targets(port: int, session_cookie: Any) -> list[Target]:
    auditor = {"Cookie": session_cookie(BENCH_AUDITOR)}
    deadline = time.time() + 60
    while True:  # the server may still be starting
        try:
            status, body = fetch(port, TRAIL_PATH, auditor)
            break
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.2)
    rows = body.count(b"<tr>") - 1  # the header row
    if status != 200 or rows != 50:
        raise SystemExit(f"{TRAIL_PATH} answered {status} with {rows} rows, not 50")
    return [
        Target("audit trail, actor+month", port, TRAIL_PATH, auditor),
        Target("incident list page", port, "/incidents/", {"Cookie": session_cookie(INCIDENTS_WPA)}),
    ]


def budgets(measured: list[Target]) -> list[Budget]:
    trail, incident_page = measured
    return [Budget("audit_trail_page_vs_incident_list_page", ratio(trail, incident_page), 0.80)]


# --- verify_audit against a bare HMAC loop ---------------------------------------------------


def _bare_chain(database_url: str) -> tuple[int, float]:
    """The chain of every sealed row of both tables, read with one server-side cursor per table
    on a plain psycopg2 connection: (rows, seconds). Fails unless each head is the last seal's."""
    import psycopg2

    from crsv.audit.models import AuditSeal
    from crsv.audit.sealing import COLUMNS, GENESIS, MODELS, audit_key, row_bytes

    key = audit_key()
    rows = 0
    started = time.perf_counter()
    connection = psycopg2.connect(database_url)
    try:
        for table, model in MODELS.items():
            last = AuditSeal.objects.filter(table=table).order_by("-last_id").first()
            if last is None:
                continue
            # UUIDs as their text, as the verifier reads them (Django registers psycopg2's
            # UUID type for every connection of the process).
            uuids = {f.column for f in model._meta.concrete_fields if f.get_internal_type() == "UUIDField"}
            columns = ", ".join(f"{c}::text" if c in uuids else c for c in COLUMNS[table])
            with connection.cursor(name=f"bare_{model._meta.db_table}") as cursor:
                cursor.itersize = 10_000
                cursor.execute(
                    f"SELECT {columns} FROM {model._meta.db_table} "  # nosec B608  (the model's own columns)
                    "WHERE id <= %s ORDER BY id",
                    [last.last_id],
                )
                head = GENESIS
                for row in cursor:
                    head = hmac.new(key, head + row_bytes(table, row), hashlib.sha256).digest()
                    rows += 1
            if head.hex() != last.link:
                raise SystemExit(f"benchmarks.audit: the bare chain of {table} does not reach its seal")
        connection.rollback()
    finally:
        connection.close()
    return rows, time.perf_counter() - started


def _verify() -> tuple[int, float]:
    from crsv.audit.verification import audit_verify

    started = time.perf_counter()
    report = audit_verify()
    seconds = time.perf_counter() - started
    if report.broken is not None:
        raise SystemExit(f"benchmarks.audit: verify_audit found {report.broken}")
    return sum(table.sealed_rows for table in report.tables), seconds


def verify_run(database_url: str) -> list[Budget]:
    """ROUNDS rounds, each the bare loop then `audit_verify` (the command's whole work)."""
    print(f"\naudit verification: {ROUNDS} rounds")
    ratios = []
    for number in range(1, ROUNDS + 1):
        bare_rows, bare_seconds = _bare_chain(database_url)
        rows, seconds = _verify()
        assert rows == bare_rows, (rows, bare_rows)
        bare_rate, rate = bare_rows / bare_seconds, rows / seconds
        ratios.append(rate / bare_rate)
        print(
            f"  round {number} {rows} rows: verify_audit {rate:9.0f} rows/s ({seconds:.1f} s)"
            f"  bare HMAC {bare_rate:9.0f} rows/s ({bare_seconds:.1f} s)"
        )
    return [Budget("verify_audit_vs_bare_hmac", ratios, 0.30)]

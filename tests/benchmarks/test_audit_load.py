"""The audit suite's loader and its verification race (benchmarks/audit.py) on a handful of rows:
the loader writes past the ORM (a new column would break it unseen), and the bare HMAC loop
must compute the very chain the sealer wrote (it fails unless it reaches each seal's head)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from benchmarks import audit as audit_bench
from benchmarks import incidents as incidents_bench
from crsv.audit.models import AccessEvent, AuditEvent, AuditSeal
from crsv.audit.verification import audit_verify

# A separate connection (the bare loop's) must see the loaded rows: they are committed.
pytestmark = pytest.mark.django_db(transaction=True)


def _dsn() -> str:
    config = connection.settings_dict
    parts = {"dbname": config["NAME"], "user": config["USER"], "host": config["HOST"], "port": config["PORT"]}
    if config["PASSWORD"]:
        parts["password"] = config["PASSWORD"]
    return " ".join(f"{key}={value}" for key, value in parts.items() if value)


def test_the_audit_loader_fills_seals_and_verifies_a_small_set(settings: Any, tmp_path: Path) -> None:
    settings.AUDIT_SEAL_FILE = str(tmp_path / "seals.log")
    incidents_bench.load(count=30)
    audit_bench.load(events=3000, accesses=520)

    assert AuditEvent.objects.count() == 3000
    assert AccessEvent.objects.count() == 520
    # Ids in time order; about 3% without an actor; the busiest actor far above the average.
    times = list(AuditEvent.objects.order_by("id").values_list("occurred_at", flat=True))
    assert times == sorted(times)
    assert 30 < AuditEvent.objects.filter(actor__isnull=True).count() < 200
    busiest = AuditEvent.objects.filter(actor__username="bench_audit_000").count()
    assert busiest > 3 * 3000 / audit_bench.ACTORS
    # Access events come 50 at a time, one actor and one time per case-list view.
    assert AccessEvent.objects.values("occurred_at", "actor").distinct().count() == 11
    # Every row sealed, the chain intact, the heads in the (bench) head file.
    assert sum(AuditSeal.objects.values_list("row_count", flat=True)) == 3520
    report = audit_verify()
    assert report.broken is None and report.file_heads == AuditSeal.objects.count()
    assert audit_bench._loaded(3000, 520)
    # The bare loop reads the same rows and reaches every seal's head (or raises).
    rows, _seconds = audit_bench._bare_chain(_dsn())
    assert rows == 3520
    # A second load finds the set in place and leaves it.
    audit_bench.load(events=3000, accesses=520)
    assert AuditSeal.objects.count() == len(report.tables) and AuditEvent.objects.count() == 3000


def test_the_bare_loop_refuses_a_chain_that_is_not_the_sealed_one(settings: Any, tmp_path: Path) -> None:
    settings.AUDIT_SEAL_FILE = str(tmp_path / "seals.log")
    incidents_bench.load(count=30)
    audit_bench.load(events=200, accesses=50)
    settings.CRSV_AUDIT_KEY = "A" * 43  # another key: another chain
    with pytest.raises(SystemExit, match="does not reach its seal"):
        audit_bench._bare_chain(_dsn())

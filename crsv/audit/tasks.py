"""Celery adapter of the audit sealing (crsv/audit/sealing.py)."""

from __future__ import annotations

from celery import shared_task

from crsv.audit.sealing import audit_seal_pending


@shared_task(name="crsv.audit.tasks.audit_seal", ignore_result=True)
def audit_seal() -> int:
    """Scheduled by beat every minute: seals the audit rows older than the margin (for at most
    40 s; the next run goes on). Two at once make one chain (the sealers' advisory lock).
    Returns how many rows it sealed."""
    return sum(seal.row_count for seal in audit_seal_pending())

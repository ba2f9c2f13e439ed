"""Notification delivery under load (issue 11).

`BUDGET notifications_vs_bare_smtp` >= 0.50: one Celery worker process (solo pool) delivers
10,000 notifications of a real kind (a referral sent, to the provider's contact address: the
kind's context read from the database, three templates rendered, the claim and the outcome
written) to a local SMTP server that discards what it receives; against a bare `smtplib` loop
sending the same messages (the same bytes, over one connection) to the same server, same run.
Each side's rate is counted from its first message to its last (the worker's start-up is not
counted): notifications by their `sent_at`, the loop by the clock.

The server is `benchmarks.smtp_sink`, in its own process. BENCH_NOTIFICATIONS sets the count.
"""

from __future__ import annotations

import os
import smtplib
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from typing import Any

from benchmarks.harness import ROOT, Budget, free_port

NOTIFICATIONS = int(os.environ.get("BENCH_NOTIFICATIONS", "10000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
KIND = "referral.sent"
PROVIDER_NAME = "Bench Hospital"


class Sink:
    """benchmarks.smtp_sink in a subprocess, on a free port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.smtp_sink", str(self.port)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != "ready":
            raise SystemExit("the benchmark SMTP sink did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _referral() -> Any:
    """A sent referral of the survivors suite's bench WPA (created once, through the services)."""
    from django.db import transaction

    from benchmarks.survivors import BENCH_WPA
    from crsv.accounts.models import User
    from referrals.models import Referral, ServiceProvider
    from referrals.services import referral_create
    from survivors.demo import consent_text_current
    from survivors.models import Consent, Survivor
    from survivors.services import consent_record

    existing = Referral.objects.filter(provider__name=PROVIDER_NAME, state=Referral.State.SENT).first()
    if existing is not None:
        return existing
    wpa = User.objects.get(username=BENCH_WPA)
    survivor = Survivor.objects.filter(assigned_wpa=wpa, erased_at__isnull=True).order_by("id").first()
    assert survivor is not None, "load the survivors suite first"
    with transaction.atomic():
        provider = ServiceProvider.objects.create(
            name=PROVIDER_NAME,
            service_types=[Consent.ServiceType.MEDICAL],
            contact_email="intake@bench-hospital.example.org",
            languages=["en", "fr"],
            pep_available=True,
        )
        provider.field_offices.add(survivor.field_office)
        consent_record(
            actor=wpa,
            survivor=survivor,
            purpose=Consent.Purpose.REFERRAL,
            given_by=Consent.GivenBy.CAREGIVER if survivor.is_child else Consent.GivenBy.SURVIVOR,
            child_assent=survivor.is_child,
            method=Consent.Method.ORAL,
            explained_in=Consent.Language.FRENCH,
            consent_text=consent_text_current(),
            service_type=Consent.ServiceType.MEDICAL,
        )
        return referral_create(
            actor=wpa,
            survivor=survivor,
            provider=provider,
            service_type=Consent.ServiceType.MEDICAL,
            urgency=Referral.Urgency.EMERGENCY,
            send=True,
        )


def _enqueue(referral: Any, count: int, batch: str) -> list[int]:
    """`count` notifications of the kind about `referral`, to its provider's address, committed
    (their tasks published to Redis after the commit, as a real change does)."""
    from django.db import transaction

    from crsv.notifications.services import notification_enqueue

    ids: list[int] = []
    for start in range(0, count, 500):
        with transaction.atomic():
            for n in range(start, min(start + 500, count)):
                rows = notification_enqueue(
                    kind=KIND,
                    recipients=[referral.provider.contact_email],
                    obj=referral,
                    idempotency_key=f"bench:{batch}:{n}",
                )
                ids += [row.pk for row in rows]
    return ids


def _worker(env: dict[str, str], sink_port: int) -> subprocess.Popen[bytes]:
    worker_env = {**env, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(sink_port), "EMAIL_USE_TLS": "false"}
    command = [sys.executable, "-m", "celery", "-A", "crsv", "worker", "--pool=solo", "--loglevel=WARNING"]
    return subprocess.Popen(command, cwd=ROOT, env=worker_env, stdout=subprocess.DEVNULL)


def _outbox_rate(env: dict[str, str], sink_port: int, referral: Any, batch: str) -> float:
    """Notifications per second delivered by one worker process, first to last `sent_at`."""
    from django.db.models import Max, Min

    from crsv.notifications.models import Notification

    ids = _enqueue(referral, NOTIFICATIONS, batch)
    worker = _worker(env, sink_port)
    try:
        rows = Notification.objects.filter(id__in=ids)
        deadline = time.time() + 600
        while rows.filter(status=Notification.Status.SENT).count() < len(ids):
            if time.time() > deadline:
                raise SystemExit("the worker did not deliver every notification in 10 minutes")
            failed = rows.filter(status=Notification.Status.FAILED).count()
            if failed:
                raise SystemExit(f"{failed} benchmark notifications failed")
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    span = rows.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    seconds = (span["last"] - span["first"]) / timedelta(seconds=1)
    rows.delete()  # the next round and the next run start from the same table
    return (len(ids) - 1) / seconds


def _bare_rate(sink_port: int, referral: Any) -> float:
    """The same messages (rendered once, by the kind) sent by smtplib over one connection."""
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives

    from crsv.notifications.delivery import message_id_for, notification_render
    from crsv.notifications.models import Notification

    sample = Notification(
        kind=KIND,
        recipient_email=referral.provider.contact_email,
        object_type=referral._meta.label_lower,
        object_public_id=referral.public_id,
        language="en",
        idempotency_key=f"bench:bare:{uuid.uuid4()}",
    )
    rendered = notification_render(sample)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[sample.recipient_email],
        headers={"Message-ID": message_id_for(sample.idempotency_key)},
    )
    message.attach_alternative(rendered.html, "text/html")
    data = message.message().as_bytes(linesep="\r\n")  # as Django's SMTP backend sends it
    with smtplib.SMTP("127.0.0.1", sink_port) as smtp:
        started = time.perf_counter()
        for _ in range(NOTIFICATIONS):
            smtp.sendmail(settings.DEFAULT_FROM_EMAIL, [sample.recipient_email], data)
        elapsed = time.perf_counter() - started
    return (NOTIFICATIONS - 1) / elapsed


def run(env: dict[str, str]) -> list[Budget]:
    """The rounds (bare loop and worker back to back in each), then the budget."""
    referral = _referral()
    sink = Sink()
    ratios = []
    print(f"\nnotifications: {ROUNDS} rounds of {NOTIFICATIONS} messages, one worker process (solo pool)")
    try:
        for n in range(1, ROUNDS + 1):
            bare = _bare_rate(sink.port, referral)
            outbox = _outbox_rate(env, sink.port, referral, batch=f"{uuid.uuid4().hex[:8]}-{n}")
            ratios.append(outbox / bare)
            print(f"  round {n} bare smtplib {bare:8.1f} msg/s   outbox worker {outbox:8.1f} msg/s")
    finally:
        sink.stop()
    return [Budget("notifications_vs_bare_smtp", ratios, 0.50)]

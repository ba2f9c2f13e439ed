"""The production shape, part two: the image, gunicorn and nginx, and forwarded headers believed
only from the proxy (the settings and docker-compose.yml: test_deploy.py)."""

from __future__ import annotations

import re
import runpy

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from crsv.accounts.models import User
from crsv.audit.models import AuditEvent
from crsv.middleware import TrustedProxyMiddleware
from tests.crsv.test_deploy import CLIENT, PROXY, ROOT, STRANGER

# --- image, gunicorn and nginx ----------------------------------------------------------------------


def test_dockerfile_runs_as_a_non_root_user_and_collects_static_files() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile
    users = re.findall(r"^USER (\S+)", dockerfile, flags=re.MULTILINE)
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    assert "manage.py collectstatic" in dockerfile
    assert "deploy/secrets/" in (ROOT / ".dockerignore").read_text()


def test_gunicorn_config_uses_real_settings_and_trusts_only_the_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gunicorn.config import Config

    monkeypatch.setenv("CRSV_TRUSTED_PROXIES", PROXY)
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    values = {
        name: value
        for name, value in runpy.run_path(str(ROOT / "deploy" / "gunicorn_config.py")).items()
        if not name.startswith("_") and name not in {"annotations", "os"}
    }
    # gunicorn ignores unknown names in a config file: a misspelt setting would do nothing.
    known = set(Config().settings)
    if "control_socket" not in known:  # gunicorn < 25.1 has no control socket to disable
        known.add("control_socket_disable")
    assert set(values) <= known
    assert values["forwarded_allow_ips"] == PROXY
    assert values["workers"] == 5
    # Method, path and status; never the query string, the request line or the client.
    assert values["access_log_format"].startswith("%(m)s %(U)s %(s)s")
    for atom in ("%(q)s", "%(r)s", "%(h)s", "%({", "%(a)s", "%(f)s"):
        assert atom not in values["access_log_format"]


def test_gunicorn_logs_no_answer_link_token() -> None:
    from types import SimpleNamespace

    from gunicorn.config import Config

    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn_config.py"))
    logger = config["logger_class"](Config())
    token = "Zx9_secret-token-of-43-characters-abcdefghij"
    request = SimpleNamespace(
        method="POST", path=f"/r/{token}/", query="", version=(1, 1), headers=[], uri=f"/r/{token}/"
    )
    response = SimpleNamespace(status="302 Found", sent=0, headers=[], response_length=0)
    environ = {
        "RAW_URI": f"/r/{token}/",
        "PATH_INFO": f"/r/{token}/",
        "REQUEST_METHOD": "POST",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    from datetime import timedelta

    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=5))
    assert token not in " ".join(str(value) for value in atoms.values())
    assert atoms["U"] == "/r/-/"


def test_nginx_logs_no_answer_link_token() -> None:
    conf = (ROOT / "deploy" / "nginx" / "nginx.conf").read_text()
    assert "$crsv_logged_uri" in conf.split("log_format crsv", 1)[1].splitlines()[0]
    assert "~^/r/   /r/-/;" in conf


def test_gunicorn_trusts_nobody_without_a_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRSV_TRUSTED_PROXIES", raising=False)
    values = runpy.run_path(str(ROOT / "deploy" / "gunicorn_config.py"))
    assert values["forwarded_allow_ips"] == ""


def test_nginx_redirects_sets_hsts_and_forwards_the_client_address() -> None:
    conf = (ROOT / "deploy" / "nginx" / "nginx.conf").read_text()
    assert "return 301 https://$host$request_uri;" in conf
    assert 'add_header Strict-Transport-Security "max-age=31536000' in conf
    assert "proxy_set_header X-Real-IP $remote_addr;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert re.search(r"client_max_body_size \d+m;", conf)
    assert re.search(r"proxy_read_timeout \d+s;", conf)
    assert "ssl_certificate /run/secrets/tls_cert;" in conf
    assert "ssl_certificate_key /run/secrets/tls_key;" in conf
    log_format = re.search(r"log_format crsv '([^']*)'", conf)
    assert log_format
    for variable in ("$request ", "$request_uri", "$args", "$query_string", "$remote_addr", "$http_"):
        assert variable not in log_format[1] + " "


# --- forwarded headers: believed only from the proxy ---------------------------------------------

FORWARDED = {
    "HTTP_X_REAL_IP": CLIENT,
    "HTTP_X_FORWARDED_FOR": CLIENT,
    "HTTP_X_FORWARDED_PROTO": "https",
}
# As production sets it whenever CRSV_TRUSTED_PROXIES is set.
PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def through_middleware(peer: str, trusted: list[str], **meta: str) -> HttpRequest:
    """The request as the views would see it, after TrustedProxyMiddleware."""

    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    with override_settings(CRSV_TRUSTED_PROXIES=trusted):
        middleware = TrustedProxyMiddleware(view)  # reads the setting here, once
    request = RequestFactory().get("/", REMOTE_ADDR=peer, **meta)
    middleware(request)
    return request


@pytest.mark.parametrize("trusted", [[PROXY], ["172.30.10.0/24"]], ids=["address", "subnet"])
@override_settings(SECURE_PROXY_SSL_HEADER=PROXY_SSL_HEADER)
def test_from_the_proxy_the_client_address_and_https_are_believed(trusted: list[str]) -> None:
    request = through_middleware(PROXY, trusted, **FORWARDED)
    assert request.META["REMOTE_ADDR"] == CLIENT
    assert request.is_secure()


@pytest.mark.parametrize(
    ("peer", "trusted"),
    [(STRANGER, [PROXY]), ("172.30.10.1", [PROXY]), ("127.0.0.1", [])],
    ids=["stranger", "bridge-gateway", "no-proxy-configured"],
)
@override_settings(SECURE_PROXY_SSL_HEADER=PROXY_SSL_HEADER)
def test_from_anyone_else_forwarded_headers_are_dropped(peer: str, trusted: list[str]) -> None:
    request = through_middleware(peer, trusted, **FORWARDED)
    assert request.META["REMOTE_ADDR"] == peer
    assert not request.is_secure()
    assert not set(FORWARDED) & set(request.META)


def test_a_malformed_address_from_the_proxy_is_ignored() -> None:
    request = through_middleware(PROXY, [PROXY], HTTP_X_REAL_IP="203.0.113.7, 10.0.0.1")
    assert request.META["REMOTE_ADDR"] == PROXY


@pytest.mark.django_db
@pytest.mark.parametrize(("peer", "recorded"), [(PROXY, CLIENT), (STRANGER, STRANGER)])
def test_audit_trail_records_the_address_the_proxy_vouches_for(wpa: User, peer: str, recorded: str) -> None:
    with override_settings(CRSV_TRUSTED_PROXIES=[PROXY]):
        client = Client(REMOTE_ADDR=peer)  # middleware is built on its first request
        client.post(
            reverse("accounts:login"), {"username": "wpa", "password": "wrong"}, headers={"X-Real-IP": CLIENT}
        )
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert event.ip_address == recorded


@pytest.mark.django_db
@pytest.mark.parametrize(("peer", "status"), [(PROXY, 200), (STRANGER, 301)])
def test_https_redirect_trusts_the_scheme_only_from_the_proxy(peer: str, status: int) -> None:
    with override_settings(
        CRSV_TRUSTED_PROXIES=[PROXY], SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=PROXY_SSL_HEADER
    ):
        client = Client(REMOTE_ADDR=peer)
        response = client.get(reverse("accounts:login"), headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == status
    if status == 301:
        assert response["Location"].startswith("https://")

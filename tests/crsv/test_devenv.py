"""`make run` under a demo's load: the development server must not hoard database connections.

It serves each browser connection in a new thread; with persistent connections each thread's
database connection outlived it, and a dozen parallel clients ran PostgreSQL out of connections
(issue 8, item 16). The web process `make run` starts closes its connection after each request.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from urllib.parse import urlsplit

import pytest
from django.db import connection

from crsv import devenv

pytestmark = pytest.mark.django_db
REQUESTS = 30


def _test_database_url() -> str:
    """The URL of the database these tests run on (the test database, not the dev one)."""
    parts = urlsplit(os.environ.get("DATABASE_URL") or devenv.EMBEDDED_DATABASE_URL)
    return parts._replace(path=f"/{connection.settings_dict['NAME']}").geturl()


def _client_backends() -> int:
    """Connections to the test database, this test's own excepted."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # a fresh view inside this transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the development server did not start")


def test_only_the_web_server_closes_its_connection_after_each_request() -> None:
    processes = {name: (command, env) for name, command, env in devenv.dev_processes(8000, {})}
    command, env = processes["web"]
    assert "runserver" in command
    assert env["DATABASE_CONN_MAX_AGE"] == "0"  # Django: close at the end of each request
    # The worker and beat are a few long-lived processes: they keep the default.
    assert "DATABASE_CONN_MAX_AGE" not in processes["worker"][1]
    assert "DATABASE_CONN_MAX_AGE" not in processes["beat"][1]


def test_the_development_server_keeps_no_connection_per_client() -> None:
    """30 clients one after another, each on its own connection (a thread each in the server):
    afterwards the server holds no database connection, where it used to hold one per client."""
    port = _free_port()
    base = {**os.environ, "CRSV_ENV": "development", "DATABASE_URL": _test_database_url()}
    _name, command, env = next(p for p in devenv.dev_processes(port, base) if p[0] == "web")
    before = _client_backends()
    server = subprocess.Popen(  # noqa: S603
        [*command, "--noreload", "--skip-checks"],
        env=env,
        cwd=devenv.ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for(port)
        for _ in range(REQUESTS):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/healthz", headers={"Connection": "close"})
            assert conn.getresponse().status in (200, 503)
            conn.close()
        time.sleep(0.5)
        held = _client_backends() - before
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    assert held <= 1, f"the development server still holds {held} database connections"

"""The production stack of docker-compose.yml, run as plain processes on this machine.

What compose would run, taken from docker-compose.yml itself: each app service's command and
environment (secrets handed over as `<NAME>_FILE` files, `CRSV_ENV=production`), with only
the addresses changed: the database is a fresh one on the test run's PostgreSQL (the tables'
owner for the `migrate` steps, a row-only role made by deploy/postgres/10-app-role.sql for the
others), Redis is a database number of its own on the test run's server, mail goes to a local
sink, and gunicorn serves TLS itself with a throwaway certificate (nginx's part in compose).

Every process is started in a session of its own (its process group), logs to a file, and is
stopped by SIGTERM to its id; whatever is left is killed by its group id, nothing by name.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import redis

from crsv import devenv
from tests.crsv.test_deploy import _interpolate, command_of, compose
from tests.deploy.tls import ServerCertificates

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# The Redis database the stack uses on the test run's server (the others: development, tests).
REDIS_DB = 14
LOG_TAIL_LINES = 150


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def _key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _psql() -> str:
    bundled = Path(devenv._pg_bin("psql"))
    found = str(bundled) if bundled.exists() else shutil.which("psql")
    assert found, "no psql (pgserver's, or on PATH) to run deploy/postgres/10-app-role.sql"
    return found


@contextmanager
def smoke_database(server_url: str, name: str, folder: Path) -> Iterator[tuple[str, str]]:
    """A new database `name` on the server of `server_url` and its app role, made as
    deploy/postgres/10-app-role.sql makes them; yields (owner URL, app URL); drops both after."""
    role = f"{name}_app"
    password = secrets.token_urlsafe(24)
    server = urlsplit(server_url)
    admin = psycopg2.connect(server._replace(path="/postgres").geturl())
    admin.autocommit = True

    def drop() -> None:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'DROP ROLE IF EXISTS "{role}"')

    try:
        drop()  # what a killed run left behind
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        owner_url = server._replace(path=f"/{name}").geturl()
        secret = folder / "db_app_password"
        secret.write_text(password + "\n")
        sql = (ROOT / "deploy" / "postgres" / "10-app-role.sql").read_text()
        sql = sql.replace("/run/secrets/db_app_password", str(secret)).replace("crsv_app", role)
        result = subprocess.run(  # noqa: S603  (our psql, our SQL)
            [_psql(), "-v", "ON_ERROR_STOP=1", "-X", "-q", "-d", owner_url],
            input=sql,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        app = server._replace(netloc=f"{role}:{password}@{server.hostname}:{server.port}", path=f"/{name}")
        yield owner_url, app.geturl()
    finally:
        drop()
        admin.close()


@contextmanager
def smoke_redis(server_url: str) -> Iterator[str]:
    """Redis database REDIS_DB of the server of `server_url`, emptied before and after."""
    url = urlsplit(server_url)._replace(path=f"/{REDIS_DB}").geturl()
    client = redis.Redis.from_url(url)
    client.flushdb()  # tasks a killed run left queued
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def group_alive(self) -> bool:
        """Whether any process of its group (itself, its workers) is still there."""
        try:
            os.killpg(self.popen.pid, 0)
        except ProcessLookupError:
            return False
        return True


@dataclass
class ProductionStack:
    """The app's processes as compose runs them, with their environment and secret files."""

    folder: Path
    certs: ServerCertificates
    port: int
    variables: dict[str, str]  # what compose reads from `.env`
    secrets: dict[str, str]  # secret name -> value, written as files
    overrides: dict[str, str]  # the few addresses compose's own values cannot point here
    processes: list[Process] = field(default_factory=list)
    commands: list[tuple[str, subprocess.CompletedProcess[str]]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"https://localhost:{self.port}"

    def environment(self, service: str) -> dict[str, str]:
        """The environment compose gives `service` (its secret files made), plus the overrides."""
        spec = compose()["services"][service]
        secret_dir = self.folder / "secrets"
        secret_dir.mkdir(mode=0o700, exist_ok=True)
        env = {
            "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": str(self.folder),
            # The image's own ENV (Dockerfile).
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "crsv.settings",
        }
        for name, raw in spec["environment"].items():
            value = _interpolate(raw, self.variables)
            if value.startswith("/run/secrets/"):
                secret_name = value.removeprefix("/run/secrets/")
                assert secret_name in spec["secrets"], f"{service} reads {value} but does not mount it"
                path = secret_dir / secret_name
                path.write_text(self.secrets[secret_name] + "\n")
                path.chmod(0o600)
                value = str(path)
            env[name] = value
        env.update(self.overrides)
        return env

    def manage(self, *args: str) -> subprocess.Popen[str]:
        """`manage.py <args>` as the `migrate` service runs it (the tables' owner); `.wait()`
        it through `finish`."""
        return subprocess.Popen(  # noqa: S603  (our interpreter and manage.py)
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.environment("migrate"),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def finish(self, *running: subprocess.Popen[str]) -> list[str]:
        """Wait for `manage` commands; each must exit 0. Their outputs, in order."""
        outputs = []
        for process in running:
            output, _ = process.communicate(timeout=180)
            result = subprocess.CompletedProcess(process.args, process.returncode, output, "")
            self.commands.append((" ".join(str(arg) for arg in process.args[2:]), result))
            assert process.returncode == 0, f"{process.args[2:]} exited {process.returncode}:\n{output}"
            outputs.append(output)
        return outputs

    def service_command(self, service: str) -> list[str]:
        """The service's compose command, with the executables of this interpreter's bin/, the
        beat schedule in the test's folder, and for gunicorn a local port and the certificate."""
        command = [_interpolate(part, self.variables) for part in command_of(compose()["services"][service])]
        command[0] = str(BIN / command[0])
        schedule = "--schedule=/var/lib/crsv/"
        command = [
            f"--schedule={self.folder}/{part.removeprefix(schedule)}" if part.startswith(schedule) else part
            for part in command
        ]
        if service == "web":
            tls = ["--certfile", str(self.certs.cert), "--keyfile", str(self.certs.key)]
            command[-1:-1] = ["--bind", f"127.0.0.1:{self.port}", *tls]
        return command

    def start(self, service: str) -> Process:
        log = self.folder / f"{service}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(  # noqa: S603  (compose's own command)
                self.service_command(service),
                cwd=ROOT,
                env=self.environment(service),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: its workers are found by it
            )
        process = Process(service, popen, log)
        self.processes.append(process)
        return process

    def wait_logged(self, process: Process, text: str, timeout: float = 60) -> None:
        def logged() -> bool:
            assert process.popen.poll() is None, f"{process.name} exited {process.popen.returncode}"
            return text in process.log_text()

        wait_for(logged, timeout, f"{process.name} to log {text!r}")

    def stop(self, timeout: float = 40) -> dict[str, int | None]:
        """SIGTERM to each process (by its id), then wait: their exit codes."""
        for process in self.processes:
            if process.popen.poll() is None:
                process.popen.send_signal(signal.SIGTERM)
        codes: dict[str, int | None] = {}
        for process in self.processes:
            try:
                codes[process.name] = process.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                codes[process.name] = None
        return codes

    def kill_leftovers(self) -> None:
        """SIGKILL to the process group of each process started here (a failed run's rest)."""
        for process in self.processes:
            if process.group_alive():
                os.killpg(process.popen.pid, signal.SIGKILL)
            if process.popen.poll() is None:
                process.popen.wait(10)

    def report(self) -> str:
        """The setup commands' outputs and the tail of each process's log, for a failure."""
        parts = [
            f"--- manage.py {name} (exit {done.returncode})\n{done.stdout}" for name, done in self.commands
        ]
        for process in self.processes:
            lines = process.log_text().splitlines()[-LOG_TAIL_LINES:]
            parts.append(f"--- {process.name} (pid {process.popen.pid}, {process.log})\n" + "\n".join(lines))
        return "\n".join(parts)


def production_secrets(*, owner_url: str, app_url: str) -> dict[str, str]:
    """The secret files compose mounts, with fresh keys."""
    return {
        "secret_key": secrets.token_urlsafe(64),
        "database_url": app_url,
        "database_owner_url": owner_url,
        "crsv_master_keys": f"k1:{_key()}",
        "crsv_blind_index_key": _key(),
        "crsv_audit_key": _key(),
        "email_host_password": "",  # the sink asks for no authentication
    }

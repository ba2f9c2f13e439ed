"""The production shape: production settings, docker-compose.yml, gunicorn, nginx and proxy trust.

Settings are module-level code, so production configurations are tried in a subprocess with an
environment built here from nothing: the test run's own CRSV_ENV=development must not leak in.
"""

from __future__ import annotations

import ast
import base64
import ipaddress
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from crsv import devenv

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKER_COMPOSE = Path("/usr/bin/docker-compose")
SITE = "crsv.example.org"
PROXY = "172.30.10.2"  # the proxy's fixed address in docker-compose.yml
CLIENT = "203.0.113.7"
STRANGER = "198.51.100.9"

# Secrets the compose file must hand to the app as files, never as values.
FILE_SECRETS = (
    "SECRET_KEY",
    "DATABASE_URL",
    "CRSV_MASTER_KEYS",
    "CRSV_BLIND_INDEX_KEY",
    "CRSV_AUDIT_KEY",
    "EMAIL_HOST_PASSWORD",
)
APP_SERVICES = ("migrate", "web", "worker", "beat")


def _database_url() -> str:
    return os.environ.get("DATABASE_URL") or devenv.EMBEDDED_DATABASE_URL


def _redis_url() -> str:
    return os.environ.get("REDIS_URL") or devenv.EMBEDDED_REDIS_URL


def _key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _base_env() -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONDONTWRITEBYTECODE": "1"}


def production_env(**overrides: str | None) -> dict[str, str]:
    """A complete production environment; an override of None removes the variable."""
    env = {
        **_base_env(),
        "CRSV_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),  # 64 characters
        "DATABASE_URL": _database_url(),
        "REDIS_URL": _redis_url(),
        "ALLOWED_HOSTS": SITE,
        "CSRF_TRUSTED_ORIGINS": f"https://{SITE}",
        "CRSV_TRUSTED_PROXIES": PROXY,
        "CRSV_MASTER_KEYS": f"k1:{_key()}",
        "CRSV_BLIND_INDEX_KEY": _key(),
        "CRSV_AUDIT_KEY": _key(),
    }
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  (our own interpreter and manage.py)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def setting_in(env: dict[str, str], name: str) -> str:
    """The value of one setting under `env`, as settings compute it."""
    code = f"from django.conf import settings; print(settings.{name})"
    return manage("shell", "--no-imports", "-c", code, env=env).stdout.strip()


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return data


def command_of(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    return command.split() if isinstance(command, str) else [str(part) for part in command]


# --- production settings --------------------------------------------------------------------------


def test_check_deploy_is_clean_with_production_variables() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_silences_no_check() -> None:
    assert setting_in(production_env(), "SILENCED_SYSTEM_CHECKS") == "[]"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"SECRET_KEY": None}, "SECRET_KEY (or SECRET_KEY_FILE) must be set", id="no-secret-key"),
        pytest.param(
            {"SECRET_KEY": "too-short-to-sign-anything"},
            "at least 50 random characters",
            id="short-secret-key",
        ),
        pytest.param({"SECRET_KEY": "ab" * 40}, "at least 50 random characters", id="repetitive-secret-key"),
        pytest.param(
            {"DATABASE_URL": None}, "DATABASE_URL (or DATABASE_URL_FILE) must be set", id="no-database-url"
        ),
        pytest.param({"REDIS_URL": None}, "REDIS_URL (or REDIS_URL_FILE) must be set", id="no-redis-url"),
        pytest.param({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must list", id="no-allowed-hosts"),
        pytest.param(
            {"CRSV_MASTER_KEYS": None}, "CRSV_MASTER_KEYS (or CRSV_MASTER_KEYS_FILE)", id="no-master-keys"
        ),
        pytest.param({"CRSV_MASTER_KEYS": "k1:dG9vLXNob3J0"}, "must be 32 bytes", id="bad-master-key"),
        pytest.param(
            {"CRSV_BLIND_INDEX_KEY": None},
            "CRSV_BLIND_INDEX_KEY (or CRSV_BLIND_INDEX_KEY_FILE)",
            id="no-blind-index-key",
        ),
        pytest.param({"DEBUG": "true"}, "DEBUG=true is refused in production", id="debug"),
        pytest.param(
            {"CRSV_ENV": None, "SECRET_KEY": None},
            "SECRET_KEY (or SECRET_KEY_FILE)",
            id="production-is-the-default",
        ),
    ],
)
def test_production_refuses_to_start(overrides: dict[str, str | None], message: str) -> None:
    result = manage("check", env=production_env(**overrides))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


@pytest.mark.parametrize("name", ["SECRET_KEY", "DATABASE_URL", "CRSV_MASTER_KEYS"])
def test_a_setting_can_come_from_a_file(tmp_path: Path, name: str) -> None:
    value = {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": "postgresql://crsv:from-a-file@db.invalid:5432/crsv",
        "CRSV_MASTER_KEYS": f"k1:{_key()}",
    }[name]
    secret = tmp_path / name.lower()
    secret.write_text(value + "\n")  # as `echo` writes it: the newline is not part of the value
    env = production_env(**{name: None, f"{name}_FILE": str(secret)})
    assert setting_in(env, name) == value


def test_a_setting_and_its_file_together_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret_key"
    secret.write_text(secrets.token_urlsafe(48))
    result = manage("check", env=production_env(SECRET_KEY_FILE=str(secret)))
    assert result.returncode != 0
    assert "Set SECRET_KEY or SECRET_KEY_FILE, not both." in result.stderr


# --- docker-compose.yml ---------------------------------------------------------------------------

_VARIABLE = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}")


def _interpolate(value: object, variables: dict[str, str]) -> str:
    return _VARIABLE.sub(lambda m: variables.get(m[1]) or m[2] or "", str(value))


def compose_env(tmp_path: Path, service: str, variables: dict[str, str]) -> dict[str, str]:
    """The environment docker-compose.yml gives `service`, with its secret files made in tmp_path.

    Only the servers' addresses are changed, to the test run's PostgreSQL and Redis.
    """
    spec = compose()["services"][service]
    made = {
        "secret_key": secrets.token_urlsafe(64),
        "database_url": _database_url(),
        "database_owner_url": _database_url(),
        "crsv_master_keys": f"k1:{_key()}",
        "crsv_blind_index_key": _key(),
        "crsv_audit_key": _key(),
        "email_host_password": "",
    }
    env = _base_env()
    for name, raw in spec["environment"].items():
        value = _interpolate(raw, variables)
        if value.startswith("/run/secrets/"):
            secret_name = value.removeprefix("/run/secrets/")
            assert secret_name in spec["secrets"], f"{service} reads {value} but does not mount it"
            secret = tmp_path / secret_name
            secret.write_text(made[secret_name] + "\n")
            value = str(secret)
        env[name] = value
    env["REDIS_URL"] = _redis_url()
    return env


@pytest.mark.parametrize("service", APP_SERVICES)
def test_compose_environment_passes_check_deploy(tmp_path: Path, service: str) -> None:
    env = compose_env(tmp_path, service, {"CRSV_DOMAIN": SITE})
    assert env["CRSV_ENV"] == "production"
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_compose_without_a_domain_does_not_start(tmp_path: Path) -> None:
    result = manage("check", env=compose_env(tmp_path, "web", {}))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must list" in result.stderr


def test_docker_compose_config_validates() -> None:
    if not DOCKER_COMPOSE.exists():
        pytest.skip(f"{DOCKER_COMPOSE} is not installed (Debian package docker-compose)")
    result = subprocess.run(  # noqa: S603  (a fixed path and arguments)
        [str(DOCKER_COMPOSE), "--file", str(COMPOSE_FILE), "config", "--quiet"],
        cwd=ROOT,
        env={**_base_env(), "HOME": os.environ.get("HOME", "/tmp")},  # noqa: S108
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "is not set" not in result.stderr  # every variable has a default


def test_exactly_one_beat_and_no_worker_runs_beat() -> None:
    services = compose()["services"]
    celery = {name: command_of(s) for name, s in services.items() if "celery" in command_of(s)}
    beats = [name for name, command in celery.items() if "beat" in command]
    assert beats == ["beat"]
    assert services["beat"]["deploy"]["replicas"] == 1
    for command in celery.values():
        assert "-B" not in command
        assert "--beat" not in command
    assert "worker" in celery["worker"]


def test_redis_keeps_an_append_only_file_and_never_evicts() -> None:
    redis = compose()["services"]["redis"]
    command = command_of(redis)
    assert redis["image"].startswith("redis:7")
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"
    assert any(volume.endswith(":/data") for volume in redis["volumes"])


def test_database_password_is_a_secret_file() -> None:
    db = compose()["services"]["db"]
    assert db["image"].startswith("postgres:16")
    assert db["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/db_password"
    assert "POSTGRES_PASSWORD" not in db["environment"]


def test_app_secrets_are_files_only() -> None:
    data = compose()
    for name in APP_SERVICES:
        service = data["services"][name]
        environment = service["environment"]
        for secret in FILE_SECRETS:
            assert secret not in environment, f"{name} gets {secret} as a value"
            target = environment[f"{secret}_FILE"]
            assert target.removeprefix("/run/secrets/") in service["secrets"], (name, secret)
    for name, secret in data["secrets"].items():
        assert set(secret) == {"file"}, name
        assert secret["file"].startswith("${CRSV_SECRETS_DIR:-./deploy/secrets}/"), name


def test_only_migrate_connects_as_the_table_owner() -> None:
    data = compose()
    owner = {
        name
        for name, service in data["services"].items()
        if service.get("environment", {}).get("DATABASE_URL_FILE") == "/run/secrets/database_owner_url"
    }
    assert owner == {"migrate"}
    for name in ("web", "worker", "beat"):
        assert "database_owner_url" not in data["services"][name]["secrets"]
    db = data["services"]["db"]
    assert "db_app_password" in db["secrets"]
    init = "./deploy/postgres/10-app-role.sql:/docker-entrypoint-initdb.d/10-app-role.sql:ro"
    assert init in db["volumes"]
    sql = (ROOT / "deploy" / "postgres" / "10-app-role.sql").read_text()
    assert re.search(r"CREATE ROLE crsv_app LOGIN .*\n\s+NOSUPERUSER", sql)
    assert "/run/secrets/db_app_password" in sql


def test_only_the_proxy_is_published_and_web_trusts_only_the_proxy() -> None:
    data = compose()
    published = [name for name, service in data["services"].items() if service.get("ports")]
    assert published == ["proxy"]
    proxy_address = data["services"]["proxy"]["networks"]["frontend"]["ipv4_address"]
    assert data["services"]["web"]["environment"]["CRSV_TRUSTED_PROXIES"] == proxy_address
    frontend = data["networks"]["frontend"]
    assert frontend["internal"] is True
    pool = frontend["ipam"]["config"][0]
    address = ipaddress.ip_address(proxy_address)
    # Inside the subnet, outside the range Docker hands out: no other container can get it.
    assert address in ipaddress.ip_network(pool["subnet"])
    assert address not in ipaddress.ip_network(pool["ip_range"])
    reachable_from_proxy = {
        name for name, service in data["services"].items() if "frontend" in service.get("networks", {})
    }
    assert reachable_from_proxy == {"proxy", "web"}


def test_migrate_applies_migrations_and_roles_without_demo_data() -> None:
    command = " ".join(command_of(compose()["services"]["migrate"]))
    assert "manage.py migrate" in command
    assert "manage.py bootstrap" in command
    assert "--demo" not in command


def test_the_readme_documents_every_variable_settings_read() -> None:
    """deploy/README.md lists each variable crsv/settings.py reads (found in its source)."""
    source = ast.parse((ROOT / "crsv" / "settings.py").read_text())
    read = {
        node.args[0].value
        for node in ast.walk(source)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id.startswith("env_")
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert {"SECRET_KEY", "DATABASE_URL", "CRSV_MASTER_KEYS"} <= read
    readme = (ROOT / "deploy" / "README.md").read_text()
    assert not {name for name in read if f"`{name}`" not in readme and f"`{name} (" not in readme}

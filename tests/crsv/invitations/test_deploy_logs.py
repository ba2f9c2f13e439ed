"""The production access logs (gunicorn's and nginx's, deploy/) hold no invitation token."""

from __future__ import annotations

import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "Zx9_secret-token-of-43-characters-abcdefghij"


def test_gunicorn_logs_no_invitation_token() -> None:
    from gunicorn.config import Config

    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn_config.py"))
    logger = config["logger_class"](Config())
    path = f"/accounts/invitation/{TOKEN}/"
    request = SimpleNamespace(method="POST", path=path, query="", version=(1, 1), headers=[], uri=path)
    response = SimpleNamespace(status="302 Found", sent=0, headers=[], response_length=0)
    environ = {"RAW_URI": path, "PATH_INFO": path, "REQUEST_METHOD": "POST", "SERVER_PROTOCOL": "HTTP/1.1"}
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=5))
    assert TOKEN not in " ".join(str(value) for value in atoms.values())
    assert atoms["U"] == "/accounts/invitation/-/"


def test_nginx_logs_no_invitation_token() -> None:
    conf = (ROOT / "deploy" / "nginx" / "nginx.conf").read_text()
    mapping = conf.split("map $uri $crsv_logged_uri {", 1)[1].split("}", 1)[0]
    assert "~^/accounts/invitation/   /accounts/invitation/-/;" in mapping

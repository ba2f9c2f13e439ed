"""gunicorn settings for the `web` container: `gunicorn -c deploy/gunicorn_config.py crsv.wsgi:application`.

Read from the environment: WEB_CONCURRENCY (worker processes, default 3), GUNICORN_TIMEOUT
(seconds, default 60: below nginx's proxy_read_timeout, so gunicorn answers first) and
CRSV_TRUSTED_PROXIES (the reverse proxy's address, the same value Django trusts).
"""

from __future__ import annotations

import os
import re as _re
from typing import Any as _Any

from gunicorn.glogging import Logger as _GunicornLogger

_ANSWER_LINK = _re.compile(r"/r/[^/?\s]+/?")
_INVITATION_LINK = _re.compile(r"/accounts/invitation/[^/?\s]+/?")

# Inside the container, on the internal network only; the proxy is the one way in.
bind = "0.0.0.0:8000"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# A worker is replaced after this many requests, so a slow leak cannot grow without bound.
max_requests = 1000
max_requests_jitter = 100
# The heartbeat file lives in memory: the container's root file system is read-only.
worker_tmp_dir = "/dev/shm"  # noqa: S108  (private to the container, not a shared /tmp)
# No `gunicornc` in the container, and nowhere writable to put its socket.
control_socket_disable = True

# X-Forwarded-Proto (wsgi.url_scheme) is believed only from the proxy, as in Django's
# TrustedProxyMiddleware. Empty means nobody: a request straight to gunicorn is plain http.
forwarded_allow_ips = ",".join(
    item.strip() for item in os.environ.get("CRSV_TRUSTED_PROXIES", "").split(",") if item.strip()
)

# Access log: method, path (no query string), status and duration in ms; no client address,
# no user agent, no referrer. Paths carry only UUIDs by design (DESIGN.md section 5).
accesslog = "-"
errorlog = "-"
access_log_format = "%(m)s %(U)s %(s)s %(M)sms"


def _masked(value: str) -> str:
    return _INVITATION_LINK.sub("/accounts/invitation/-/", _ANSWER_LINK.sub("/r/-/", value))


class _TokenMaskingLogger(_GunicornLogger):
    """The access log without the tokens of the one-time links: `/r/<token>/` is logged as
    `/r/-/`, `/accounts/invitation/<token>/` as `/accounts/invitation/-/` (a token in a log would
    let whoever reads it answer a referral, or set an invited account's password)."""

    def atoms(self, resp: _Any, req: _Any, environ: dict[str, _Any], request_time: _Any) -> dict[str, _Any]:
        atoms: dict[str, _Any] = super().atoms(resp, req, environ, request_time)
        # Every text atom: the path, the request line, the referrer and the environ's own
        # (`%({raw_uri}e)s`...), whichever a format names.
        return {key: _masked(value) if isinstance(value, str) else value for key, value in atoms.items()}


logger_class = _TokenMaskingLogger

"""`make bench`: load the benchmark data, serve it with gunicorn, measure, check the budgets.

BENCH_ONLY=survivors|incidents runs one suite; BENCH_SECONDS, BENCH_ROUNDS, BENCH_WORKERS and
BENCH_CONNECTIONS tune the run. Ends with one `BUDGET ...` line per budget; exits 1 if one fails.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from benchmarks import database, harness


def _session_cookie_factory() -> Any:
    """A real signed-in session for a user, as the browser would carry it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from crsv.accounts.models import User
    from crsv.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_AT

    def cookie(username: str) -> str:
        user = User.objects.get(username=username)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[SESSION_LOGIN_AT] = session[SESSION_LAST_SEEN] = time.time()
        session.create()
        return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    return cookie


def main() -> int:
    env = database.bench_environment()
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crsv.settings")
    print(f"benchmark database: {database.BENCH_DATABASE}")
    database.prepare(env)
    import django

    django.setup()
    from benchmarks import survivors

    only = os.environ.get("BENCH_ONLY")
    suites = [s for s in [survivors] if only in (None, s.__name__.rsplit(".", 1)[-1])]
    for suite in suites:
        started = time.time()
        suite.load()
        print(f"  load: {time.time() - started:.1f} s")
    cookie = _session_cookie_factory()
    server = harness.Server("crsv.wsgi:application", env)
    budgets = []
    try:
        for suite in suites:
            targets = suite.targets(server.port, cookie)
            server.wait_ready(targets[0].path, targets[0].headers)
            print(
                f"\n{suite.__name__}: {harness.ROUNDS} rounds of {harness.DURATION} s, "
                f"{harness.WORKERS} gunicorn workers, {harness.CONNECTIONS} connections"
            )
            harness.measure(targets)
            harness.report(targets)
            budgets += suite.budgets(targets)
    finally:
        server.stop()
    print()
    for budget in budgets:
        print(budget.line())
    return 0 if all(b.passed for b in budgets) else 1


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: load the benchmark data, serve it with gunicorn, measure, check the budgets.

BENCH_ONLY=survivors|incidents|notifications|audit|dashboard runs one suite; BENCH_SECONDS, BENCH_ROUNDS,
BENCH_WORKERS and BENCH_CONNECTIONS tune the run. Ends with one `BUDGET ...` line per budget;
exits 1 if one fails.
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
    from django.utils.module_loading import import_string
    from django_otp import DEVICE_ID_SESSION_KEY

    from crsv.accounts.models import User
    from crsv.accounts.two_factor import demo_device_ensure
    from crsv.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_AT

    # The backend a password sign-in records: the first that can load a user (a lockout
    # backend placed first only refuses).
    backend = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(import_string(path), "get_user")
    )

    def cookie(username: str) -> str:
        user = User.objects.get(username=username)
        session = SessionStore()
        session[DEVICE_ID_SESSION_KEY] = demo_device_ensure(user=user).persistent_id
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[SESSION_LOGIN_AT] = session[SESSION_LAST_SEEN] = time.time()
        session.create()
        return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    return cookie


def _bearer(username: str) -> str:
    from crsv.accounts.models import User
    from crsv.accounts.services import api_token_issue

    raw, _token = api_token_issue(user=User.objects.get(username=username))
    return f"Bearer {raw}"


def main() -> int:
    env = database.bench_environment()
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crsv.settings")
    print(f"benchmark database: {database.BENCH_DATABASE}")
    database.prepare(env)
    import django

    django.setup()
    from django.db.backends.signals import connection_created

    # The loaders' set-based statements (a million rows, their indexes) run for minutes on a fresh
    # database: no statement timeout for this process (the servers it measures keep theirs).
    connection_created.connect(
        lambda connection, **kwargs: connection.cursor().execute("SET statement_timeout = 0"),
        weak=False,  # a lambda: held weakly, it would be collected at once
    )
    from benchmarks import audit, dashboard, incidents, notifications, notifications_load, survivors

    only = os.environ.get("BENCH_ONLY")
    wanted = [
        name
        for name in ("incidents", "survivors", "notifications", "audit", "dashboard")
        if only in (None, name)
    ]
    suites = {"incidents": incidents, "survivors": survivors, "audit": audit, "dashboard": dashboard}
    # The survivors suite measures the incident list page too (its budget compares the two
    # lists in the same run), so it needs the incidents' data; the notifications suite refers
    # one of the survivors' cases.
    needed = set(wanted) | set(survivors.NEEDS if "survivors" in wanted else ())
    if "notifications" in wanted:
        needed |= {"incidents", "survivors"}
    if "audit" in wanted:
        needed |= {"audit", *audit.NEEDS}
    if "dashboard" in wanted:
        needed |= {"dashboard", *dashboard.NEEDS}
    # The dashboard's data extends the incidents' and the survivors': loaded after them.
    loads = [name for name in ("incidents", "survivors", "audit", "dashboard") if name in needed]
    for name in loads:
        started = time.time()
        suites[name].load()
        print(f"  {name} load: {time.time() - started:.1f} s")
    cookie = _session_cookie_factory()
    app = harness.Server("crsv.wsgi:application", env)
    servers = [app]
    budgets = []
    try:
        runs: list[tuple[str, list[harness.Target], Any]] = []
        if "incidents" in wanted:
            bare = harness.Server("benchmarks.bare_app:application", incidents.bare_environment(env))
            servers.append(bare)
            runs.append(
                ("incidents", incidents.targets(app.port, bare.port, cookie, _bearer), incidents.budgets)
            )
        if "survivors" in wanted:
            runs.append(("survivors", survivors.targets(app.port, cookie), survivors.budgets))
        if "audit" in wanted:
            runs.append(("audit", audit.targets(app.port, cookie), audit.budgets))
        if "dashboard" in wanted:
            runs.append(("dashboard", dashboard.targets(app.port, cookie), dashboard.budgets))
        for name, targets, judge in runs:
            for target in targets:
                next(s for s in servers if s.port == target.port).wait_ready(target.path, target.headers)
            print(
                f"\n{name}: {harness.ROUNDS} rounds of {harness.DURATION} s, "
                f"{harness.WORKERS} gunicorn workers, {harness.CONNECTIONS} connections"
            )
            harness.measure(targets)
            harness.report(targets)
            budgets += judge(targets)
        if "notifications" in wanted:
            bearer = _bearer(survivors.BENCH_WPA)
            app.wait_ready("/api/v1/referrals/", {"Authorization": bearer})
            budgets += notifications_load.run(env, app.port, bearer)
    finally:
        for server in servers:
            server.stop()
    if "notifications" in wanted:
        budgets += notifications.run(env)
    if "audit" in wanted:
        budgets += audit.verify_run(env["DATABASE_URL"])
    if "dashboard" in wanted:
        budgets += dashboard.after_run(cookie)
    print()
    for budget in budgets:
        print(budget.line())
    return 0 if all(b.passed for b in budgets) else 1


if __name__ == "__main__":
    sys.exit(main())

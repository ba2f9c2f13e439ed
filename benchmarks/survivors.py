"""The survivor case list under load.

Issue 4's budget: a WPA's first case-list page with 50 decrypted names reaches at least 60% of
the throughput of the same page showing codes only (`?names=hide`): same view, same query, same
server; names are decrypted per request (no plaintext or unwrapped key kept between requests),
and each name shown writes its access event.

Issue 5's budget: with 100,000 per-case grants spread over 200 users, the first page of the case
list of a WPA whose list is her 500 assigned cases plus 500 granted ones reaches at least half
the throughput of the first page of a WPA whose list is only her 500 assigned cases (the filter
on one indexed column, `assigned WPA = me`): same page (`/survivors/`, the HTML case list, names
shown and logged), same server, same run.

Issue 9's budget: the same first page of bench_wpa_000 (50 rows, 50 decrypted names, 50 access
events) reaches at least 70% of the throughput of the incident list page of the incidents
suite's bench WPA (50 rows), measured in the same run: the case list renders as lean as the
incident list. The incident list page is therefore a target of this suite too.
"""

from __future__ import annotations

import os
import random
import uuid
from typing import Any

from benchmarks.database import copy_rows
from benchmarks.harness import Budget, Target
from benchmarks.incidents import BENCH_WPA as INCIDENTS_WPA

SURVIVORS = int(os.environ.get("BENCH_SURVIVORS", "100000"))
WPAS = 200
BENCH_WPA = "bench_wpa_000"  # 500 assigned cases and 500 live grants
ASSIGNED_ONLY_WPA = f"bench_wpa_{WPAS - 1:03d}"  # 500 assigned cases, no grant
GRANTS = int(os.environ.get("BENCH_GRANTS", "100000"))
GRANT_HOLDERS = 200
# Suites whose data this one's targets read (the incident list page).
NEEDS = ("incidents",)


def load(*, survivors: int = SURVIVORS, grants: int = GRANTS) -> None:
    """Load `survivors` cases and `grants` grants (the test loads a handful, `make bench` the full set)."""
    from django.db import connection

    _load_survivors(survivors)
    load_grants(grants)
    with connection.cursor() as cursor:
        # Small tables written row by row: without fresh statistics a new database plans them as
        # empty (a field office estimated at 1 row, actually 31, turned a join into 31 loops).
        cursor.execute(
            "ANALYZE accounts_user, accounts_fieldoffice, accounts_membership, survivors_breakglass"
        )


def _load_survivors(count: int) -> None:
    """`count` (100,000) survivors over 200 WPAs of one office, each with its own wrapped data key and
    eight encrypted fields (set-based: COPY, not the ORM row by row)."""
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from crsv import crypto
    from crsv.accounts.models import FieldOffice, Membership, Mission, User
    from crsv.keys.models import DataKey
    from survivors.models import ENCRYPTED_FIELDS, Survivor, survivor_code_new

    table = Survivor._meta.db_table

    if Survivor.objects.count() >= count and not os.environ.get("BENCH_RELOAD"):
        print(f"  survivors: {Survivor.objects.count()} already loaded")
        return
    mission, _ = Mission.objects.get_or_create(code="BENCH", defaults={"name": "Benchmark mission"})
    office, _ = FieldOffice.objects.get_or_create(
        mission=mission, code="BSV", defaults={"name": "Bench survivors", "time_zone": "Africa/Lubumbashi"}
    )
    wpa_group = Group.objects.get(name="wpa")
    users = []
    for n in range(WPAS):
        user, _ = User.objects.get_or_create(username=f"bench_wpa_{n:03d}")
        user.groups.add(wpa_group)
        Membership.objects.get_or_create(user=user, field_office=office)
        users.append(user)
    ring = crypto.keyring()
    rng = random.Random(4)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM keys_datakey")
        first_key = cursor.fetchone()[0] + 1
        keys, survivors = [], []
        codes: set[str] = set(Survivor.objects.values_list("code", flat=True))
        for i in range(count):
            key_pk = first_key + i
            key_public = str(uuid.uuid4())
            plain = crypto.new_data_key()
            key_id, wrapped = crypto.wrap_data_key(plain, owner=key_public, ring=ring)
            keys.append((key_pk, key_public, key_id, wrapped, "now()"))
            public_id = str(uuid.uuid4())
            code = survivor_code_new()
            while code in codes:
                code = survivor_code_new()
            codes.add(code)
            values = dict.fromkeys(ENCRYPTED_FIELDS, "") | {
                "name": f"Bench Survivor {i}",
                "phone": f"+24397{i:07d}",
            }
            ciphertexts = [
                crypto.encrypt_value(values[f], key=plain, table=table, field=f, row=public_id)
                for f in ENCRYPTED_FIELDS
            ]
            survivors.append(
                (
                    public_id,
                    code,
                    mission.pk,
                    office.pk,
                    key_pk,
                    *ciphertexts,
                    "female",
                    rng.randint(18, 60),
                    "26-40",
                    "unknown",
                    "unknown",
                    1,
                    False,
                    users[i % WPAS].pk,
                    users[i % WPAS].pk,
                    "now()",
                    "now()",
                )
            )
        copy_rows(cursor, DataKey, ["id", "public_id", "master_key_id", "wrapped_key", "created_at"], keys)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('keys_datakey', 'id'), (SELECT max(id) FROM keys_datakey))"
        )
        columns = [
            "public_id",
            "code",
            "mission_id",
            "field_office_id",
            "data_key_id",
            *[f"{f}_ct" for f in ENCRYPTED_FIELDS],
            "sex",
            "age",
            "age_band",
            "disability",
            "displacement_status",
            "interview_count",
            "do_not_reinterview",
            "assigned_wpa_id",
            "registered_by_id",
            "created_at",
            "updated_at",
        ]
        copy_rows(cursor, Survivor, columns, survivors)
        cursor.execute("ANALYZE keys_datakey")
        cursor.execute("ANALYZE survivors_survivor")
    print(f"  survivors: loaded {count} with their data keys")


def _grant_holders() -> list[Any]:
    """200 holders: the bench WPAs but the assigned-only one, plus one reporter of the office."""
    from django.contrib.auth.models import Group

    from crsv.accounts.models import FieldOffice, Membership, User

    office = FieldOffice.objects.get(mission__code="BENCH", code="BSV")
    reporter, _ = User.objects.get_or_create(username="bench_reporter_000")
    reporter.groups.add(Group.objects.get(name="reporter"))
    Membership.objects.get_or_create(user=reporter, field_office=office)
    wpas = list(
        User.objects.filter(username__startswith="bench_wpa_")
        .exclude(username=ASSIGNED_ONLY_WPA)
        .order_by("username")
    )
    holders = [*wpas, reporter][:GRANT_HOLDERS]
    assert holders[0].username == BENCH_WPA
    return holders


def load_grants(count: int = GRANTS) -> None:
    """`count` (100,000) per-case grants (guardian's direct foreign-key rows, permission
    `survivors.access_case`) spread evenly over 200 holders, each on cases she does not own,
    chosen at random over the whole table. The benchmark WPA's 500 are all live; of the
    others, a tenth have expired and a tenth expire next month. Set-based (COPY)."""
    from datetime import timedelta

    from django.contrib.auth.models import Group, Permission
    from django.db import connection, transaction
    from django.utils import timezone

    from crsv.accounts.models import FieldOffice, Membership, User
    from survivors.models import Survivor, SurvivorUserObjectPermission

    if SurvivorUserObjectPermission.objects.count() >= count and not os.environ.get("BENCH_RELOAD"):
        print(f"  grants: {SurvivorUserObjectPermission.objects.count()} already loaded")
        return
    office = FieldOffice.objects.get(mission__code="BENCH", code="BSV")
    senior, _ = User.objects.get_or_create(username="bench_senior")
    senior.groups.add(Group.objects.get(name="senior_wpa"))
    Membership.objects.get_or_create(user=senior, field_office=office)
    permission = Permission.objects.get(content_type__app_label="survivors", codename="access_case")
    holders = _grant_holders()
    cases = list(
        Survivor.objects.filter(field_office=office).order_by("id").values_list("id", "assigned_wpa_id")
    )
    rng = random.Random(5)
    now = timezone.now()
    per_holder = count // len(holders)
    rows = []
    for n, holder in enumerate(holders):
        chosen: set[int] = set()
        while len(chosen) < per_holder:
            case_id, owner_id = cases[rng.randrange(len(cases))]
            if owner_id != holder.pk:
                chosen.add(case_id)
        for case_id in sorted(chosen):
            expires = None
            if n > 0 and (draw := rng.random()) < 0.2:
                expires = now - timedelta(days=1) if draw < 0.1 else now + timedelta(days=30)
            rows.append((holder.pk, permission.pk, case_id, senior.pk, now, expires))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM survivors_survivoruserobjectpermission")
        copy_rows(
            cursor,
            SurvivorUserObjectPermission,
            ["user_id", "permission_id", "content_object_id", "granted_by_id", "granted_at", "expires_at"],
            rows,
        )
        cursor.execute("ANALYZE survivors_survivoruserobjectpermission")
    print(f"  grants: loaded {len(rows)} over {len(holders)} holders")


def targets(port: int, session_cookie: Any) -> list[Target]:
    cookie = {"Cookie": session_cookie(BENCH_WPA)}
    assigned_only = {"Cookie": session_cookie(ASSIGNED_ONLY_WPA)}
    return [
        # bench_wpa_000: her 500 assigned cases and 500 granted ones.
        Target("assigned+granted, 50 names", port, "/survivors/", cookie),
        Target("assigned+granted, codes", port, "/survivors/?names=hide", cookie),
        # bench_wpa_199: her 500 assigned cases only (`assigned WPA = me`).
        Target("assigned only, 50 names", port, "/survivors/", assigned_only),
        # The incidents suite's bench WPA: the first page of her incident list (50 rows).
        Target("incident list page", port, "/incidents/", {"Cookie": session_cookie(INCIDENTS_WPA)}),
    ]


def budgets(measured: list[Target]) -> list[Budget]:
    from benchmarks.harness import ratio

    granted, codes, assigned, incident_page = measured
    return [
        Budget("survivor_list_names_vs_codes", ratio(granted, codes), 0.60),
        Budget("survivor_list_grants_vs_assigned", ratio(granted, assigned), 0.50),
        Budget("survivor_list_page_vs_incident_list_page", ratio(granted, incident_page), 0.70),
    ]

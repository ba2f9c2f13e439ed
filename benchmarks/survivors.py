"""Issue 4's budget: a WPA's first case-list page with 50 decrypted names reaches at least 60% of
the throughput of the same page showing codes only (`?names=hide`): same view, same query, same
server; names are decrypted per request (no plaintext or unwrapped key kept between requests),
and each name shown writes its access event."""

from __future__ import annotations

import os
import random
import uuid
from typing import Any

from benchmarks.database import copy_rows
from benchmarks.harness import Budget, Target

SURVIVORS = int(os.environ.get("BENCH_SURVIVORS", "100000"))
WPAS = 200
BENCH_WPA = "bench_wpa_000"


def load() -> None:
    """100,000 survivors over 200 WPAs of one office, each with its own wrapped data key and
    eight encrypted fields (set-based: COPY, not the ORM row by row)."""
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from crsv import crypto
    from crsv.accounts.models import FieldOffice, Membership, Mission, User
    from survivors.identity import TABLE
    from survivors.models import ENCRYPTED_FIELDS, Survivor, survivor_code_new

    if Survivor.objects.count() >= SURVIVORS and not os.environ.get("BENCH_RELOAD"):
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
        for i in range(SURVIVORS):
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
                crypto.encrypt_value(values[f], key=plain, table=TABLE, field=f, row=public_id)
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
        copy_rows(
            cursor, "keys_datakey", ["id", "public_id", "master_key_id", "wrapped_key", "created_at"], keys
        )
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
        copy_rows(cursor, "survivors_survivor", columns, survivors)
        cursor.execute("ANALYZE keys_datakey")
        cursor.execute("ANALYZE survivors_survivor")
    print(f"  survivors: loaded {SURVIVORS} with their data keys")


def targets(port: int, session_cookie: Any) -> list[Target]:
    cookie = {"Cookie": session_cookie(BENCH_WPA)}
    return [
        Target("survivors page, 50 names", port, "/survivors/", cookie),
        Target("survivors page, codes only", port, "/survivors/?names=hide", cookie),
    ]


def budgets(measured: list[Target]) -> list[Budget]:
    from benchmarks.harness import ratio

    names, codes = measured
    return [Budget("survivor_list_names_vs_codes", ratio(names, codes), 0.60)]

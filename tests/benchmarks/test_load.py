"""The benchmark loaders write with COPY and INSERT ... SELECT, past the ORM: a migration that adds
a NOT NULL column broke `make bench` on a fresh clone (survivors' `erasure_reason`) and nothing in
`make test` noticed. Here both loaders fill the test database with a handful of rows."""

from __future__ import annotations

import pytest
from django.db.models import F

from benchmarks import incidents as incidents_bench
from benchmarks import survivors as survivors_bench
from crsv.accounts.models import User
from incidents.models import Incident, Violation
from survivors.models import Survivor, SurvivorUserObjectPermission

pytestmark = pytest.mark.django_db


def test_incidents_loader_fills_a_small_set() -> None:
    incidents_bench.load(count=60, villages=48)

    loaded = Incident.objects.filter(mission__code=incidents_bench.MISSION)
    assert loaded.count() == 60
    assert set(loaded.values_list("location__admin_level", flat=True)) == {4}  # in the villages
    assert loaded.values("location").distinct().count() == 48
    assert Violation.objects.filter(incident__in=loaded).count() == 60
    wpa = User.objects.get(username=incidents_bench.BENCH_WPA)
    assert len(wpa.office_ids()) == 3
    # The bare app's scope reads these: they must name the loaded user and offices.
    environment = incidents_bench.bare_environment({})
    assert environment["BENCH_USER_ID"] == str(wpa.pk)


def test_survivors_loader_fills_a_small_set() -> None:
    survivors_bench.load(survivors=300, grants=400)

    loaded = Survivor.objects.filter(mission__code="BENCH")
    assert loaded.count() == 300
    # Every survivor has her own data key, and the ORM reads the rows the loader wrote.
    assert loaded.values("data_key").distinct().count() == 300
    assert set(loaded.values_list("erasure_reason", flat=True)) == {""}
    first = loaded.get(name_ct__isnull=False, code=loaded.order_by("id").values("code")[:1])
    assert first.name.startswith("Bench Survivor ")
    # 400 grants over 200 holders: 2 each, never on a case the holder is assigned.
    grants = SurvivorUserObjectPermission.objects.filter(content_object__in=loaded)
    assert grants.count() == 400
    assert not grants.filter(content_object__assigned_wpa=F("user")).exists()
    assert User.objects.filter(username__startswith="bench_wpa_").count() == survivors_bench.WPAS

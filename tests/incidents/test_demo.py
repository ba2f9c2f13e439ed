"""The demo data: realistic, in every state, made through the services, idempotent."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Min
from django.utils import timezone

from crsv.accounts.models import User
from incidents import permissions
from incidents.demo import FOLLOW_UPS, incidents_demo_ensure
from incidents.models import Incident, IncidentEvent, Location, PartyToConflict

pytestmark = pytest.mark.django_db


def _check_every_state(demo: int) -> None:
    assert demo == Incident.objects.count() == 300
    statuses = dict(Incident.objects.values_list("status").annotate(n=Count("id")))
    assert set(statuses) == set(Incident.Status.values)
    verification = set(Incident.objects.values_list("verification_status", flat=True))
    assert verification == set(Incident.VerificationStatus.values)
    offices = set(Incident.objects.values_list("field_office__code", flat=True))
    assert offices == {"GOM", "BUN", "BKV"}
    assert set(Incident.objects.values_list("reporting_delay_band", flat=True)) >= set(
        Incident.DelayBand.values
    )
    assert Incident.objects.filter(is_late_verification=True).exists()
    assert IncidentEvent.objects.filter(action="reopen").exists()
    assert IncidentEvent.objects.filter(action="return").exists()


def _check_span_and_references() -> None:
    oldest = Incident.objects.aggregate(oldest=Min("created_at"))["oldest"]
    assert oldest is not None
    assert timedelta(days=300) < timezone.now() - oldest < timedelta(days=560)
    numbers: dict[str, list[int]] = {}
    for reference in (
        Incident.objects.exclude(reference=None)
        # Ties: the demo clamps moments later than "now" to one moment; ids follow creation order.
        .order_by("submitted_at", "id")
        .values_list("reference", flat=True)
    ):
        # Two sequences per office and year: CRSV, and SEA (`-SEA-`, issue 8 item 12).
        match = re.fullmatch(r"(MONUSCO-(?:GOM|BUN|BKV)-\d{4}(?:-SEA)?)-(\d{5})", reference or "")
        assert match, reference
        numbers.setdefault(match.group(1), []).append(int(match.group(2)))
    # Per office, year and sequence, numbered 1, 2, 3 ... in the order of first submission.
    assert all(found == list(range(1, len(found) + 1)) for found in numbers.values()), numbers
    assert not Incident.objects.filter(status="draft").exclude(reference=None).exists()
    sea = Incident.objects.exclude(reference=None).filter(is_sea=True)
    assert sea.exists() and all("-SEA-" in reference for reference in sea.values_list("reference", flat=True))
    assert not Incident.objects.filter(is_sea=False, reference__contains="-SEA-").exists()


def _check_perpetrators_locations_and_sea() -> None:
    parties = set(
        PartyToConflict.objects.filter(perpetrators__isnull=False).values_list("name", flat=True).distinct()
    )
    assert {"FARDC", "M23/AFC", "ADF", "CODECO"} <= parties
    sea = Incident.objects.filter(is_sea=True)
    assert sea.exists()
    assert not sea.filter(assigned_wpa__username__in=["wpa", "wpa_bunia", "wpa_bukavu"]).exists()
    assert not Incident.objects.crsv_statistics().filter(is_sea=True).exists()
    # Bunia's incidents are in Ituri, Bukavu's in South Kivu.
    for code, province in (("BUN", "CD54"), ("BKV", "CD62"), ("GOM", "CD61")):
        locations = Location.objects.filter(incidents__field_office__code=code).select_related(
            "parent__parent"
        )
        assert {location.ancestor_at_level(1).pcode for location in locations} == {province}


def _check_no_names_in_narratives() -> None:
    people = {name for user in User.objects.all() for name in (user.first_name, user.last_name) if name}
    for narrative in (incident.narrative for incident in Incident.objects.select_related("data_key")):
        assert narrative.startswith("Reported by a")
        assert any(narrative.endswith(follow_up) for follow_up in FOLLOW_UPS)
        assert not any(name in narrative for name in people)


def _check_users_and_visibility() -> None:
    bukavu_wpa = User.objects.get(username="wpa_bukavu")
    assert permissions.can_list_incidents(bukavu_wpa)
    seen = Incident.objects.visible_to(bukavu_wpa)
    assert seen.exists()
    assert set(seen.values_list("field_office__code", flat=True)) == {"BKV"}
    reporter = User.objects.get(username="reporter")
    assert Incident.objects.visible_to(reporter).filter(status="draft", reported_by=reporter).exists()


def test_demo_data() -> None:
    """One test (300 incidents through the services take a few seconds), several checks."""
    output = StringIO()
    call_command("bootstrap", "--demo", stdout=output)  # `make run` loads the incidents this way
    assert "demo incidents: 300 created" in output.getvalue()
    _check_every_state(300)
    _check_span_and_references()
    _check_perpetrators_locations_and_sea()
    _check_no_names_in_narratives()
    _check_users_and_visibility()
    assert incidents_demo_ensure() == 0  # idempotent
    assert Incident.objects.count() == 300

"""Property test (issue 13): in random worlds built through the services, every user's
statistics equal an oracle computed from her own `Incident.objects.visible_to(user)`, totals
equal the sum of their breakdowns, and the rollup equals a full scan.

The oracle is plain Python over the rows she may see: the countable ones
(`crsv_statistics()`: not a draft, not SEA, not "did not occur") whose linked survivors all
consent to statistics now (`consent_allows`). A world: incidents in two offices in every state,
SEA or not, with random tallies and forms, some linked to survivors with a consent given,
withdrawn or never given.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crsv.accounts.models import User
from incidents.models import Incident, Location
from incidents.services import PerpetratorData
from reports.rollups import rollups_flush, rollups_recompute
from reports.statistics import DIMENSIONS, statistics_load, statistics_scope
from survivors.consent import consent_allows
from survivors.identity import SurvivorIdentity
from survivors.models import Consent, ConsentText, Survivor
from survivors.services import SurvivorProfile, consent_record, consent_withdraw, survivor_register
from tests.incidents.factories import incident_in_state
from tests.security.test_property_scope import PROFILE

pytestmark = pytest.mark.django_db

FORMS = ("rape", "sexual_slavery", "forced_marriage", "other_sexual_violence")
incident_specs = st.fixed_dictionaries(
    {
        "bunia": st.booleans(),
        "state": st.sampled_from(("draft", "submitted", "under_review", "closed")),
        "sea": st.booleans(),
        "women": st.integers(0, 3),
        "girls": st.integers(0, 2),
        "forms": st.sets(st.sampled_from(FORMS), min_size=1, max_size=3),
        # None: no survivor; else the consent's fate.
        "survivor": st.sampled_from((None, "given", "withdrawn", "never")),
    }
)


def _oracle(user: User) -> tuple[Counter[str], Counter[str], int, Counter[str]]:
    counted = []
    for incident in Incident.objects.visible_to(user).crsv_statistics().prefetch_related("violations"):
        linked = Survivor.objects.filter(incident_links__incident=incident)
        if all(consent_allows(survivor=s, purpose=Consent.Purpose.STATISTICS) for s in linked):
            counted.append(incident)
    forms = Counter(v.form for incident in counted for v in incident.violations.all())
    victims = Counter()
    for incident in counted:
        victims.update({"women": incident.tally_women, "girls": incident.tally_girls})
    offices = Counter(str(incident.field_office_id) for incident in counted)
    return forms, +victims, len(counted), offices


def _build(spec: dict[str, Any], *, people: dict[str, User], place: Location, text: ConsentText) -> None:
    reporter = people["reporter_bunia" if spec["bunia"] else "reporter"]
    # SEA incidents leave the WPAs' view once submitted: the senior WPA reviews them.
    reviewer = people["senior_wpa"] if spec["sea"] else people["wpa_bunia" if spec["bunia"] else "wpa"]
    incident = incident_in_state(
        spec["state"],
        reporter=reporter,
        reviewer=reviewer,
        location=place,
        tally_women=spec["women"],
        tally_girls=spec["girls"] or (0 if spec["women"] else 1),
        violations=tuple(sorted(spec["forms"])),
        perpetrators=[PerpetratorData(category="un_personnel" if spec["sea"] else "civilians", count=1)],
    )
    if spec["survivor"] is None or spec["state"] == "draft" or spec["sea"]:
        return
    survivor = survivor_register(
        actor=reviewer,
        field_office=incident.field_office,
        identity=SurvivorIdentity(name="Property Case"),
        profile=SurvivorProfile(sex=Survivor.Sex.FEMALE, age=30),
        incident=Incident.objects.get(pk=incident.pk),
    )
    if spec["survivor"] == "never":
        return
    grant = consent_record(
        actor=reviewer,
        survivor=survivor,
        purpose=Consent.Purpose.STATISTICS,
        given_by=Consent.GivenBy.SURVIVOR,
        method=Consent.Method.ORAL,
        explained_in="fr",
        consent_text=text,
    )
    if spec["survivor"] == "withdrawn":
        consent_withdraw(actor=reviewer, consent=grant)


@settings(settings.get_profile(PROFILE))
@given(specs=st.lists(incident_specs, min_size=1, max_size=6))
def test_statistics_equal_the_oracle_of_each_users_own_rows(
    specs, reporter, reporter_other, wpa, wpa_other, senior_wpa, analyst, sake, consent_text
):
    people = {
        "reporter": reporter,
        "reporter_bunia": reporter_other,
        "wpa": wpa,
        "wpa_bunia": wpa_other,
        "senior_wpa": senior_wpa,
    }
    from django.db import transaction

    with transaction.atomic():
        savepoint = transaction.savepoint()
        for spec in specs:
            _build(spec, people=people, place=sake, text=consent_text)
        rollups_flush()
        for user in (wpa, wpa_other, senior_wpa, analyst):
            stats = statistics_load(statistics_scope(user), by_dimension=("incidents", "victims"))
            forms, victims, total, offices = _oracle(user)
            assert stats.total("incidents") == total, user.username
            assert stats.breakdown("violations") == dict(forms), user.username
            assert stats.breakdown("victims") == dict(victims), user.username
            assert {str(k): n for k, n in stats.by("incidents", "field_office").items()} == dict(offices)
            for dimension in DIMENSIONS:
                assert sum(stats.by("incidents", dimension).values()) == total
                assert sum(stats.by("victims", dimension).values()) == stats.total("victims")
        assert rollups_recompute(replace=False).differences == 0
        transaction.savepoint_rollback(savepoint)

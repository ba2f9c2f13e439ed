"""References stay unique when many connections submit at the same moment."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connections

from crsv.accounts.models import User
from incidents import services
from incidents.models import Incident, IncidentReferenceCounter, Location
from incidents.services import PerpetratorData
from tests.incidents.factories import incident_draft

THREADS = 10


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_references(reporter: User, sake: Location) -> None:
    drafts = [incident_draft(reporter, location=sake) for _ in range(THREADS)]
    start = threading.Barrier(THREADS)
    references: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def submit(incident: Incident) -> None:
        try:
            actor = User.objects.get(pk=reporter.pk)  # this thread's own connection
            start.wait(timeout=30)
            submitted = services.incident_submit(actor=actor, incident=incident)
            with lock:
                references.append(submitted.reference or "")
        except BaseException as error:  # collected and re-raised in the test's thread
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(references) == THREADS
    assert len(set(references)) == THREADS
    matches = [re.fullmatch(r"MONUSCO-GOM-\d{4}-(\d{5})", reference) for reference in references]
    numbers = sorted(int(match.group(1)) for match in matches if match)
    assert numbers == list(range(1, THREADS + 1))
    assert IncidentReferenceCounter.objects.get().last == THREADS
    assert Incident.objects.filter(status="submitted").count() == THREADS


@pytest.mark.django_db(transaction=True)
def test_concurrent_crsv_and_sea_submissions_number_each_sequence(reporter: User, sake: Location) -> None:
    """Half SEA, half CRSV, all at once: each sequence is 1..5, its own counter row."""
    un = [PerpetratorData(category="un_personnel", count=1)]
    drafts = [
        incident_draft(reporter, location=sake, **({"perpetrators": un} if n % 2 else {}))
        for n in range(THREADS)
    ]
    start = threading.Barrier(THREADS)
    references: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def submit(incident: Incident) -> None:
        try:
            actor = User.objects.get(pk=reporter.pk)
            start.wait(timeout=30)
            submitted = services.incident_submit(actor=actor, incident=incident)
            with lock:
                references.append(submitted.reference or "")
        except BaseException as error:
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    sea = sorted(
        int(m.group(1)) for r in references if (m := re.fullmatch(r"MONUSCO-GOM-\d{4}-SEA-(\d{5})", r))
    )
    crsv = sorted(int(m.group(1)) for r in references if (m := re.fullmatch(r"MONUSCO-GOM-\d{4}-(\d{5})", r)))
    assert sea == crsv == [1, 2, 3, 4, 5]
    assert sorted(IncidentReferenceCounter.objects.values_list("sea", "last")) == [(False, 5), (True, 5)]

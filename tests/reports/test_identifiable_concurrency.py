"""Two senior WPAs approving at once: one wins, the other is told it was decided (409); two
downloads at once: one file."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections

from crsv.accounts.models import User
from crsv.audit.models import AccessEvent, AuditEvent
from incidents.exceptions import TransitionNotAllowed
from referrals.models import ServiceProvider
from reports.identifiable.models import IdentifiableExport
from reports.identifiable.services import (
    identifiable_export_approve,
    identifiable_export_download,
    identifiable_export_prepare,
)
from tests.reports import identifiable_world as world
from tests.reports.identifiable_world import ask, case_of, share

hospital, second_senior = world.hospital, world.second_senior


def _at_once(work: Callable[[User], Any], users: list[User]) -> list[str]:
    """Run `work(user)` for each user in its own thread and connection, started together;
    "done" or "conflict" for each."""
    start = threading.Barrier(len(users))
    outcomes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(user_pk: int) -> None:
        try:
            actor = User.objects.get(pk=user_pk)  # this thread's own connection
            start.wait(timeout=30)
            work(actor)
            with lock:
                outcomes.append("done")
        except TransitionNotAllowed:
            with lock:
                outcomes.append("conflict")
        except BaseException as error:  # re-raised in the test's thread
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(user.pk,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_two_senior_wpas_approve_at_once_one_wins(
    wpa: User, senior_wpa: User, second_senior: User, hospital: ServiceProvider
) -> None:
    case = case_of(wpa)
    share(wpa, case, hospital)
    export = ask(wpa, [case], hospital)

    outcomes = _at_once(
        lambda actor: identifiable_export_approve(actor=actor, export=export), [senior_wpa, second_senior]
    )

    assert outcomes == ["conflict", "done"]
    assert IdentifiableExport.objects.get(pk=export.pk).state == IdentifiableExport.State.APPROVED
    assert AuditEvent.objects.filter(action="identifiable_export.approved").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_downloads_at_once_give_one_file(wpa: User, senior_wpa: User, hospital: ServiceProvider) -> None:
    case = case_of(wpa)
    share(wpa, case, hospital)
    export = ask(wpa, [case], hospital)
    identifiable_export_approve(actor=senior_wpa, export=export)
    password = identifiable_export_prepare(actor=wpa, export=export)
    files: list[bytes] = []

    def download(actor: User) -> None:
        files.append(identifiable_export_download(actor=actor, export=export, password=password))

    outcomes = _at_once(download, [wpa, wpa])

    assert outcomes == ["conflict", "done"]
    assert len(files) == 1 and files[0].startswith(b"PK")
    assert IdentifiableExport.objects.get(pk=export.pk).state == IdentifiableExport.State.DOWNLOADED
    assert AuditEvent.objects.filter(action="identifiable_export.downloaded").count() == 1
    assert AccessEvent.objects.filter(kind=AccessEvent.Kind.EXPORT).count() == 1

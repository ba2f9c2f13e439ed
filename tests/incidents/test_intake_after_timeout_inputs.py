"""An intake posted after its session expired keeps whatever can be kept: what the form cannot
parse and what the draft's rules refuse are left out, one field or row group at a time, and
she is told; the rest is saved (incidents/forms/kept.py, incidents/services/kept_drafts.py).
The intake form's one-time key, and two posts of it at once."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client

from crsv.accounts.models import FieldOffice, User
from incidents.models import Incident, Location, PartyToConflict
from incidents.services import KeptIntake, incident_draft_keep
from incidents.services.limits import NARRATIVE_MAX_LENGTH
from tests.incidents.expired import CREATE, IDLE, OpenIntake, open_intake
from tests.incidents.factories import office_today
from tests.incidents.pages import NARRATIVE, UNIT, input_value, intake_data, perpetrator_row, text

LEFT_OUT = "saved as a draft, without the answers that were not valid:"


@pytest.fixture
def typing(reporter: User) -> OpenIntake:
    return open_intake(reporter)


@pytest.fixture
def typed(reporter: User, sake: Location, office: FieldOffice) -> Callable[..., dict[str, str]]:
    def _typed(**changes: Any) -> dict[str, str]:
        return intake_data(location=sake, today=office_today(reporter), office=office, **changes)

    return _typed


def _kept_after_timeout(typing: OpenIntake, data: dict[str, str]) -> tuple[Incident, str]:
    """Post `data` on the expired session, sign in again: the draft kept and the first page."""
    typing.idle_for(IDLE + 1)
    assert typing.post(data).status_code == 302
    incident = Incident.objects.get()
    return incident, text(typing.sign_in_again())


@pytest.mark.django_db
def test_a_future_incident_date_leaves_the_dates_out(
    typing: OpenIntake, typed: Callable[..., dict[str, str]], reporter: User
) -> None:
    future = (office_today(reporter) + timedelta(days=3)).isoformat()
    incident, page = _kept_after_timeout(typing, typed(incident_date_start=future))
    assert (incident.date_precision, incident.incident_date_start, incident.incident_date_end) == (
        "",
        None,
        None,
    )
    assert incident.narrative == NARRATIVE and incident.tally_women == 1 and incident.location is not None
    assert LEFT_OUT in page


@pytest.mark.django_db
def test_what_the_form_cannot_parse_is_left_out_alone(
    typing: OpenIntake, typed: Callable[..., dict[str, str]], reporter: User
) -> None:
    incident, page = _kept_after_timeout(
        typing, typed(tally_women="many", tally_girls="2", reported_on="2026-13-45", source_channel="rumour")
    )
    assert (incident.tally_women, incident.tally_girls) == (0, 2)
    assert incident.reported_on == office_today(reporter)  # the service's default
    assert incident.source_channel == ""
    assert incident.narrative == NARRATIVE and incident.context == "attack_on_locality"
    assert LEFT_OUT in page


@pytest.mark.django_db
def test_a_whole_intake_says_nothing_was_left_out(
    typing: OpenIntake, typed: Callable[..., dict[str, str]]
) -> None:
    _incident, page = _kept_after_timeout(typing, typed())
    assert "your incident report was saved as a draft:" in page and LEFT_OUT not in page


@pytest.mark.django_db
def test_bad_rows_are_left_out_one_by_one(
    typing: OpenIntake, typed: Callable[..., dict[str, str]], m23: PartyToConflict
) -> None:
    rows = (
        perpetrator_row(party=m23),
        perpetrator_row(category="civilians", party=m23, unit="second"),  # a party: armed actors only
        perpetrator_row(count="none", unit="third"),  # does not parse
        perpetrator_row(category="civilians", unit="fourth"),
    )
    data = typed(violations=("rape", "rape", "sexual_slavery"), perpetrators=rows)
    incident, page = _kept_after_timeout(typing, data)
    assert sorted(incident.violations.values_list("form", flat=True)) == ["rape", "sexual_slavery"]
    assert sorted(row.unit for row in incident.perpetrators.all()) == sorted([UNIT, "fourth"])
    assert LEFT_OUT in page


@pytest.mark.django_db
def test_an_overlong_narrative_keeps_its_first_part(
    typing: OpenIntake, typed: Callable[..., dict[str, str]]
) -> None:
    narrative = NARRATIVE + " " + "x" * NARRATIVE_MAX_LENGTH
    incident, _page = _kept_after_timeout(typing, typed(narrative=narrative))
    assert incident.narrative == narrative[:NARRATIVE_MAX_LENGTH]


@pytest.mark.django_db
def test_half_a_point_and_another_office_are_left_out(
    typing: OpenIntake, typed: Callable[..., dict[str, str]], other_office: FieldOffice, office: FieldOffice
) -> None:
    incident, _page = _kept_after_timeout(typing, typed(latitude="-1.5", field_office=str(other_office.pk)))
    assert (incident.latitude, incident.longitude) == (None, None)
    assert incident.field_office == office  # hers, not one she is not a member of


@pytest.mark.django_db
def test_a_point_is_kept_encrypted(typing: OpenIntake, typed: Callable[..., dict[str, str]]) -> None:
    incident, _page = _kept_after_timeout(typing, typed(latitude="-1.5", longitude="29.1"))
    assert (incident.latitude, incident.longitude) == (Decimal("-1.500000"), Decimal("29.100000"))


@pytest.mark.django_db
def test_a_bad_key_is_no_key(typing: OpenIntake, typed: Callable[..., dict[str, str]]) -> None:
    typing.key = "not-a-uuid"
    incident, _page = _kept_after_timeout(typing, typed())
    assert incident.intake_key is None and incident.narrative == NARRATIVE


@pytest.mark.django_db
def test_the_page_carries_its_key_through_redisplays(
    login: Callable[[User], Client], reporter: User, typed: Callable[..., dict[str, str]]
) -> None:
    client = login(reporter)
    first, second = (input_value(client.get(CREATE), "intake_key") for _ in range(2))
    assert first and second and first != second and uuid.UUID(first)
    more = client.post(CREATE, typed(intent="add_rows") | {"intake_key": first})
    assert input_value(more, "intake_key") == first
    wrong = client.post(CREATE, typed(reported_on="2026-13-45") | {"intake_key": first})
    assert "Nothing was saved" in text(wrong) and input_value(wrong, "intake_key") == first
    saved = client.post(CREATE, typed() | {"intake_key": first})
    incident = Incident.objects.get()
    assert saved.status_code == 302
    edit = client.get(f"/incidents/{incident.public_id}/edit/")
    assert edit.status_code == 200 and input_value(edit, "intake_key") is None


@pytest.mark.django_db(transaction=True)
def test_two_posts_at_once_keep_one_draft(reporter: User, sake: Location) -> None:
    """Two expired posts of one intake at once, each past the check for a kept draft: the
    second waits on the first's unique key, then returns the first's draft."""
    key = uuid.uuid4()
    results: dict[str, KeptIntake] = {}
    kept, release = threading.Event(), threading.Event()

    def keep(name: str, hold: bool) -> None:
        try:
            with transaction.atomic():
                actor = User.objects.get(pk=reporter.pk)
                results[name] = incident_draft_keep(
                    actor=actor, intake_key=key, location=sake, narrative=NARRATIVE
                )
                kept.set()
                if hold:
                    release.wait(30)
        finally:
            connection.close()

    first = threading.Thread(target=keep, args=("first", True))
    first.start()
    assert kept.wait(30)
    second = threading.Thread(target=keep, args=("second", False))
    second.start()
    deadline = time.monotonic() + 30
    waiting = 0
    while not waiting and time.monotonic() < deadline:  # the second blocked on the first's key
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            waiting = cursor.fetchone()[0]
        time.sleep(0.05)
    release.set()
    first.join(30)
    second.join(30)
    assert waiting, "the second post never waited on the first's key"
    assert results["first"].created and not results["second"].created
    assert results["second"].incident.pk == results["first"].incident.pk
    assert Incident.objects.count() == 1

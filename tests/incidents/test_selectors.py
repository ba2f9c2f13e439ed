"""visible_to over the personas, the list filters, detail redaction and the history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from crsv.accounts.models import FieldOffice, User
from incidents import selectors, services
from incidents.models import Incident, Location, PartyToConflict
from incidents.selectors import IncidentFilters, incident_list
from incidents.services import PerpetratorData
from tests.incidents.factories import UN_PERPETRATOR, office_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(
    make_incident: Callable[..., Incident],
    reporter: User,
    colleague: User,
    reporter_other: User,
    foreign_reporter: User,
    wpa_other: User,
    senior_wpa: User,
    outsider: User,
) -> dict[str, Incident]:
    """Incidents of Goma (the reporter's and a colleague's), Bunia, and another mission."""
    return {
        "own_draft": make_incident("draft", reporter=reporter),
        "own_submitted": make_incident("submitted", reporter=reporter),
        "colleague_draft": make_incident("draft", reporter=colleague),
        "colleague_closed": make_incident("closed", reporter=colleague),
        "own_sea_draft": make_incident("draft", reporter=reporter, perpetrators=UN_PERPETRATOR),
        "own_sea_submitted": make_incident("submitted", reporter=reporter, perpetrators=UN_PERPETRATOR),
        "own_sea_returned": make_incident(
            "returned", reporter=reporter, reviewer=senior_wpa, perpetrators=UN_PERPETRATOR
        ),
        "bunia_draft": make_incident("draft", reporter=reporter_other),
        "bunia_review": make_incident("under_review", reporter=reporter_other, reviewer=wpa_other),
        "foreign_submitted": make_incident("submitted", reporter=foreign_reporter, reviewer=outsider),
    }


GOMA_SUBMITTED = {"own_submitted", "colleague_closed"}
VISIBLE = {
    # own (drafts too; own SEA only while in their hands) + the office's non-draft, non-SEA
    "reporter": {"own_draft", "own_sea_draft", "own_sea_returned"} | GOMA_SUBMITTED,
    "colleague": {"colleague_draft"} | GOMA_SUBMITTED,
    "wpa": GOMA_SUBMITTED,
    "wpa_other": {"bunia_review"},
    "reporter_other": {"bunia_draft", "bunia_review"},
    # the mission, SEA included, no drafts
    "senior_wpa": GOMA_SUBMITTED | {"own_sea_submitted", "own_sea_returned", "bunia_review"},
    # the mission, no SEA, no drafts
    "analyst": GOMA_SUBMITTED | {"bunia_review"},
    "outsider": {"foreign_submitted"},
    "provider": set(),
    "admin_user": set(),
    "auditor": set(),
    "no_role": set(),
}


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_visible_to(world: dict[str, Incident], request: pytest.FixtureRequest, persona: str) -> None:
    user = request.getfixturevalue(persona)
    names = {incident.pk: name for name, incident in world.items()}
    seen = {names[pk] for pk in Incident.objects.visible_to(user).values_list("pk", flat=True)}
    assert seen == VISIBLE[persona]
    assert {names[i.pk] for i in incident_list(user=user)} == VISIBLE[persona]


def test_nothing_is_visible_to_anonymous_or_inactive(world: dict[str, Incident], wpa: User) -> None:
    assert not Incident.objects.visible_to(AnonymousUser()).exists()
    assert not Incident.objects.visible_to(None).exists()
    wpa.is_active = False
    wpa.save()
    assert not Incident.objects.visible_to(User.objects.get(pk=wpa.pk)).exists()


def test_a_reporter_loses_their_incidents_with_their_membership(
    world: dict[str, Incident], reporter: User
) -> None:
    reporter.memberships.all().delete()
    assert not Incident.objects.visible_to(User.objects.get(pk=reporter.pk)).exists()


def test_crsv_statistics_leave_out_drafts_sea_and_did_not_occur(
    world: dict[str, Incident], make_incident: Callable[..., Incident], reporter: User, wpa: User
) -> None:
    unfounded = make_incident("under_review", reporter=reporter)
    services.incident_verify(
        actor=wpa,
        incident=unfounded,
        outcome="did_not_occur",
        method="site_visit",
        verified_on=office_today(wpa),
    )
    names = {incident.pk: name for name, incident in world.items()}
    counted = {names[pk] for pk in Incident.objects.crsv_statistics().values_list("pk", flat=True)}
    assert counted == {"own_submitted", "colleague_closed", "bunia_review", "foreign_submitted"}


# --- list filters ----------------------------------------------------------------------------


def _names(world: dict[str, Incident], user: User, **filters: object) -> set[str]:
    names = {incident.pk: name for name, incident in world.items()}
    rows = incident_list(user=user, filters=IncidentFilters(**filters))  # type: ignore[arg-type]
    return {names.get(row.pk, "other") for row in rows}


def test_filter_by_status_and_verification(world: dict[str, Incident], senior_wpa: User) -> None:
    assert _names(world, senior_wpa, status=["closed"]) == {"colleague_closed"}
    assert _names(world, senior_wpa, status=["returned", "under_review"]) == {
        "own_sea_returned",
        "bunia_review",
    }
    assert _names(world, senior_wpa, verification_status=["pending"]) == {"bunia_review"}
    assert _names(world, senior_wpa, verification_status=["verified"]) == {"colleague_closed"}


def test_filter_by_office_sea_and_reference(
    world: dict[str, Incident], senior_wpa: User, other_office: FieldOffice
) -> None:
    assert _names(world, senior_wpa, field_office=other_office) == {"bunia_review"}
    assert _names(world, senior_wpa, is_sea=True) == {"own_sea_submitted", "own_sea_returned"}
    reference = world["bunia_review"].reference or ""
    assert reference.startswith("MONUSCO-BUN-")
    assert _names(world, senior_wpa, reference=f" {reference[8:].lower()} ") == {"bunia_review"}
    assert _names(world, senior_wpa, reference="BUN-") == {"bunia_review"}


def test_filter_by_dates_overlap(make_incident: Callable[..., Incident], reporter: User, wpa: User) -> None:
    today = office_today(reporter)
    old = make_incident("submitted", reporter=reporter, incident_date_start=today - timedelta(days=40))
    ranged = make_incident(
        "submitted",
        reporter=reporter,
        date_precision="range",
        incident_date_start=today - timedelta(days=20),
        incident_date_end=today - timedelta(days=10),
    )
    recent = make_incident("submitted", reporter=reporter)  # two days ago
    world = {"old": old, "ranged": ranged, "recent": recent}
    assert _names(world, wpa, date_from=today - timedelta(days=12)) == {"ranged", "recent"}
    assert _names(world, wpa, date_to=today - timedelta(days=15)) == {"old", "ranged"}
    assert _names(world, wpa, date_from=today - timedelta(days=30), date_to=today - timedelta(days=19)) == {
        "ranged"
    }


def test_filter_by_violation_perpetrator_and_party(
    make_incident: Callable[..., Incident], reporter: User, wpa: User, m23: PartyToConflict
) -> None:
    armed = make_incident(
        "submitted",
        reporter=reporter,
        violations=("rape", "sexual_slavery"),
        perpetrators=[PerpetratorData(category="non_state_armed_group", party=m23)],
    )
    civil = make_incident(
        "submitted", reporter=reporter, perpetrators=[PerpetratorData(category="civilians")]
    )
    world = {"armed": armed, "civil": civil}
    assert _names(world, wpa, violation_form="sexual_slavery") == {"armed"}
    assert _names(world, wpa, violation_form="rape") == {"armed", "civil"}  # once each
    assert _names(world, wpa, perpetrator_category="civilians") == {"civil"}
    assert _names(world, wpa, party=m23) == {"armed"}


def test_filter_by_location_includes_the_places_within(
    world: dict[str, Incident], wpa: User, masisi: Location, nord_kivu: Location, sake: Location
) -> None:
    assert _names(world, wpa, location=nord_kivu) == GOMA_SUBMITTED
    assert _names(world, wpa, location=masisi) == GOMA_SUBMITTED
    assert _names(world, wpa, location=sake) == GOMA_SUBMITTED
    other = Location.objects.create(pcode="CD6108", name="Rutshuru", admin_level=2, parent=nord_kivu)
    assert _names(world, wpa, location=other) == set()


def test_analysts_cannot_filter_by_an_exact_location(
    world: dict[str, Incident], analyst: User, masisi: Location, sake: Location
) -> None:
    assert _names(world, analyst, location=masisi) == GOMA_SUBMITTED | {"bunia_review"}
    with pytest.raises(ValidationError) as excinfo:
        incident_list(user=analyst, filters=IncidentFilters(location=sake))
    assert list(excinfo.value.message_dict) == ["location"]


@pytest.mark.parametrize(
    ("filters", "ordering", "key"),
    [
        ({"status": ["archived"]}, "-created_at", "status"),
        ({"verification_status": ["maybe"]}, "-created_at", "verification_status"),
        ({"violation_form": "theft"}, "-created_at", "violation_form"),
        ({"perpetrator_category": "aliens"}, "-created_at", "perpetrator_category"),
        ({}, "narrative", "ordering"),
        ({}, "-latitude", "ordering"),
    ],
)
def test_unknown_filter_values_are_refused(
    wpa: User, filters: dict[str, object], ordering: str, key: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        incident_list(user=wpa, filters=IncidentFilters(**filters), ordering=ordering)  # type: ignore[arg-type]
    assert list(excinfo.value.message_dict) == [key]


def test_ordering(make_incident: Callable[..., Incident], reporter: User, wpa: User) -> None:
    today = office_today(reporter)
    first = make_incident("submitted", reporter=reporter, incident_date_start=today - timedelta(days=1))
    second = make_incident("submitted", reporter=reporter, incident_date_start=today - timedelta(days=30))
    assert [i.pk for i in incident_list(user=wpa)] == [second.pk, first.pk]  # newest first
    assert [i.pk for i in incident_list(user=wpa, ordering="created_at")] == [first.pk, second.pk]
    assert [i.pk for i in incident_list(user=wpa, ordering="incident_date")] == [second.pk, first.pk]
    assert [i.pk for i in incident_list(user=wpa, ordering="reference")] == [first.pk, second.pk]


def test_list_queries_do_not_grow_with_rows(
    make_incident: Callable[..., Incident], reporter: User, wpa: User
) -> None:
    def read_page() -> int:
        user = User.objects.get(pk=wpa.pk)  # fresh: role and office caches empty
        with CaptureQueriesContext(connection) as queries:
            for row in incident_list(user=user)[:50]:
                location = selectors.incident_location_for(user=user, incident=row)
                _ = (row.field_office.code, row.mission.code, row.reported_by.username, row.assigned_wpa)
                _ = (location.name if location else "", row.location.parent.parent if row.location else None)
        return len(queries)

    make_incident("under_review", reporter=reporter)
    few = read_page()
    for _ in range(4):
        make_incident("under_review", reporter=reporter)
    assert read_page() == few
    assert few == 3  # the user's roles, their offices, the page


def test_list_rows_do_not_carry_the_narrative(
    make_incident: Callable[..., Incident], reporter: User, wpa: User
) -> None:
    make_incident("submitted", reporter=reporter)
    row = incident_list(user=wpa)[0]
    assert "narrative_ct" in row.get_deferred_fields()


# --- detail, redaction -----------------------------------------------------------------------


@pytest.fixture
def detailed(make_incident: Callable[..., Incident], reporter: User, m23: PartyToConflict) -> Incident:
    return make_incident(
        "submitted",
        reporter=reporter,
        latitude=Decimal("-1.570000"),
        longitude=Decimal("29.040000"),
        perpetrators=[
            PerpetratorData(
                category="non_state_armed_group", party=m23, unit="3rd unit", commander="Cmdr", names="N. N."
            )
        ],
    )


@pytest.mark.parametrize("persona", ["reporter", "wpa", "senior_wpa"])
def test_get_shows_restricted_details_to_those_allowed(
    detailed: Incident, request: pytest.FixtureRequest, persona: str, sake: Location
) -> None:
    incident = selectors.incident_get(user=request.getfixturevalue(persona), public_id=detailed.public_id)
    assert incident.narrative.startswith("Armed men")
    assert (incident.latitude, incident.location) == (Decimal("-1.570000"), sake)
    perpetrator = incident.perpetrators.all()[0]
    assert (perpetrator.unit, perpetrator.commander, perpetrator.names) == ("3rd unit", "Cmdr", "N. N.")


@pytest.mark.parametrize("persona", ["analyst", "colleague"])
def test_get_redacts_for_those_not_allowed(
    detailed: Incident, request: pytest.FixtureRequest, persona: str, masisi: Location, m23: PartyToConflict
) -> None:
    incident = selectors.incident_get(
        user=request.getfixturevalue(persona), public_id=str(detailed.public_id)
    )
    assert incident.narrative == ""
    assert (incident.latitude, incident.longitude) == (None, None)
    assert incident.location == masisi  # coarsened to admin level 2
    perpetrator = incident.perpetrators.all()[0]
    assert (perpetrator.unit, perpetrator.commander, perpetrator.names) == ("", "", "")
    assert perpetrator.party == m23  # the named party stays (MARA)
    with pytest.raises(RuntimeError):
        incident.save()
    detailed.refresh_from_db()
    assert detailed.narrative.startswith("Armed men")  # nothing was lost


@pytest.mark.parametrize("persona", ["wpa_other", "outsider", "provider", "admin_user", "auditor"])
def test_get_out_of_scope_is_404(detailed: Incident, request: pytest.FixtureRequest, persona: str) -> None:
    with pytest.raises(Http404):
        selectors.incident_get(user=request.getfixturevalue(persona), public_id=detailed.public_id)


@pytest.mark.parametrize("public_id", ["not-a-uuid", "", "00000000-0000-0000-0000-000000000000"])
def test_get_unknown_id_is_404(wpa: User, public_id: str) -> None:
    with pytest.raises(Http404):
        selectors.incident_get(user=wpa, public_id=public_id)


def test_location_for(
    detailed: Incident, reporter: User, analyst: User, sake: Location, masisi: Location
) -> None:
    row = incident_list(user=analyst)[0]
    assert selectors.incident_location_for(user=analyst, incident=row) == masisi
    assert selectors.incident_location_for(user=reporter, incident=row) == sake


# --- history ---------------------------------------------------------------------------------


def test_history_shows_reasons_only_to_narrative_readers(
    make_incident: Callable[..., Incident], reporter: User, wpa: User, analyst: User, colleague: User
) -> None:
    incident = make_incident("returned", reporter=reporter)
    incident = services.incident_submit(actor=reporter, incident=incident)
    for user in (reporter, wpa):
        entries = selectors.incident_history(user=user, incident=incident)
        assert [e.action for e in entries] == ["create", "submit", "return", "submit"]
        assert [e.reason for e in entries] == ["", "", "Check the dates.", ""]
        assert entries[2].actor_name == wpa.display_name
        assert entries[2].to_status_label == "Returned to reporter"
    for user in (analyst, colleague):
        entries = selectors.incident_history(user=user, incident=incident)
        assert [e.action for e in entries] == ["create", "submit", "return", "submit"]
        assert {e.reason for e in entries} == {None}


def test_history_out_of_scope_is_404(
    make_incident: Callable[..., Incident], reporter: User, wpa_other: User
) -> None:
    incident = make_incident("submitted", reporter=reporter)
    with pytest.raises(Http404):
        selectors.incident_history(user=wpa_other, incident=incident)


# --- assignees, reference lists --------------------------------------------------------------


def test_assignee_candidates(
    make_incident: Callable[..., Incident],
    reporter: User,
    wpa: User,
    wpa_other: User,
    senior_wpa: User,
    analyst: User,
) -> None:
    incident = make_incident("submitted", reporter=reporter)
    assert list(selectors.incident_assignee_candidates(incident=incident)) == [senior_wpa, wpa]
    sea = make_incident("submitted", reporter=reporter, perpetrators=UN_PERPETRATOR)
    assert list(selectors.incident_assignee_candidates(incident=sea)) == [senior_wpa]


def test_location_list_is_coarse_for_analysts(
    sake: Location, masisi: Location, nord_kivu: Location, analyst: User, reporter: User
) -> None:
    assert list(selectors.location_list(user=analyst)) == [nord_kivu, masisi]
    assert list(selectors.location_list(user=reporter)) == [nord_kivu, masisi, sake]
    assert list(selectors.location_list(user=reporter, parent=masisi)) == [sake]


def test_party_list(m23: PartyToConflict) -> None:
    retired = PartyToConflict.objects.create(name="Old group", active=False)
    assert list(selectors.party_list()) == [m23]
    assert list(selectors.party_list(include_inactive=True)) == [m23, retired]


@pytest.mark.parametrize(
    ("persona", "readable"),
    [("reporter", True), ("wpa", True), ("senior_wpa", True), ("analyst", False), ("colleague", False)],
)
def test_incident_narrative(
    detailed: Incident, request: pytest.FixtureRequest, persona: str, readable: bool
) -> None:
    user = request.getfixturevalue(persona)
    incident = selectors.incident_get(user=user, public_id=detailed.public_id)
    narrative = selectors.incident_narrative(user=user, incident=incident)
    assert narrative == (detailed.narrative if readable else None)

"""Incident test data, built through the real services (they catch what factories skip).

`complete_fields()` is a valid, complete intake; `incident_in_state()` walks an incident
through the workflow to any status. Reference rows (locations, parties) use factory_boy.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import factory

from crsv.accounts.models import User
from incidents import clock, services
from incidents.models import Incident, Location, PartyToConflict
from incidents.services import PerpetratorData, ViolationData


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("pcode",)

    pcode = factory.Sequence(lambda n: f"CD{90 + n // 100}{n % 100:02d}")
    name = factory.Sequence(lambda n: f"Place {n}")
    admin_level = 1
    parent = None


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyToConflict
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Armed group {n}")
    listed_in_sg_annex = False


def office_today(user: User) -> date:
    office = user.primary_office()
    assert office is not None
    return clock.office_today(office)


def complete_fields(*, reporter: User, location: Location, **overrides: Any) -> dict[str, Any]:
    """A complete intake: one woman, raped two days before the report (no names)."""
    today = office_today(reporter)
    fields: dict[str, Any] = {
        "source_channel": Incident.SourceChannel.SURVIVOR,
        "reported_on": today,
        "date_precision": Incident.DatePrecision.DAY,
        "incident_date_start": today - timedelta(days=2),
        "location": location,
        "tally_women": 1,
        "narrative": "Armed men entered the house at night. Medical care was offered.",
        "gbvims_penetration": True,
    }
    fields.update(overrides)
    return fields


def incident_draft(
    reporter: User,
    *,
    location: Location,
    violations: tuple[str, ...] = ("rape",),
    perpetrators: list[PerpetratorData] | None = None,
    **overrides: Any,
) -> Incident:
    return services.incident_create(
        actor=reporter,
        violations=[ViolationData(form=form) for form in violations],
        perpetrators=perpetrators
        if perpetrators is not None
        else [PerpetratorData(category="unidentified_armed_men", count=2)],
        **complete_fields(reporter=reporter, location=location, **overrides),
    )


UN_PERPETRATOR = [PerpetratorData(category="un_personnel", count=1)]


def incident_in_state(
    state: str,
    *,
    reporter: User,
    reviewer: User,
    location: Location,
    senior: User | None = None,
    **overrides: Any,
) -> Incident:
    """An incident of `reporter` brought to `state` (draft ... closed) through the services.

    `reviewer` assigns, returns and verifies; for "reopened" (under review after closing),
    `senior` reopens.
    """
    incident = incident_draft(reporter, location=location, **overrides)
    if state == "draft":
        return incident
    incident = services.incident_submit(actor=reporter, incident=incident)
    if state == "submitted":
        return incident
    if state == "returned":
        return services.incident_return(actor=reviewer, incident=incident, reason="Check the dates.")
    incident = services.incident_assign(actor=reviewer, incident=incident, assignee=reviewer)
    if state == "under_review":
        return incident
    incident = services.incident_verify(
        actor=reviewer,
        incident=incident,
        outcome="verified",
        method="survivor_interview",
        verified_on=office_today(reporter),
    )
    if state == "closed":
        return incident
    assert state == "reopened" and senior is not None
    return services.incident_reopen(actor=senior, incident=incident, reason="New information.")

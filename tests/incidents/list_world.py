"""The incidents the list API tests read (`world`, a fixture of tests/incidents/conftest.py), and
their helpers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.renderers import JSONRenderer

from crsv.accounts.models import User
from incidents import selectors
from incidents.api.serializers import IncidentListItemOutput
from incidents.models import Incident, Location, PartyToConflict
from incidents.selectors import IncidentFilters
from tests.incidents.factories import UN_PERPETRATOR
from tests.incidents.test_api_common import (
    canary_place,
    planted,
)


@pytest.fixture
def world(
    make_incident: Callable[..., Incident],
    reporter: User,
    colleague: User,
    reporter_other: User,
    foreign_reporter: User,
    wpa: User,
    wpa_other: User,
    senior_wpa: User,
    outsider: User,
    masisi: Location,
    m23: PartyToConflict,
) -> dict[str, Incident]:
    """Incidents of Goma (the reporter's, with every canary, and a colleague's), Bunia, SEA, and
    another mission."""
    return {
        "planted": planted(reporter=reporter, reviewer=wpa, place=canary_place(masisi), party=m23),
        "own_draft": make_incident("draft", reporter=reporter),
        "colleague_draft": make_incident("draft", reporter=colleague),
        "colleague_closed": make_incident("closed", reporter=colleague),
        "own_sea_submitted": make_incident("submitted", reporter=reporter, perpetrators=UN_PERPETRATOR),
        "bunia_review": make_incident("under_review", reporter=reporter_other, reviewer=wpa_other),
        "foreign_submitted": make_incident("submitted", reporter=foreign_reporter, reviewer=outsider),
    }


def ids(response: Any) -> set[str]:
    return {row["public_id"] for row in response.json()["results"]}


def expected_rows(user: User, filters: IncidentFilters | None = None, ordering: str = "-created_at") -> Any:
    """What the documented serializer makes of the same rows (as JSON)."""
    user = User.objects.get(pk=user.pk)
    rows = selectors.incident_list(user=user, filters=filters, ordering=ordering).prefetch_related(
        "violations"
    )
    data = IncidentListItemOutput(rows[: selectors.PAGE_SIZE], many=True, context={"user": user}).data
    return json.loads(JSONRenderer().render(data))

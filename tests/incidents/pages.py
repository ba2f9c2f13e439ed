"""Helpers for the incident page tests: intake POST data, and reading a page's messages.

Unique strings (`NARRATIVE`, `UNIT`, ...) are what the de-identification tests look for in
response bodies: each appears only where that restricted value is shown.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from typing import Any

from django.http import HttpResponse

from crsv.accounts.models import FieldOffice
from incidents.models import Location, PartyToConflict

NARRATIVE = "Canary-Narrative-Kalehe-7731 entered the compound"
UNIT = "Canary-Unit-34th-Brigade"
COMMANDER = "Canary-Commander-Mutombo"
NAMES = "Canary-Names-Kabila-Lumumba"
REASON = "Canary-Reason-check-the-dates"

PERPETRATOR_FIELDS = ("category", "count", "sex", "age_group", "party", "relationship", "unit", "commander")


def perpetrator_row(*, party: PartyToConflict | None = None, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "category": "non_state_armed_group",
        "count": "3",
        "sex": "male",
        "age_group": "adult",
        "party": str(party.public_id) if party else "",
        "relationship": "no_relation",
        "unit": UNIT,
        "commander": COMMANDER,
        "names": NAMES,
    }
    row.update(values)
    return row


def intake_data(
    *,
    location: Location,
    today: date,
    office: FieldOffice | None,
    violations: tuple[str, ...] = ("rape", "sexual_slavery"),
    perpetrators: tuple[dict[str, Any], ...] = (),
    intent: str = "save",
    extra_rows: int = 1,
    **fields: Any,
) -> dict[str, str]:
    """What the intake page posts: a complete incident, plus `extra_rows` blank rows per formset.

    `office`: None on the edit page (an incident's office does not change)."""
    data: dict[str, Any] = {
        "intent": intent,
        "source_channel": "survivor",
        "reported_on": today.isoformat(),
        "date_precision": "day",
        "incident_date_start": (today - timedelta(days=2)).isoformat(),
        "incident_date_end": "",
        "time_of_day": "evening_night",
        "location": location.pcode,
        "location_type": "home",
        "latitude": "",
        "longitude": "",
        "displacement_stage": "not_displaced",
        "context": "attack_on_locality",
        "conflict_nexus": "perpetrator_affiliation",
        "tally_women": "1",
        "tally_girls": "0",
        "tally_men": "0",
        "tally_boys": "0",
        "tally_unknown_sex": "0",
        "gbvims_penetration": "yes",
        "gbvims_sexual_contact": "no",
        "gbvims_physical_assault": "yes",
        "gbvims_forced_marriage": "no",
        "gbvims_denial_of_resources": "no",
        "gbvims_psychological_abuse": "no",
        "narrative": NARRATIVE,
    }
    if office is not None:
        data["field_office"] = str(office.pk)
    data.update(fields)
    rows = [*violations, *([""] * extra_rows)]
    data |= {
        "violations-TOTAL_FORMS": str(len(rows)),
        "violations-INITIAL_FORMS": "0",
        **{f"violations-{n}-form": form for n, form in enumerate(rows)},
    }
    blank = {"category": "", "count": "", "sex": "unknown", "age_group": "unknown", "party": ""}
    blank |= {"relationship": "unknown", "unit": "", "commander": "", "names": ""}
    people = [*perpetrators, *([blank] * extra_rows)]
    data |= {"perpetrators-TOTAL_FORMS": str(len(people)), "perpetrators-INITIAL_FORMS": "0"}
    for n, person in enumerate(people):
        data |= {f"perpetrators-{n}-{key}": value for key, value in person.items()}
    return {key: "" if value is None else str(value) for key, value in data.items()}


def text(response: HttpResponse) -> str:
    return html.unescape(response.content.decode())


def error_beside(response: HttpResponse, field_id: str) -> str:
    """The messages Django shows beside the field whose input has id `field_id` ('' if none)."""
    found = re.search(
        rf'<ul class="errorlist" id="{re.escape(field_id)}_error">(.*?)</ul>', response.content.decode(), re.S
    )
    return html.unescape(found.group(1)) if found else ""


def section(response: HttpResponse, element_id: str) -> str:
    """The page from the element with `element_id` to the end of its first inner fieldset or
    its own end: where a group's messages are shown."""
    page = response.content.decode()
    start = page.index(f'id="{element_id}"')
    return html.unescape(page[start : page.index("</fieldset>", start)])


def input_value(response: HttpResponse, name: str) -> str | None:
    """The value a text or date input named `name` is shown with."""
    page = response.content.decode()
    found = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page)
    if not found:
        return None
    value = re.search(r'value="([^"]*)"', found.group(0))
    return html.unescape(value.group(1)) if value else ""


def selected(response: HttpResponse, name: str) -> list[str]:
    """The selected option values of the select named `name`, or the checked radio values."""
    page = response.content.decode()
    found = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    if found:
        return re.findall(r'<option value="([^"]*)"[^>]*selected', found.group(1))
    return re.findall(rf'<input type="radio" name="{re.escape(name)}" value="([^"]*)"[^>]*checked', page)

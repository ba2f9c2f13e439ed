"""The one check of schemathesis the run narrows, and why.

`positive_data_acceptance` wants every request its schema allows answered 2xx (or 401, 403,
404, 409, 429). Some inputs are valid or not for reasons an OpenAPI 3.0 schema cannot state:

- the rows in the database: a field naming a row by id or code must name one the user may use,
  and a cursor must be one the server made; a random UUID there is refused with 400;
- rules between fields (a date range's order, a latitude without its longitude, a consent's
  purpose and its service type), or between the items of a list;
- today's date (no date in the future, none before 1900 or 1990), or the user's role.

So a 400 is allowed here only when every field it names is one of `DATA_DEPENDENT`, each with
its reason. A 400 naming any other field (a length, a pattern, a choice the schema got wrong)
still fails the run, and so does a 400 whose body is not field errors.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import schemathesis
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance

# Field (error key) -> why its validity depends on the database, not on the schema.
DATA_DEPENDENT = {
    "cursor": "made by the server from the last row of a page (crsv.pagination): any other string "
    "the schema allows is refused",
    "location": "a place (a UUID) of the reference data that the user may use",
    "party": "a party to the conflict (a UUID) of the reference data",
    "field_office": "one of the user's own field offices (a code)",
    "office": "a field office of the user's missions (a code)",
    "admin1": "a place of admin level 1 (a p-code) of the reference data",
    "admin2": "a place of admin level 2 (a p-code) of the reference data, within `admin1` if given",
    "survivor": "a case (a UUID) the user can see",
    "grantee": "an active WPA or reporter (a username) of the case's mission",
    "survivor_codes": "codes of cases the user may identify, of one mission, one at least covered by "
    "a consent to the recipient (reports.identifiable)",
    "incident": "an incident (a UUID) the user can see, linked to the case",
    "provider": "an active provider (a UUID) of the service directory that offers the service",
    "consent_text_version": "a consent text published in that version and language",
    "parent": "a place (a UUID) of the reference data that the user may use",
    # Rules between fields, which OpenAPI 3.0 cannot state.
    "date_precision": "required once an incident date is given",
    "incident_date_start": "required once a precision or an end date is given; not after the "
    "date of report, nor in the future",
    "incident_date_end": "a range's end, not before its start",
    "expires_at": "a consent expires after it was given",
    "organisation": "named by a consent to share identifiable data only",
    "service_type": "named by a referral consent only",
    "date_to": "the end of a period, not before its start",
    "to": "the dashboard's last month, not before `from`, at most 120 months after it",
    "latitude": "given with the longitude, or neither",
    "longitude": "given with the latitude, or neither",
    "violations": "each form listed once (items of objects: `uniqueItems` cannot say it)",
    # Fields a workflow action needs or refuses (`assign` needs `assignee`, `verify` its outcome).
    "assignee": "needed by `assign`, refused by the other actions",
    "reason": "needed by `return`, `reopen`, `decline`, `cancel`; refused by the other actions",
    "outcome": "taken by `verify` (needed) and `complete`; refused by the other actions; a justice "
    "step's, needed for a verdict and refused for the other stages",
    "method": "needed by `verify`, refused by the other actions",
    "verified_on": "taken by `verify` only",
    # Relative to today, or to the user's role.
    "date_of_birth": "a past date, not before 1900",
    "reported_on": "not in the future, not before 1990",
    "period": "an export's month, quarter or year, one that has ended (reports.exports)",
    "given_at": "when a consent was given: not in the future, not before 1900",
    "reference": "a filter an analyst may not use: references are not shown to her",
    "description": "an alert's description, required when its indicators include `other`",
    # A justice and accountability step (incidents/services/accountability.py).
    "stage": "a justice step is recorded once per stage and court of its incident",
    "court": "a justice step's court: required for a prosecution, a verdict or a sentence, refused "
    "for the other stages",
    "occurred_on": "a justice step's date: not in the future, not before the incident, not before 1990",
}

CHECK_NAME = "positive_data_acceptance"


def _error_fields(body: Any) -> Iterator[str]:
    """The field names of a DRF 400 body, nested ones (`{"consents": {"0": {...}}}`) included."""
    if not isinstance(body, dict):
        yield "(not a field-error object)"
        return
    for key, value in body.items():
        if isinstance(value, dict):
            nested = {k: v for k, v in value.items() if not str(k).isdigit()}
            indexed = [v for k, v in value.items() if str(k).isdigit()]
            if nested:
                yield from _error_fields(nested)
            for item in indexed:
                yield from _error_fields(item)
        else:
            yield str(key)


def data_dependent_refusal(response: Any) -> bool:
    """A 400 whose every field is one of `DATA_DEPENDENT`."""
    if response.status_code != 400:
        return False
    try:
        body = json.loads(response.content)
    except ValueError:
        return False
    fields = set(_error_fields(body))
    return bool(fields) and fields <= DATA_DEPENDENT.keys()


@schemathesis.check
def positive_data_accepted(ctx: Any, response: Any, case: schemathesis.Case) -> bool | None:
    """`positive_data_acceptance`, except a 400 that names only data-dependent fields."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if data_dependent_refusal(response):
            return None
        raise

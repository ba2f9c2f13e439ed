"""The rules an incident's data must meet, as field-keyed messages.

Two levels, decided here and nowhere else:

- always (drafts too): whatever *is* given must be valid: no date in the future or after the
  report, a range in order, tallies not negative, both coordinates or neither, known choices,
  each violation form at most once, a party only for an armed actor;
- complete (to submit, and while submitted or later): the source, the incident date, the
  location, at least one victim, at least one violation and the narrative are given.

So a reporter can save a half-typed intake as a draft (a slow link, a session timing out),
and nothing incomplete ever leaves the draft state. The limits (lengths, numbers of rows, the
earliest date) are those of services/limits.py, for every door. Keys are field names, plus `tallies`
(the five tallies together), `violations` and `perpetrators` (the child rows, with their row
number in the message).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext as _

from incidents.models import TALLY_FIELDS, Incident, Perpetrator, Violation
from incidents.models.incident import COORDINATE_DIGITS, COORDINATE_PLACES
from incidents.services.inputs import PerpetratorData, ViolationData
from incidents.services.limits import (
    EARLIEST_DATE,
    NARRATIVE_MAX_LENGTH,
    PERPETRATOR_COUNT_MAX,
    PERPETRATOR_NAMES_MAX_LENGTH,
    PERPETRATOR_TEXT_MAX_LENGTH,
    PERPETRATORS_MAX,
    REASON_MAX_LENGTH,
    TALLY_MAX,
    VIOLATIONS_MAX,
)

Problems = defaultdict[str, list[str]]


def date_too_early_message() -> str:
    return _("The date cannot be before %(date)s.") % {"date": EARLIEST_DATE.isoformat()}


def _dates(incident: Incident, today: date, problems: Problems) -> None:
    for field in ("reported_on", "incident_date_start", "incident_date_end"):
        value = getattr(incident, field)
        if value is not None and value < EARLIEST_DATE:
            problems[field].append(date_too_early_message())
    if incident.reported_on is not None and incident.reported_on > today:
        problems["reported_on"].append(_("The date of report cannot be in the future."))
    precision, start, end = (
        incident.date_precision,
        incident.incident_date_start,
        incident.incident_date_end,
    )
    if start is not None and not precision:
        problems["date_precision"].append(_("Say how precise the incident date is."))
    if start is None and (precision or end is not None):
        problems["incident_date_start"].append(_("Give the date of the incident."))
    if precision == Incident.DatePrecision.RANGE and start is not None and end is None:
        problems["incident_date_end"].append(_("Give the last day of the date range."))
    if start is None:
        return
    if start > today:
        problems["incident_date_start"].append(_("The incident date cannot be in the future."))
    elif incident.reported_on is not None and start > incident.reported_on:
        problems["incident_date_start"].append(
            _("The incident cannot have happened after the date of report.")
        )
    if precision == Incident.DatePrecision.RANGE and end is not None:
        if start > end:
            problems["incident_date_end"].append(_("The end of the date range cannot be before its start."))
        elif end > today:
            problems["incident_date_end"].append(_("The end of the date range cannot be in the future."))
        elif incident.reported_on is not None and end > incident.reported_on:
            problems["incident_date_end"].append(
                _("The end of the date range cannot be after the date of report.")
            )


def _sizes(incident: Incident, narrative: str, problems: Problems) -> None:
    if len(narrative) > NARRATIVE_MAX_LENGTH:
        problems["narrative"].append(
            _("The narrative can be at most %(max)d characters long (it has %(length)d).")
            % {"max": NARRATIVE_MAX_LENGTH, "length": len(narrative)}
        )
    over = [name for name in TALLY_FIELDS if (getattr(incident, name) or 0) > TALLY_MAX]
    if over:
        problems["tallies"].append(_("Each count can be at most %(max)d.") % {"max": TALLY_MAX})


# The exact point is encrypted (Incident.latitude/longitude), so no column checks its digits or
# range: the validators a DecimalField would run are run here, with the same messages.
_POINT_VALIDATORS: dict[str, list[Callable[[Any], None]]] = {
    "latitude": [MinValueValidator(-90), MaxValueValidator(90)],
    "longitude": [MinValueValidator(-180), MaxValueValidator(180)],
}


def _place(incident: Incident, problems: Problems) -> None:
    point = {"latitude": incident.latitude, "longitude": incident.longitude}  # decrypted once
    if (point["latitude"] is None) != (point["longitude"] is None):
        field = "longitude" if point["longitude"] is None else "latitude"
        problems[field].append(_("Give both the latitude and the longitude, or neither."))
    for field, value in point.items():
        if value is None:
            continue
        validators: list[Callable[[Any], None]] = [
            DecimalValidator(COORDINATE_DIGITS, COORDINATE_PLACES),
            *_POINT_VALIDATORS[field],
        ]
        for validator in validators:
            try:
                validator(value)
            except ValidationError as error:
                problems[field].extend(error.messages)


def too_many_violations_message() -> str:
    return _("Record at most %(num)d violations.") % {"num": VIOLATIONS_MAX}


def too_many_perpetrators_message() -> str:
    return _("Record at most %(num)d perpetrators.") % {"num": PERPETRATORS_MAX}


def _violations(rows: Sequence[ViolationData], problems: Problems) -> None:
    if len(rows) > VIOLATIONS_MAX:
        problems["violations"].append(too_many_violations_message())
        return
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        if row.form not in Violation.Form.values:
            problems["violations"].append(_("Violation %(n)d: choose a form of violation.") % {"n": number})
        elif row.form in seen:
            problems["violations"].append(
                _("Violation %(n)d: %(form)s is already listed.")
                % {"n": number, "form": Violation.Form(row.form).label}
            )
        seen.add(row.form)


def _perpetrators(rows: Sequence[PerpetratorData], problems: Problems) -> None:
    choices = (
        ("sex", _("sex"), Perpetrator.Sex.values),
        ("age_group", _("age group"), Perpetrator.AgeGroup.values),
        ("relationship", _("relationship to the survivor"), Perpetrator.Relationship.values),
    )
    if len(rows) > PERPETRATORS_MAX:
        problems["perpetrators"].append(too_many_perpetrators_message())
        return
    for number, row in enumerate(rows, start=1):
        if row.category not in Perpetrator.Category.values:
            problems["perpetrators"].append(_("Perpetrator %(n)d: choose a category.") % {"n": number})
        elif row.party is not None and row.category not in Perpetrator.ARMED_ACTOR_CATEGORIES:
            problems["perpetrators"].append(
                _(
                    "Perpetrator %(n)d: a party to the conflict can be named only for armed "
                    "forces, police, security forces, militias or armed groups."
                )
                % {"n": number}
            )
        if row.count is not None and row.count < 1:
            problems["perpetrators"].append(
                _("Perpetrator %(n)d: the number must be at least 1, or left empty if unknown.")
                % {"n": number}
            )
        elif row.count is not None and row.count > PERPETRATOR_COUNT_MAX:
            problems["perpetrators"].append(
                _("Perpetrator %(n)d: the number can be at most %(max)d.")
                % {"n": number, "max": PERPETRATOR_COUNT_MAX}
            )
        for field, label, limit in (
            ("unit", _("unit"), PERPETRATOR_TEXT_MAX_LENGTH),
            ("commander", _("commander"), PERPETRATOR_TEXT_MAX_LENGTH),
            ("names", _("names"), PERPETRATOR_NAMES_MAX_LENGTH),
        ):
            if len(getattr(row, field)) > limit:
                problems["perpetrators"].append(
                    _("Perpetrator %(n)d: %(field)s can be at most %(max)d characters long.")
                    % {"n": number, "field": label, "max": limit}
                )
        for field, label, values in choices:
            if getattr(row, field) not in values:
                problems["perpetrators"].append(
                    _("Perpetrator %(n)d: %(field)s is not a known choice.") % {"n": number, "field": label}
                )


def _completeness(
    incident: Incident, narrative: str, violations: Sequence[ViolationData], problems: Problems
) -> None:
    if not incident.source_channel:
        problems["source_channel"].append(_("Say how the incident became known."))
    if not incident.date_precision and "date_precision" not in problems:
        problems["date_precision"].append(_("Give the date of the incident and its precision."))
    if incident.location_id is None:
        problems["location"].append(_("Give the location of the incident."))
    tallies = [getattr(incident, name) for name in TALLY_FIELDS]
    if None not in tallies and sum(tallies) <= 0:
        problems["tallies"].append(_("Count at least one survivor (woman, girl, man, boy or sex unknown)."))
    if not violations:
        problems["violations"].append(_("Record at least one violation."))
    if not narrative.strip():
        problems["narrative"].append(_("Describe what happened."))


def incident_validate(
    incident: Incident,
    *,
    violations: Sequence[ViolationData],
    perpetrators: Sequence[PerpetratorData],
    complete: bool,
    today: date,
) -> None:
    """Raise one ValidationError with every problem, keyed by field, or return."""
    problems: Problems = defaultdict(list)
    try:
        # Field-level checks (choices, lengths, non-negative tallies); no queries.
        incident.clean_fields(exclude=["mission", "field_office", "reported_by", "location"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            problems[field].extend(messages)
    narrative = incident.narrative  # decrypted once
    _dates(incident, today, problems)
    _sizes(incident, narrative, problems)
    _place(incident, problems)
    _violations(violations, problems)
    _perpetrators(perpetrators, problems)
    if complete:
        _completeness(incident, narrative, violations, problems)
    if problems:
        raise ValidationError(dict(problems))


def rows_problems(
    *, violations: Sequence[ViolationData] = (), perpetrators: Sequence[PerpetratorData] = ()
) -> dict[str, list[str]]:
    """The problems of child rows alone, keyed `violations` and `perpetrators`, without an
    incident: to keep the good rows of an intake that must be saved whatever it holds
    (services/kept_drafts.py)."""
    problems: Problems = defaultdict(list)
    _violations(violations, problems)
    _perpetrators(perpetrators, problems)
    return dict(problems)


def require_text(value: str, *, field: str, message: str, max_length: int = REASON_MAX_LENGTH) -> str:
    """The stripped value, or a ValidationError keyed by `field` (empty, or too long)."""
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [message]})
    if len(text) > max_length:
        raise ValidationError(
            {
                field: [
                    _("At most %(max)d characters (it has %(length)d).")
                    % {"max": max_length, "length": len(text)}
                ]
            }
        )
    return text


def full_clean_before_save(obj: models.Model) -> None:
    """`full_clean()`'s field checks (values, choices, lengths, validators), without three
    costs that buy nothing here:

    - foreign keys: their values are instances the service resolved; Django would re-read
      each (a query apiece), and the database checks them anyway;
    - uniqueness: the only unique values are generated (random public ids, references from
      the counter), and the database's unique indexes refuse a duplicate anyway;
    - named check constraints: the database enforces each in the same transaction, and
      `incident_validate` has already reported, with a proper message, every violation a
      person can cause. Evaluating them in Python costs ~2 ms each, ~25 ms per save.
    """
    relations = [field.name for field in obj._meta.concrete_fields if field.is_relation]
    obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)

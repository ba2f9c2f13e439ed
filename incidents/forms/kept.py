"""What an intake posted after its session expired holds that can be kept as a draft.

The page would show the errors and let the reporter correct them; here she has been signed
out, so nothing typed that parsed is lost: every field that parsed, every row that parsed, and
the narrative even beyond its length limit (its first `NARRATIVE_MAX_LENGTH` characters). What
did not parse is left out and named (services/kept_drafts.py then applies the draft's rules).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, cast

from crsv.accounts.models import FieldOffice
from incidents.forms.intake import IncidentIntake
from incidents.models import TALLY_FIELDS
from incidents.services import IncidentFields, PerpetratorData, ViolationData
from incidents.services.inputs import INCIDENT_FIELD_NAMES
from incidents.services.limits import NARRATIVE_MAX_LENGTH

_TEXTS = ("source_channel", "date_precision", "narrative")


@dataclass(frozen=True)
class KeptInputs:
    """The services' inputs, from what parsed; `left_out` names the fields and row groups that
    did not."""

    intake_key: uuid.UUID | None
    field_office: FieldOffice | None
    fields: IncidentFields
    violations: list[ViolationData]
    perpetrators: list[PerpetratorData]
    left_out: frozenset[str]


def _narrative(intake: IncidentIntake) -> str:
    # The field refused it for its length only (a CharField has no other rule here): keep
    # what the service accepts rather than nothing.
    raw = intake.form.data.get(intake.form.add_prefix("narrative"), "")
    return str(raw).strip()[:NARRATIVE_MAX_LENGTH].strip()


def intake_kept_inputs(intake: IncidentIntake) -> KeptInputs:
    """The inputs of a posted (bound) `intake` that parsed, whatever else did not."""
    intake.is_valid()  # every part validated; its errors are not shown, what parsed is kept
    form = intake.form
    cleaned = form.cleaned_data
    left_out = set(form.errors)
    values: dict[str, Any] = {name: cleaned[name] for name in INCIDENT_FIELD_NAMES if name in cleaned}
    for name in TALLY_FIELDS:
        if name in values:
            values[name] = values[name] or 0
    for name in _TEXTS:
        if name in values:
            values[name] = values[name] or ""
    if values.get("reported_on") is None:
        values.pop("reported_on", None)  # the service's default: today in the office
    if "narrative" in form.errors:
        values["narrative"] = _narrative(intake)
    rows: dict[str, list[Any]] = {}
    for name, formset in (("violations", intake.violations), ("perpetrators", intake.perpetrators)):
        filled = formset.filled_forms()
        rows[name] = [row.data_row() for row in filled if row.is_valid()]
        if len(rows[name]) < len(filled) or not formset.management_form.is_valid():
            left_out.add(name)
    return KeptInputs(
        intake_key=cleaned.get("intake_key"),
        field_office=cleaned.get("field_office"),
        fields=cast(IncidentFields, values),
        violations=rows["violations"],
        perpetrators=rows["perpetrators"],
        left_out=frozenset(left_out),
    )

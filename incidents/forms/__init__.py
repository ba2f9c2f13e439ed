"""Forms of the incident pages. They parse what was typed; the services decide what is valid."""

from __future__ import annotations

from incidents.forms.fields import InstanceChoiceField, YesNoField
from incidents.forms.intake import (
    IncidentForm,
    IncidentIntake,
    IntakeChoices,
    IntakeInitial,
)
from incidents.forms.listing import DEFAULT_ORDERING, ORDERING_CHOICES, IncidentFilterForm
from incidents.forms.review import AssignForm, ReasonForm, SubmitForm, VerifyForm, add_service_errors
from incidents.forms.rows import PerpetratorForm, ViolationForm

__all__ = [
    "DEFAULT_ORDERING",
    "ORDERING_CHOICES",
    "AssignForm",
    "IncidentFilterForm",
    "IncidentForm",
    "IncidentIntake",
    "InstanceChoiceField",
    "IntakeChoices",
    "IntakeInitial",
    "PerpetratorForm",
    "ReasonForm",
    "SubmitForm",
    "VerifyForm",
    "ViolationForm",
    "YesNoField",
    "add_service_errors",
]

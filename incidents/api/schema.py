"""OpenAPI: every choice of the incidents API is a named enum component (IncidentStatus,
PerpetratorSex, ...).

drf-spectacular names enums after the field (`status`, `sex`, `method`), and those names are
also used by the survivor-cases API for other choice sets; it would then warn and invent
hashed names (`SexA7cEnum`). Naming ours after what they are keeps the schema stable for client
generators, without a project-wide `ENUM_NAME_OVERRIDES`. Registered on import (views.py).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_choice_field


class NamedChoiceExtension(OpenApiSerializerFieldExtension):
    target_class = "incidents.api.serializers.fields.Choice"
    match_subclasses = True

    def get_name(self) -> str:
        name: str = self.target.enum_name
        return f"{name}OrBlank" if self.target.allow_blank else name

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = build_choice_field(self.target)
        schema.pop("x-spec-enum-id", None)  # spectacular's enum bookkeeping, for inline enums only
        return schema

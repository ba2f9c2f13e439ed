"""Admin for reference data only. Incidents are not in the admin: administrators see no
survivor data (DESIGN §3); they are reached through the scoped pages and API."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from crsv.audit.services import audit_record
from incidents.models import Location, PartyToConflict


class _AuditedAdmin(admin.ModelAdmin[Any]):
    """Every change made in the admin leaves an audit event, like a service would."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        action = "change" if change else "add"
        audit_record(actor=request.user, action=f"{obj._meta.model_name}.{action}", obj=obj, request=request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate a party; locations are kept for the incidents that use them


@admin.register(Location)
class LocationAdmin(_AuditedAdmin):
    list_display = ["pcode", "name", "admin_level", "parent"]
    list_filter = ["admin_level"]
    search_fields = ["pcode", "name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["public_id"]
    list_select_related = ["parent"]


@admin.register(PartyToConflict)
class PartyToConflictAdmin(_AuditedAdmin):
    list_display = ["name", "listed_in_sg_annex", "active"]
    list_filter = ["listed_in_sg_annex", "active"]
    search_fields = ["name"]
    readonly_fields = ["public_id"]

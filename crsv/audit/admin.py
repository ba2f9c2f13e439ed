from django.contrib import admin
from django.http import HttpRequest

from crsv.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: the database refuses changes anyway; the admin does not offer them."""

    list_display = ["occurred_at", "action", "actor", "object_type", "object_public_id", "ip_address"]
    list_filter = ["action", "object_type"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

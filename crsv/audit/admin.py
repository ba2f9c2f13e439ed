"""The audit trail in the admin site: read-only, and for the auditor role only.

Administrators manage users and reference data; they do not read the trail (it would show whom
they watch) nor the access log (AccessEvent holds only survivors' public ids, but which cases
are read, by whom and when is the auditor's business). A superuser without the auditor role
does not see them here either: the role decides, not a model permission.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from crsv.accounts.roles import Capability
from crsv.audit.models import AccessEvent, AuditEvent


def _is_auditor(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_authenticated and user.can(Capability.READ_AUDIT_TRAIL))


class _AuditorReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Read-only: the database refuses changes anyway; the admin does not offer them."""

    list_select_related = ["actor"]
    date_hierarchy = "occurred_at"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_auditor(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _is_auditor(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(_AuditorReadOnlyAdmin):
    list_display = ["occurred_at", "action", "actor", "object_type", "object_public_id", "ip_address"]
    list_filter = ["action", "object_type"]
    fields = ["occurred_at", "action", "actor", "object_type", "object_public_id", "ip_address", "changes"]


@admin.register(AccessEvent)
class AccessEventAdmin(_AuditorReadOnlyAdmin):
    list_display = ["occurred_at", "kind", "actor", "survivor_public_id", "ip_address"]
    list_filter = ["kind"]
    search_fields = ["survivor_public_id", "actor__username"]
    fields = ["occurred_at", "kind", "actor", "survivor_public_id", "ip_address"]

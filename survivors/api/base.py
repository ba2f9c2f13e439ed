"""What every survivor-cases endpoint shares: `Cache-Control: no-store`, Django's exceptions mapped
to DRF responses, request bodies kept out of error reports, and the role gate of the lists."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from crsv.accounts.models import User
from crsv.api import PrivateAPIView, actor, django_errors, http_request
from survivors import permissions

__all__ = ["HasSurvivorRole", "SurvivorAPIView", "actor", "django_errors", "http_request"]


class HasSurvivorRole(BasePermission):
    """The role gate of the list and search (`survivors.permissions.can_list`): decided by role,
    never by how many rows match."""

    message = _("Your role gives no access to survivor cases.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return isinstance(user, User) and permissions.can_list(user)


class SurvivorAPIView(PrivateAPIView):
    """Base of the survivor-cases API views (see crsv.api.PrivateAPIView)."""

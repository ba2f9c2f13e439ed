"""The roles (Django groups) and what scope each has; see DESIGN §3."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REPORTER = "reporter", _("Reporter")
    WPA = "wpa", _("Women Protection Advisor")
    SENIOR_WPA = "senior_wpa", _("Senior Women Protection Advisor")
    ANALYST = "analyst", _("Analyst")
    PROVIDER = "provider", _("Service provider")
    ADMIN = "admin", _("Administrator")
    AUDITOR = "auditor", _("Auditor")


# These roles see the whole mission of their offices; the others only their own offices.
MISSION_WIDE_ROLES = frozenset({Role.SENIOR_WPA, Role.ANALYST})


def roles_ensure() -> list[Group]:
    """Create the role groups if missing; safe to run any number of times."""
    return [Group.objects.get_or_create(name=role.value)[0] for role in Role]


def role_label(name: str) -> str:
    try:
        return str(Role(name).label)
    except ValueError:
        return name

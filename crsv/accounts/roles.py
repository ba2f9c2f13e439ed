"""The roles (Django groups), what scope each has, and what each may do; see DESIGN §3.

`CAPABILITIES` is the one answer to "which roles may do X": code asks `user.can(Capability.X)`
(or filters users by `roles_for(Capability.X)`), never a list of roles of its own. Whether a
user may do X to one record also depends on her scope (offices, mission) and the record's
state: that is the `permissions.py` of each app, which starts from these capabilities.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

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


class Capability(StrEnum):
    """Something a role allows, whatever the record: the rows of DESIGN §3's table."""

    SEE_INCIDENTS = "see_incidents"  # open the incident list (which rows: the queryset)
    SEE_OFFICE_INCIDENTS = "see_office_incidents"  # the submitted incidents of her offices, not SEA
    SEE_WHOLE_MISSION = "see_whole_mission"  # her scope is the missions of her offices
    CREATE_INCIDENT = "create_incident"  # report an incident, and own the ones reported
    REVIEW_INCIDENTS = "review_incidents"  # review in own scope: every row shows its exact place
    SEE_SURVIVOR_CASES = "see_survivor_cases"  # open the case list and search
    REGISTER_SURVIVOR = "register_survivor"  # register a case at intake
    HOLD_SURVIVOR_CASES = "hold_survivor_cases"  # be the assigned WPA of a case
    RECEIVE_SURVIVOR_GRANT = "receive_survivor_grant"  # be given access to one case
    RECORD_CONSENT = "record_consent"  # record a survivor's consent on a case she may edit
    SEE_REFERRALS = "see_referrals"  # open the referral list (which rows: the queryset)
    MAKE_REFERRALS = "make_referrals"  # refer a case she may edit; send, cancel, follow up
    RESPOND_TO_REFERRALS = "respond_to_referrals"  # accept, decline, start, complete for her organisation
    BROWSE_SERVICE_DIRECTORY = "browse_service_directory"  # the service providers and their flags
    MANAGE_SERVICE_DIRECTORY = "manage_service_directory"  # providers, their users; inactive ones too
    READ_AUDIT_TRAIL = "read_audit_trail"  # the audit screens of the admin site
    MANAGE_USERS = "manage_users"  # the access pages (/access/): users, roles, offices, sessions
    ENTER_ADMIN_SITE = "enter_admin_site"  # is_staff follows from this, never set by hand
    SEE_FAILED_NOTIFICATIONS = "see_failed_notifications"  # the failed deliveries of her missions
    REVIEW_ACCESS = "review_access"  # the access review: every user's roles, offices, grants; export
    SEE_ALERTS = "see_alerts"  # open the early-warning alert list (which rows: the queryset)
    CREATE_ALERT = "create_alert"  # enter an alert for a Community Alert Network or a CLA
    HANDLE_ALERTS = "handle_alerts"  # acknowledge, dispatch, close, link; be on call; keep rosters
    SEE_DASHBOARD = "see_dashboard"  # the statistics dashboard of her scope (reports/)
    SEE_SURVIVOR_STATISTICS = "see_survivor_statistics"  # the mission's survivor and referral panels
    RUN_EXPORTS = "run_exports"  # the de-identified exports (GBVIMS, MARA, SAGE feed, CPAS)
    REQUEST_IDENTIFIABLE_EXPORT = "request_identifiable_export"  # for cases she may identify
    APPROVE_IDENTIFIABLE_EXPORT = "approve_identifiable_export"  # another's request, never her own


_CASE_WORKERS = frozenset({Role.REPORTER, Role.WPA, Role.SENIOR_WPA})

CAPABILITIES: Mapping[Capability, frozenset[Role]] = {
    Capability.SEE_INCIDENTS: _CASE_WORKERS | {Role.ANALYST},
    Capability.SEE_OFFICE_INCIDENTS: frozenset({Role.REPORTER, Role.WPA}),
    # The others' scope is their own offices.
    Capability.SEE_WHOLE_MISSION: frozenset({Role.SENIOR_WPA, Role.ANALYST}),
    Capability.CREATE_INCIDENT: _CASE_WORKERS,
    Capability.REVIEW_INCIDENTS: frozenset({Role.WPA, Role.SENIOR_WPA}),
    Capability.SEE_SURVIVOR_CASES: _CASE_WORKERS,
    Capability.REGISTER_SURVIVOR: _CASE_WORKERS,
    Capability.HOLD_SURVIVOR_CASES: frozenset({Role.WPA, Role.SENIOR_WPA}),
    # Not a senior WPA: she reaches every case of her mission by break-glass instead.
    Capability.RECEIVE_SURVIVOR_GRANT: frozenset({Role.WPA, Role.REPORTER}),
    Capability.RECORD_CONSENT: frozenset({Role.WPA, Role.SENIOR_WPA}),
    Capability.SEE_REFERRALS: frozenset({Role.WPA, Role.SENIOR_WPA, Role.PROVIDER}),
    Capability.MAKE_REFERRALS: frozenset({Role.WPA, Role.SENIOR_WPA}),
    Capability.RESPOND_TO_REFERRALS: frozenset({Role.PROVIDER}),
    Capability.BROWSE_SERVICE_DIRECTORY: frozenset({Role.WPA, Role.SENIOR_WPA, Role.ADMIN}),
    Capability.MANAGE_SERVICE_DIRECTORY: frozenset({Role.ADMIN}),
    Capability.READ_AUDIT_TRAIL: frozenset({Role.AUDITOR}),
    Capability.MANAGE_USERS: frozenset({Role.ADMIN}),
    Capability.ENTER_ADMIN_SITE: frozenset({Role.ADMIN, Role.AUDITOR}),
    Capability.SEE_FAILED_NOTIFICATIONS: frozenset({Role.SENIOR_WPA}),
    # The auditor too: the periodic review of who holds what is an oversight task, read-only, and
    # the review holds no survivor data (counts of grants, not which cases).
    Capability.REVIEW_ACCESS: frozenset({Role.ADMIN, Role.AUDITOR}),
    # Early warning (issue 13 item 4): analysts read alerts de-identified (incidents.alert_permissions).
    Capability.SEE_ALERTS: _CASE_WORKERS | {Role.ANALYST},
    # Protection staff and Community Liaison Assistants hold the reporter role.
    Capability.CREATE_ALERT: _CASE_WORKERS,
    Capability.HANDLE_ALERTS: frozenset({Role.WPA, Role.SENIOR_WPA}),
    # Statistics (issue 13, reports/): a WPA's dashboard counts the incidents of her offices; the
    # survivor panels are mission-level, for the senior WPAs and analysts only.
    Capability.SEE_DASHBOARD: frozenset({Role.WPA, Role.SENIOR_WPA, Role.ANALYST}),
    Capability.SEE_SURVIVOR_STATISTICS: frozenset({Role.SENIOR_WPA, Role.ANALYST}),
    Capability.RUN_EXPORTS: frozenset({Role.SENIOR_WPA, Role.ANALYST}),
    Capability.REQUEST_IDENTIFIABLE_EXPORT: frozenset({Role.WPA, Role.SENIOR_WPA}),
    Capability.APPROVE_IDENTIFIABLE_EXPORT: frozenset({Role.SENIOR_WPA}),
}


def roles_for(capability: Capability) -> frozenset[Role]:
    """The roles that allow `capability` (to filter users in a query: `groups__name__in=`)."""
    return CAPABILITIES[capability]


def roles_ensure() -> list[Group]:
    """Create the role groups if missing; safe to run any number of times."""
    return [Group.objects.get_or_create(name=role.value)[0] for role in Role]


def role_label(name: str) -> str:
    try:
        return str(Role(name).label)
    except ValueError:
        return name

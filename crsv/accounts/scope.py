"""A user with her roles, offices, missions and confirmed two-factor devices in one statement.

Every signed-in request needs the user and, for the navigation and `visible_to`, her roles and
scope; the pages also need her missions' offices (the lists' office filter) and the navigation's
unread count (the in-app notifications', capped at 100, as `notification_unread_count`). As
separate ORM queries that is six round trips and ~2 ms of CPU per request (mostly compiling the
queries); the list pages and APIs have throughput budgets (issue 3), so session
and bearer authentication both read them here, at once, and prime the user object.
"""

from __future__ import annotations

from typing import Any

from crsv.accounts.models import User

# A membership counts until the end of its last day in its office's time zone (what
# `crsv.accounts.models.membership_current_q` says for the ORM): an ended one is out of scope on
# the next request, before the beat task deletes it (crsv.accounts.expiry). The office row is
# joined by its primary key, so the condition costs no extra round trip.
CURRENT_MEMBERSHIP = "(m.ends_on IS NULL OR m.ends_on >= (now() AT TIME ZONE o.time_zone)::date)"

SCOPE_COLUMNS = f"""
       ARRAY(SELECT g.name FROM auth_group g JOIN accounts_user_groups ug ON ug.group_id = g.id
             WHERE ug.user_id = u.id) AS scope_roles,
       ARRAY(SELECT m.field_office_id FROM accounts_membership m
             JOIN accounts_fieldoffice o ON o.id = m.field_office_id
             WHERE m.user_id = u.id AND {CURRENT_MEMBERSHIP}
             ORDER BY m.id) AS scope_offices,
       ARRAY(SELECT DISTINCT o.mission_id FROM accounts_membership m
             JOIN accounts_fieldoffice o ON o.id = m.field_office_id
             WHERE m.user_id = u.id AND {CURRENT_MEMBERSHIP} ORDER BY o.mission_id) AS scope_missions,
       ARRAY(SELECT 'accounts.authenticatordevice/' || d.id FROM accounts_authenticatordevice d
             WHERE d.user_id = u.id AND d.confirmed
             UNION ALL
             SELECT 'otp_static.staticdevice/' || d.id FROM otp_static_staticdevice d
             WHERE d.user_id = u.id AND d.confirmed) AS scope_devices
"""  # noqa: S608  # nosec B608  # constant SQL: no value is formatted into it

# What only the pages need (the API's token authentication reads SCOPE_COLUMNS alone).
PAGE_COLUMNS = f"""
       ARRAY(SELECT fo.id || ':' || fo.mission_id || ':' || fo.name FROM accounts_fieldoffice fo
             WHERE fo.mission_id IN (
                 SELECT o.mission_id FROM accounts_membership m
                 JOIN accounts_fieldoffice o ON o.id = m.field_office_id
                 WHERE m.user_id = u.id AND {CURRENT_MEMBERSHIP})
             ORDER BY fo.name, fo.id) AS scope_mission_offices,
       (SELECT count(*) FROM (SELECT 1 FROM notifications_notification n
             WHERE n.recipient_id = u.id AND n.read_at IS NULL LIMIT 100) AS unread) AS scope_unread
"""  # noqa: S608  # nosec B608  # constant SQL: no value is formatted into it


def user_scope_prime(user: User) -> User:
    """Keep the scope columns the statement read on `user` (see User.scope_prime)."""
    row: Any = user  # Django sets a raw query's extra columns as attributes
    user.scope_prime(
        roles=row.scope_roles,
        office_ids=row.scope_offices,
        mission_ids=row.scope_missions,
        device_ids=row.scope_devices,
        mission_offices=getattr(row, "scope_mission_offices", None),
        unread=getattr(row, "scope_unread", None),
    )
    return user


def user_with_scope(user_id: Any) -> User | None:
    sql = f"SELECT u.*, {SCOPE_COLUMNS}, {PAGE_COLUMNS} FROM accounts_user u WHERE u.id = %s"  # noqa: S608  # nosec B608
    found = list(User.objects.raw(sql, [user_id]))
    return user_scope_prime(found[0]) if found else None

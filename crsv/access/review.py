"""The access review (issue 12, item 2): every user with her roles, field offices (and their end
dates), what the apps say she holds (per-case grants, a provider organisation: the columns of
crsv.registry), her last activity, whether her second factor is enrolled, and whether she is
active. For the mission's periodic review of who may do what; the CSV export is review_export.

Who: the `REVIEW_ACCESS` capability (administrators, and auditors for oversight). Not scoped by
mission: administrators manage every account. Nothing here is survivor data (counts of grants,
never which cases).

Cost: one query for the users (roles, offices and second factor as subqueries of the same
statement) and one per registered column, whatever the number of users.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Greatest, JSONObject

from crsv.accounts.models import (
    ApiToken,
    AuthenticatorDevice,
    FieldOffice,
    Membership,
    User,
    membership_current_q,
)
from crsv.accounts.roles import Capability, role_label
from crsv.registry import AccessReviewColumn, access_review_columns


@dataclass(frozen=True)
class ReviewFilter:
    """Narrow the review: one role, one field office, active or inactive accounts only."""

    role: str = ""
    office: FieldOffice | None = None
    active: bool | None = None

    def described(self) -> dict[str, Any]:
        """The filter by names, as the export's audit row keeps it."""
        office = self.office
        return {
            "role": self.role or None,
            "office": f"{office.mission.code}-{office.code}" if office is not None else None,
            "active": self.active,
        }


@dataclass(frozen=True)
class OfficeHeld:
    label: str  # MISSION-CODE, as the audit trail names offices
    name: str
    ends_on: date | None
    ended: bool  # past its end date: out of her scope already, deleted by the next hourly run


@dataclass(frozen=True)
class ReviewRow:
    id: int
    public_id: UUID
    username: str
    full_name: str
    is_active: bool
    is_superuser: bool
    roles: list[str]
    offices: list[OfficeHeld]
    two_factor: bool
    last_active_at: datetime | None  # activity, sign-in or API token, the latest
    last_login: datetime | None
    date_joined: datetime
    # The registered columns' values, in `review_columns()` order.
    extra: list[object] = field(default_factory=list)

    @property
    def role_labels(self) -> list[str]:
        return [role_label(name) for name in self.roles]


def access_review_allowed(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.can(Capability.REVIEW_ACCESS))


def access_review_authorize(user: Any) -> None:
    """PermissionDenied unless `user` may see the access review (and export it)."""
    if not access_review_allowed(user):
        raise PermissionDenied


def review_columns() -> list[AccessReviewColumn]:
    """The columns the apps registered, in their order."""
    return sorted(access_review_columns.values(), key=lambda column: (column.order, column.name))


def _users(filters: ReviewFilter) -> QuerySet[User]:
    offices = (
        Membership.objects.filter(user=OuterRef("pk"))
        .order_by("field_office__mission__code", "field_office__code")
        .values(
            json=JSONObject(
                mission="field_office__mission__code",
                code="field_office__code",
                name="field_office__name",
                ends_on="ends_on",
                current=ExpressionWrapper(membership_current_q(), output_field=BooleanField()),
            )
        )
    )
    last_token = ApiToken.objects.filter(user=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    users = User.objects.annotate(
        # Her last sign of life: activity (written at most every 5 minutes), a browser sign-in, or
        # an API token issued (a bearer client's sign-in, crsv.accounts.activity).
        review_last_seen=Greatest(
            "last_active_at", "last_login", Subquery(last_token, output_field=DateTimeField())
        ),
        review_roles=ArraySubquery(Group.objects.filter(user=OuterRef("pk")).order_by("name").values("name")),
        review_offices=ArraySubquery(offices),
        review_two_factor=Exists(AuthenticatorDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
    ).only(
        "id",
        "public_id",
        "username",
        "first_name",
        "last_name",
        "is_active",
        "is_superuser",
        "last_active_at",
        "last_login",
        "date_joined",
    )
    if filters.role:
        users = users.filter(
            Exists(User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name=filters.role))
        )
    if filters.office is not None:
        users = users.filter(
            Exists(Membership.objects.filter(user=OuterRef("pk"), field_office=filters.office))
        )
    if filters.active is not None:
        users = users.filter(is_active=filters.active)
    return users.order_by("username")


def _row(user: Any, extra: list[object]) -> ReviewRow:
    return ReviewRow(
        id=user.pk,
        public_id=user.public_id,
        username=user.username,
        full_name=user.get_full_name(),
        is_active=user.is_active,
        is_superuser=user.is_superuser,
        roles=list(user.review_roles),
        offices=[
            OfficeHeld(
                label=f"{office['mission']}-{office['code']}",
                name=office["name"],
                ends_on=date.fromisoformat(office["ends_on"]) if office["ends_on"] else None,
                ended=not office["current"],
            )
            for office in user.review_offices
        ],
        two_factor=user.review_two_factor,
        last_active_at=user.review_last_seen,
        last_login=user.last_login,
        date_joined=user.date_joined,
        extra=extra,
    )


def access_review_rows(
    *, user: Any, filters: ReviewFilter, after: str = "", limit: int | None = None
) -> list[ReviewRow]:
    """The review's rows, by username: every user matching `filters`, or (`after`, `limit`) the
    next `limit` after the username `after` (the export reads in such chunks). 1 + one query
    per registered column."""
    access_review_authorize(user)
    users = _users(filters)
    if after:
        users = users.filter(username__gt=after)
    found = list(users[:limit] if limit is not None else users)
    if not found:
        return []
    ids = [found_user.pk for found_user in found]
    columns = review_columns()
    values = [column.values(ids) for column in columns]
    return [
        _row(
            found_user,
            [held.get(found_user.pk, column.empty) for column, held in zip(columns, values, strict=True)],
        )
        for found_user in found
    ]

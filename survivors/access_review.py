"""The access review's column of survivors (crsv.registry.AccessReviewColumn): how many cases
each user holds a live per-case grant on. A count only: which cases is not the reviewer's
business (an administrator sees no survivor data), and the case pages list their grants."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db.models import Count, Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from crsv.registry import AccessReviewColumn, access_review_column_register
from survivors.models import SurvivorUserObjectPermission


def survivor_grant_counts(user_ids: Sequence[int]) -> Mapping[int, int]:
    """{user id: cases granted to her, unexpired} for those of `user_ids` who hold any; one query."""
    live = Q(expires_at__isnull=True) | Q(expires_at__gt=Now())
    rows = (
        SurvivorUserObjectPermission.objects.filter(live, user_id__in=list(user_ids))
        .values("user_id")
        .annotate(cases=Count("content_object_id", distinct=True))
        .order_by()
    )
    return {row["user_id"]: row["cases"] for row in rows}


def survivor_access_review_register() -> None:
    access_review_column_register(
        AccessReviewColumn(
            name="survivors.grants", label=_("Case grants"), values=survivor_grant_counts, empty=0, order=10
        )
    )

"""The 72-hour window for post-rape care, and the cases inside it without accepted medical care.

Post-exposure prophylaxis and emergency contraception work only if begun within 72 hours of a
rape. A survivor linked to an incident with a violation of form rape is **inside the window
until 72 hours after the end of the incident's latest possible day**, that day taken in the time
zone of the incident's field office:

- day precision: the incident's day (start = end);
- month precision ("March 2026"): the month's last day, whatever the end date holds;
- a date range: its last day (`incident_date_end`);
- no date at all: not in the window (an incident of unknown date cannot prove the window open,
  and alerting on every undated case would drown the ones that matter).

So an incident of 1 March 2026 in Goma (UTC+2) closes its window at 2 March 00:00 + 72 h, that
is 4 March 2026 22:00 UTC. A case linked to several rape incidents is in the window until the
latest of their ends.

The rule is written once, in SQL (`RapeWindowEnd`), so that the home page counts, the case list
filters and the beat task selects with the same expression, in the database, over any number of
cases. Survivors imports no referrals: "accepted medical care" is reached through the referrals'
foreign key to the case (`referrals__`), as the consent ledger reaches the directory's providers,
and `tests/referrals/test_clocks.py` holds the state names below to the referrals' workflow.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import DateTimeField, F, Func, Max, OuterRef, Q, QuerySet, Subquery, Value

from incidents.models import Violation
from survivors.models import Consent, Survivor, SurvivorIncident

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

RAPE_WINDOW = timedelta(hours=72)
RAPE_FORM = Violation.Form.RAPE
MEDICAL_SERVICE = Consent.ServiceType.MEDICAL
# A referral the provider has accepted (or begun, or completed): medical care is under way.
MEDICAL_CARE_ACCEPTED_STATES = ("accepted", "in_progress", "completed")


class RapeWindowEnd(Func):
    """The instant an incident's 72-hour window closes (timestamptz), or NULL without dates:
    the day after its latest possible day, at 00:00 in `time_zone`, plus 72 hours.

    Built from four expressions: the incident's date precision, start, end and time-zone name
    (`RapeWindowEnd.of_incident("incident__")` for those columns through a relation)."""

    output_field = DateTimeField()

    def __init__(self, precision: Any, start: Any, end: Any, time_zone: Any) -> None:
        super().__init__(precision, start, end, time_zone)

    @classmethod
    def of_incident(cls, prefix: str = "") -> RapeWindowEnd:
        return cls(
            F(f"{prefix}date_precision"),
            F(f"{prefix}incident_date_start"),
            F(f"{prefix}incident_date_end"),
            F(f"{prefix}field_office__time_zone"),
        )

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        parts = [compiler.compile(expression) for expression in self.get_source_expressions()]
        (precision, p1), (start, p2), (end, p3), (zone, p4) = parts
        # `::timestamp AT TIME ZONE zone`: that local midnight as an instant (DST-proof).
        sql = (
            f"(((CASE WHEN {precision} = 'month' "
            f"THEN (date_trunc('month', ({start})::timestamp) + interval '1 month')::date "
            f"ELSE ({end})::date + 1 END)::timestamp AT TIME ZONE {zone}) "
            f"+ make_interval(hours => {int(RAPE_WINDOW.total_seconds() // 3600)}))"
        )
        return sql, (*p1, *p2, *p3, *p4)


def rape_window_end_subquery() -> Subquery:
    """For each Survivor row of the outer query: when her latest 72-hour window closes (the
    latest among her linked rape incidents), NULL when none has a date."""
    ends = (
        SurvivorIncident.objects.filter(survivor=OuterRef("pk"), incident__violations__form=RAPE_FORM)
        .order_by()
        .values("survivor")
        .annotate(end=Max(RapeWindowEnd.of_incident("incident__")))
        .values("end")
    )
    return Subquery(ends, output_field=DateTimeField())


def survivors_with_window_end(rows: QuerySet[Survivor]) -> QuerySet[Survivor]:
    """`rows` annotated with `rape_window_ends_at` (None: never in a window)."""
    return rows.annotate(rape_window_ends_at=rape_window_end_subquery())


def in_rape_window_q(now: datetime) -> Q:
    """Survivor rows inside a 72-hour window at `now` (a filter usable in an aggregate)."""
    # No window can be open on an incident whose every possible day ended more than 72 hours
    # ago: a month-precision incident's last day is within 31 days of its start, a dated one's is
    # its end. This bound (an index range on the dates) keeps the per-row expression to the last
    # few weeks' incidents instead of the mission's whole history.
    today = now.date()
    recent = Q(incident__incident_date_end__gte=today - timedelta(days=4)) | Q(
        incident__incident_date_start__gte=today - timedelta(days=35)
    )
    open_links = (
        SurvivorIncident.objects.filter(recent, incident__violations__form=RAPE_FORM)
        .annotate(window_end=RapeWindowEnd.of_incident("incident__"))
        .filter(window_end__gt=Value(now, output_field=DateTimeField()))
        .values("survivor_id")
    )
    return Q(pk__in=open_links)


def medical_care_accepted_q() -> Q:
    """Survivor rows with a medical referral the provider accepted (or began, or completed)."""
    cared = Survivor.objects.filter(
        referrals__service_type=MEDICAL_SERVICE, referrals__state__in=MEDICAL_CARE_ACCEPTED_STATES
    ).values("pk")
    return Q(pk__in=cared)


def awaiting_medical_care_q(now: datetime) -> Q:
    """Survivor rows inside a 72-hour window at `now` with no accepted medical care (erased
    cases left out: nothing is left to do on them). The home line and the case list's
    `?assignment=medical_window` filter."""
    return in_rape_window_q(now) & ~medical_care_accepted_q() & Q(erased_at__isnull=True)

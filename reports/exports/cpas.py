"""CPAS-style indicators for one fixed period (issue 13 item 5), from the statistics layer.

Each indicator is a value (an average or a share) and the count it rests on. Every count goes
through disclosure control; a value whose count is not published ("<5" or withheld) is withheld
too, since an average or a share of a few cases tells about those cases. A share's numerator is
suppressed with its complement (e.g. verified and not verified, of the incidents), so the share
cannot reveal a small count either.

- time to referral: average hours from sending to acceptance, and to completion, by service type;
- verification: the share of incidents verified, and the average days from report to verification;
- alert response: the average minutes from reception to acknowledgement, and to dispatch;
- the share of rape incidents with a linked survivor who reached medical care within 72 hours.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from referrals.models import ServiceType
from reports.disclosure import WITHHELD, Period, Published, suppression_legend
from reports.exports.controlled import counts_controlled, is_shown
from reports.exports.tables import Cell, Column, ExportData, Table
from reports.statistics import StatisticsFilter, StatisticsScope, statistics_load

MEASURES = (
    "incidents",
    "verification",
    "verification_delay",
    "referrals",
    "referral_accepted",
    "referral_accept_minutes",
    "referral_completed",
    "referral_complete_minutes",
    "alerts",
    "alert_acknowledged",
    "alert_ack_minutes",
    "alert_dispatched",
    "alert_dispatch_minutes",
    "rape_care",
)


def columns() -> list[Column]:
    return [
        Column("indicator", _("Indicator")),
        Column("label", _("Meaning")),
        Column("service_type", _("Service type")),
        Column("value", _("Value")),
        Column("unit", _("Unit")),
        Column("based_on", _("Based on (count)")),
    ]


def _value(amount: float, count: Published, divisor: float = 1) -> Cell:
    """`amount / count / divisor` rounded, if the count is published and not 0; else withheld."""
    if not is_shown(count):
        return WITHHELD
    return round(amount / int(count) / divisor, 1) if count else None


def _share(part: int, whole: int) -> tuple[Cell, Published]:
    """The share of `part` in `whole` (percent) and the whole, both through suppression."""
    shown, total = counts_controlled({"part": part, "rest": whole - part})
    if not (is_shown(shown["part"]) and is_shown(total)):
        return WITHHELD, total
    return (round(100 * part / whole, 1) if whole else None), total


def _referral_rows(stats: Any) -> list[list[Cell]]:
    types = [value for value, _label in ServiceType.choices]
    labels = dict(ServiceType.choices)
    sent, _sent_total = counts_controlled({t: stats.total("referrals", t) for t in types})
    accepted, _a = counts_controlled({t: stats.total("referral_accepted", t) for t in types})
    completed, _c = counts_controlled({t: stats.total("referral_completed", t) for t in types})
    rows: list[list[Cell]] = []
    for t in types:
        label = str(labels[t])
        rows.append(["referrals_sent", _("Referrals sent"), label, sent[t], _("referrals"), sent[t]])
        accept_hours = _value(stats.total("referral_accept_minutes", t), accepted[t], 60)
        rows.append(
            [
                "referral_accept_hours",
                _("Average time from sending to acceptance"),
                label,
                accept_hours,
                _("hours"),
                accepted[t],
            ]
        )
        complete_hours = _value(stats.total("referral_complete_minutes", t), completed[t], 60)
        rows.append(
            [
                "referral_complete_hours",
                _("Average time from sending to completion"),
                label,
                complete_hours,
                _("hours"),
                completed[t],
            ]
        )
    return rows


def _incident_rows(stats: Any) -> list[list[Cell]]:
    incidents = stats.total("incidents")
    verified_share, based_on = _share(stats.total("verification", "verified"), incidents)
    delay_count = stats.total("verification_delay", "n")
    delays, _total = counts_controlled({"n": delay_count})
    delay_days = _value(stats.total("verification_delay", "days"), delays["n"])
    linked = stats.total("rape_care", "linked")
    care_share, care_based_on = _share(stats.total("rape_care", "medical_72h"), linked)
    return [
        ["verification_rate", _("Incidents verified"), "", verified_share, _("percent"), based_on],
        [
            "verification_delay_days",
            _("Average time from report to verification"),
            "",
            delay_days,
            _("days"),
            delays["n"],
        ],
        [
            "rape_medical_care_72h",
            _("Rape incidents whose survivor reached medical care within 72 hours"),
            "",
            care_share,
            _("percent"),
            care_based_on,
        ],
    ]


def _alert_rows(stats: Any) -> list[list[Cell]]:
    alerts = stats.total("alerts")
    shown, total = counts_controlled(
        {
            "acknowledged": stats.total("alert_acknowledged"),
            "not_acknowledged": alerts - stats.total("alert_acknowledged"),
        }
    )
    dispatched, _t = counts_controlled(
        {
            "dispatched": stats.total("alert_dispatched"),
            "not_dispatched": alerts - stats.total("alert_dispatched"),
        }
    )
    return [
        ["alerts", _("Alerts received"), "", total, _("alerts"), total],
        [
            "alert_ack_minutes",
            _("Average time from reception to acknowledgement"),
            "",
            _value(stats.total("alert_ack_minutes"), shown["acknowledged"]),
            _("minutes"),
            shown["acknowledged"],
        ],
        [
            "alert_dispatch_minutes",
            _("Average time from reception to dispatch of a response"),
            "",
            _value(stats.total("alert_dispatch_minutes"), dispatched["dispatched"]),
            _("minutes"),
            dispatched["dispatched"],
        ],
    ]


def notes(period: str) -> list[str]:
    return [
        _("Indicators for %(period)s, from the statistics of the incidents, referrals and alerts that count.")
        % {"period": period},
        _(
            "A value resting on a count that is not published is withheld; a share is withheld when "
            "its part or the rest is not published."
        ),
        *suppression_legend(),
    ]


def cpas_export(*, user: Any, scope: StatisticsScope, period: Period) -> ExportData:
    """The indicators of `period` in `scope`."""
    stats = statistics_load(
        scope, StatisticsFilter(month_from=period.first_month, month_to=period.last_month), measures=MEASURES
    )
    rows: Sequence[list[Cell]] = [*_incident_rows(stats), *_referral_rows(stats), *_alert_rows(stats)]
    table = Table(name="indicators", title=_("Indicators"), columns=columns(), rows=list(rows))
    return ExportData(
        kind="cpas",
        period=str(period),
        title=_("CPAS indicators"),
        notes=notes(str(period)),
        tables=[table],
        row_count=len(rows),
    )

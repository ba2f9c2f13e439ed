from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Statistics and safe sharing (DESIGN §6): the rollups every count, chart and export reads,
    the dashboards, the disclosure control and the exports. The top layer: it reads incidents,
    survivors and referrals; none of them imports it."""

    name = "reports"

    def ready(self) -> None:
        # A consent recorded or withdrawn moves the survivor's statistics flag in the same
        # transaction (survivors announces it through the platform's registry).
        from crsv.registry import consent_recorded_subscribe
        from reports.consent_flags import consent_flag_refresh_for

        consent_recorded_subscribe("reports.consent_flag", consent_flag_refresh_for)

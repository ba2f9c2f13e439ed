from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"

    def ready(self) -> None:
        # What incidents adds to the platform's commands and home page's "What needs you now":
        # the platform imports no app (crsv.registry).
        from crsv.registry import DemoData, HomeLines, demo_data_register, home_lines_register
        from incidents.alert_home_lines import alert_lines
        from incidents.demo import EXTRA_USERS, incidents_demo_ensure
        from incidents.home_lines import incident_lines

        home_lines_register(HomeLines(name="incidents", order=10, lines=incident_lines))
        # Early-warning alerts first: they are the most urgent thing a WPA can be shown.
        home_lines_register(HomeLines(name="alerts", order=5, lines=alert_lines))

        demo_data_register(
            DemoData(
                name="incidents",
                ensure=incidents_demo_ensure,
                usernames=[user[0] for user in EXTRA_USERS],
            )
        )

        # What incidents notify (the outbox's kinds; incidents.notifications).
        from incidents.alert_notifications import alert_notification_kinds_register
        from incidents.notifications import incident_notification_kinds_register

        incident_notification_kinds_register()
        alert_notification_kinds_register()

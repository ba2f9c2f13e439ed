from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"

    def ready(self) -> None:
        # What incidents adds to the platform's commands and home page's "What needs you now":
        # the platform imports no app (crsv.registry).
        from crsv.registry import DemoData, HomeLines, demo_data_register, home_lines_register
        from incidents.demo import EXTRA_USERS, incidents_demo_ensure
        from incidents.home_lines import incident_lines

        home_lines_register(HomeLines(name="incidents", order=10, lines=incident_lines))

        demo_data_register(
            DemoData(
                name="incidents",
                ensure=incidents_demo_ensure,
                usernames=[user[0] for user in EXTRA_USERS],
            )
        )

        # What incidents notify (the outbox's kinds; incidents.notifications).
        from incidents.notifications import incident_notification_kinds_register

        incident_notification_kinds_register()

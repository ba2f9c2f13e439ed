from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"

    def ready(self) -> None:
        # What incidents adds to the platform's commands: the platform imports no app (crsv.registry).
        from crsv.registry import DemoData, demo_data_register
        from incidents.demo import EXTRA_USERS, incidents_demo_ensure

        demo_data_register(
            DemoData(
                name="incidents",
                ensure=incidents_demo_ensure,
                usernames=[user[0] for user in EXTRA_USERS],
            )
        )

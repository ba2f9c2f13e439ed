from django.apps import AppConfig


class SurvivorsConfig(AppConfig):
    name = "survivors"

    def ready(self) -> None:
        # What survivors adds to the platform's pages: the platform imports no app (crsv.registry).
        from crsv.registry import DemoData, HomePanel, demo_data_register, home_panel_register
        from survivors.demo import survivors_demo_ensure
        from survivors.panels import break_glass_panel

        home_panel_register(
            HomePanel(
                name="survivors.break_glass",
                template_name="survivors/home_break_glass.html",
                context=break_glass_panel,
            )
        )
        from crsv.registry import HomeLines, home_lines_register
        from survivors.home_lines import survivor_lines

        home_lines_register(HomeLines(name="survivors", order=20, lines=survivor_lines))
        # The 72-hour clock's escalation (survivors/clock_notifications.py).
        from crsv.notifications.registry import notification_kind_register
        from survivors.clock_notifications import MEDICAL_WINDOW_KIND

        notification_kind_register(MEDICAL_WINDOW_KIND)
        # After the incidents' demo (INSTALLED_APPS order): the cases link its incidents.
        demo_data_register(DemoData(name="survivors", ensure=survivors_demo_ensure))

        # What survivor cases notify (the outbox's kinds; survivors.notifications).
        from survivors.notifications import survivor_notification_kinds_register

        survivor_notification_kinds_register()

        # The access review's column: live per-case grants per user (survivors.access_review).
        from survivors.access_review import survivor_access_review_register

        survivor_access_review_register()

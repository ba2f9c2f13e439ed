from django.apps import AppConfig


class SurvivorsConfig(AppConfig):
    name = "survivors"

    def ready(self) -> None:
        # What survivors adds to the platform's pages: the platform imports no app (crsv.registry).
        from crsv.registry import HomePanel, home_panel_register
        from survivors.panels import break_glass_panel

        home_panel_register(
            HomePanel(
                name="survivors.break_glass",
                template_name="survivors/home_break_glass.html",
                context=break_glass_panel,
            )
        )

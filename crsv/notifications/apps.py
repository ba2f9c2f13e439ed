from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "crsv.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # A senior WPA's failed deliveries on the home page's "What needs you now".
        from crsv.notifications.home_lines import notification_lines_register

        notification_lines_register()

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "crsv.notifications"
    label = "notifications"
    verbose_name = "Notifications"

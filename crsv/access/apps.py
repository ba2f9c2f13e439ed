from django.apps import AppConfig


class AccessConfig(AppConfig):
    """The access administration (crsv/access/): its beat tasks and the notification it sends."""

    name = "crsv.access"
    label = "access"
    verbose_name = "Access administration"

    def ready(self) -> None:
        from crsv.access.idle import IDLE_DEACTIVATED_KIND
        from crsv.notifications.registry import notification_kind_register

        notification_kind_register(IDLE_DEACTIVATED_KIND)

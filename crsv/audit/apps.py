from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "crsv.audit"
    label = "audit"
    verbose_name = "Audit"

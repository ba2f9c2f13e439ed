from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "crsv.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        # The platform's production checks (session timeouts, second factor: crsv/checks.py)
        # are registered here, by the platform app that answers for what an auditor relies on.
        from crsv.checks import production_checks_register

        production_checks_register()

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "crsv.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from crsv.accounts import receivers  # noqa: F401  (connects the login/logout receivers)
        from crsv.accounts.api import schema  # noqa: F401  (registers the OpenAPI auth schemes)
        from crsv.accounts.home_lines import platform_lines_register
        from crsv.accounts.invitation_emails import invitation_kind_register

        platform_lines_register()  # an administrator's and an auditor's home-page lines
        invitation_kind_register()  # the invitation e-mail (notification kind user.invitation)

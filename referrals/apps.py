from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"

    def ready(self) -> None:
        # Withdrawal revokes: survivors announces it through the platform's registry (it may not
        # import referrals), in the withdrawing transaction.
        from crsv.registry import consent_withdrawn_subscribe
        from referrals.services.revocation import referrals_revoke_for_consent

        consent_withdrawn_subscribe("referrals.revoke", referrals_revoke_for_consent)

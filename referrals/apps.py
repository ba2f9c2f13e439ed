from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"

    def ready(self) -> None:
        # Withdrawal revokes: survivors announces it through the platform's registry (it may not
        # import referrals), in the withdrawing transaction.
        from crsv.registry import consent_withdrawn_subscribe
        from referrals.services.revocation import referrals_revoke_for_consent

        consent_withdrawn_subscribe("referrals.revoke", referrals_revoke_for_consent)

        # What referrals adds to the platform's pages (the platform and survivors import no
        # referrals): the home panels, and the case page's referrals with "Refer".
        from crsv.registry import CasePageSection, HomePanel, case_page_section_register, home_panel_register
        from referrals.panels import case_referrals_section, due_soon_panel, provider_new_panel

        home_panel_register(
            HomePanel(
                name="referrals.new", template_name="referrals/home_new.html", context=provider_new_panel
            )
        )
        home_panel_register(
            HomePanel(name="referrals.due", template_name="referrals/home_due.html", context=due_soon_panel)
        )
        from crsv.registry import HomeLines, home_lines_register
        from referrals.home_lines import referral_lines

        home_lines_register(HomeLines(name="referrals", order=30, lines=referral_lines))
        case_page_section_register(
            CasePageSection(
                name="referrals.case",
                template_name="referrals/case_section.html",
                context=case_referrals_section,
            )
        )

        # The overdue clock's reminder and escalation (referrals/reminders.py).
        from referrals.reminders import referral_reminder_kinds_register

        referral_reminder_kinds_register()

        # The demo providers and referrals, after the survivors' demo (INSTALLED_APPS order).
        from crsv.registry import DemoData, demo_data_register
        from referrals.demo import EXTRA_USERNAMES, referrals_demo_ensure

        demo_data_register(
            DemoData(name="referrals", ensure=referrals_demo_ensure, usernames=EXTRA_USERNAMES)
        )

        # What referrals notifies (the outbox's kinds; referrals.notifications).
        from referrals.notifications import referral_notification_kinds_register

        referral_notification_kinds_register()

        # The one-time answer links in the e-mails to providers' contact addresses.
        from referrals.link_emails import link_emails_register

        link_emails_register()

        # The access review's column: a provider user's organisation (referrals.access_review).
        from referrals.access_review import referral_access_review_register

        referral_access_review_register()

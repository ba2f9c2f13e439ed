"""The canary (issue 11, tests): a case whose every identifying field, note, referral note,
reasons and linked narrative are unique strings; every kind of notification the apps send is
triggered through the real services and delivered through a real local SMTP server; none of the
bytes it received holds a canary, nor the case's pseudonymous code."""

from __future__ import annotations

from collections.abc import Callable
from email import message_from_bytes, policy
from typing import Any

import pytest

from crsv.accounts.models import User
from crsv.accounts.roles import Role
from crsv.notifications.models import Notification
from crsv.notifications.tasks import notification_sweep
from incidents import services as incident_services
from referrals.models import ProviderMembership, Referral, ServiceProvider
from referrals.services import referral_accept, referral_cancel, referral_decline
from survivors.identity import SurvivorIdentity
from survivors.models import Consent, Survivor
from survivors.services import (
    SurvivorProfile,
    consent_withdraw,
    survivor_assign,
    survivor_break_glass,
    survivor_register,
)
from tests import smtp_sink
from tests.factories import UserFactory
from tests.incidents.factories import LocationFactory, incident_in_state
from tests.smtp_sink import SinkHandler

pytestmark = pytest.mark.django_db

smtp = smtp_sink.smtp  # the real local SMTP server

CANARIES = {
    "name": "Canaryname Qzxwy",
    "phone": "+243 971 424 242",
    "address": "Canaryvillage Qzxwv",
    "caregiver": "Canarycaregiver Qzxwu",
    "safe_contact_method": "Canarycontact Qzxwt",
    "safe_contact_times": "Canarytimes Qzxws",
    "notes": "Canarynote Qzxwr",
}
TEXT_CANARIES = {
    "narrative": "Canarynarrative Qzxwq",
    "referral_note": "Canaryreferralnote Qzxwp",
    "decline_reason": "Canarydecline Qzxwo",
    "cancel_reason": "Canarycancel Qzxwn",
    "break_glass_reason": "Canarybreakglass Qzxwm, a safety report.",
    "return_reason": "Canaryreturn Qzxwl",
}
ALL_KINDS = {
    "referral.sent",
    "referral.accepted",
    "referral.declined",
    "referral.cancelled",
    "referral.revoked",
    "survivor.assigned",
    "survivor.break_glass",
    "incident.returned",
}


def _with_address(user: User) -> User:
    user.email = f"{user.username}@example.org"
    user.save()
    return user


@pytest.fixture
def everything(
    office: Any,
    other_office: Any,
    wpa: User,
    senior_wpa: User,
    reporter: User,
    hospital: ServiceProvider,
    consent: Callable[..., Consent],
) -> Survivor:
    """Every kind of notification, about one canary case and an incident of its office."""
    provider_user = _with_address(
        UserFactory(username="hospital_user", roles=[Role.PROVIDER], offices=[office])
    )
    ProviderMembership.objects.create(user=provider_user, provider=hospital)
    hospital.contact_email = "referrals@heal.example"
    hospital.save()
    wpa2 = _with_address(UserFactory(username="wpa2", roles=[Role.WPA], offices=[office]))
    _with_address(UserFactory(username="senior_bunia", roles=[Role.SENIOR_WPA], offices=[other_office]))
    for user in (wpa, senior_wpa, reporter):
        _with_address(user)

    case = survivor_register(
        actor=wpa,
        field_office=office,
        identity=SurvivorIdentity(**CANARIES),
        profile=SurvivorProfile(sex=Survivor.Sex.FEMALE, age=24),
    )
    grant = consent(case)

    def refer() -> Referral:
        from referrals.services import referral_create

        return referral_create(
            actor=wpa,
            survivor=case,
            provider=hospital,
            service_type="medical",
            urgency=Referral.Urgency.EMERGENCY,
            note=TEXT_CANARIES["referral_note"],
            send=True,
        )

    referral_decline(actor=provider_user, referral=refer(), reason=TEXT_CANARIES["decline_reason"])
    second = refer()
    referral_accept(actor=provider_user, referral=second)
    referral_cancel(actor=senior_wpa, referral=second, reason=TEXT_CANARIES["cancel_reason"])
    refer()
    consent_withdraw(actor=wpa, consent=grant)  # revokes the third

    survivor_assign(actor=senior_wpa, survivor=case, assignee=wpa2)
    survivor_break_glass(actor=senior_wpa, survivor=case, reason=TEXT_CANARIES["break_glass_reason"])

    incident = incident_in_state(
        "under_review",
        reporter=reporter,
        reviewer=wpa,
        location=LocationFactory(pcode="CD61", name="Nord-Kivu", admin_level=1),
        narrative=TEXT_CANARIES["narrative"],
    )
    incident_services.incident_return(actor=wpa, incident=incident, reason=TEXT_CANARIES["return_reason"])
    return case


def test_no_canary_reaches_the_smtp_server(everything: Survivor, smtp: SinkHandler) -> None:
    assert set(Notification.objects.values_list("kind", flat=True)) >= ALL_KINDS
    emailed = Notification.objects.filter(kind__in=ALL_KINDS).count()
    delivered = 0
    while handled := notification_sweep():
        delivered += handled
    assert delivered >= emailed
    assert len(smtp.messages) >= emailed  # every one of ours has an address: each was sent
    canaries = [*CANARIES.values(), *TEXT_CANARIES.values(), everything.code]
    for raw in smtp.messages:
        lowered = raw.lower()
        for canary in canaries:
            assert canary.encode() not in raw
            assert canary.split()[0].lower().encode() not in lowered
        # An encoded body (base64, quoted-printable) could hide one from the bytes: decode too.
        message = message_from_bytes(raw, policy=policy.default)
        for part in message.walk():
            if part.get_content_maintype() == "text":
                content = part.get_content().lower()  # type: ignore[attr-defined]
                for canary in canaries:
                    assert canary.split()[0].lower() not in content

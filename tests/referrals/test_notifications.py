"""What a referral notifies (issue 11, item 2): sent -> the provider's users and contact
address; accepted, declined, cancelled, revoked -> the case's WPA; each once, in the move's
transaction, nothing when the move is refused; the e-mails in English and French."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from crsv.accounts.models import User
from crsv.accounts.roles import Role
from crsv.notifications.delivery import notification_render
from crsv.notifications.models import Notification
from incidents.exceptions import TransitionNotAllowed
from referrals.models import ProviderMembership, Referral, ReferralEvent, ServiceProvider
from referrals.notifications import AnswerLink, _answer_links_sources, referral_answer_links_register
from referrals.services import (
    referral_accept,
    referral_cancel,
    referral_decline,
    referral_send,
    referral_start,
)
from survivors.models import Consent, Survivor
from survivors.services import consent_withdraw, survivor_assign
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _recipients(kind: str) -> list[str]:
    """Who got `kind`: usernames, then addresses."""
    rows = Notification.objects.filter(kind=kind).select_related("recipient").order_by("id")
    return [row.recipient.username if row.recipient else row.recipient_email for row in rows]


@pytest.fixture
def consented(case: Survivor, consent: Callable[..., Consent]) -> Survivor:
    consent(case)
    return case


@pytest.fixture
def sent(
    consented: Survivor,
    refer: Callable[..., Referral],
    provider: User,
    colleague: User,
    hospital: ServiceProvider,
) -> Referral:
    hospital.contact_email = "Referrals@HealAfrica.example"
    hospital.save()
    return refer(consented, send=True)


def test_a_sent_referral_notifies_the_providers_users_and_its_address_once(sent: Referral) -> None:
    assert _recipients("referral.sent") == ["provider", "provider2", "referrals@healafrica.example"]
    event = ReferralEvent.objects.get(referral=sent, action="send")
    keys = set(Notification.objects.values_list("idempotency_key", flat=True))
    assert all(key.startswith(f"referral.sent:{event.public_id}:") for key in keys)
    assert set(Notification.objects.values_list("object_public_id", flat=True)) == {sent.public_id}
    assert set(Notification.objects.values_list("mission_id", flat=True)) == {sent.survivor.mission_id}


def test_a_draft_notifies_no_one_until_sent(
    consented: Survivor, refer: Callable[..., Referral], wpa: User, provider: User
) -> None:
    draft = refer(consented)
    assert not Notification.objects.exists()
    referral_send(actor=wpa, referral=draft)
    assert _recipients("referral.sent") == ["provider"]


def test_a_refused_send_notifies_no_one(
    case: Survivor, refer: Callable[..., Referral], wpa: User, provider: User
) -> None:
    with pytest.raises(ValidationError):
        refer(case, send=True)  # no consent: nothing created, nothing notified
    draft = refer(case)
    with pytest.raises(ValidationError):
        referral_send(actor=wpa, referral=draft)
    assert not Notification.objects.exists()


def test_an_inactive_provider_user_gets_nothing(
    consented: Survivor, refer: Callable[..., Referral], provider: User, colleague: User
) -> None:
    colleague.is_active = False
    colleague.save()
    refer(consented, send=True)
    assert _recipients("referral.sent") == ["provider"]  # the hospital has no address: users only


def test_an_answer_notifies_the_author_and_the_assigned_wpa(
    sent: Referral, provider: User, senior_wpa: User, office: Any
) -> None:
    other_wpa = UserFactory(username="wpa2", roles=[Role.WPA], offices=[office])
    survivor_assign(actor=senior_wpa, survivor=sent.survivor, assignee=other_wpa)
    referral_accept(actor=provider, referral=sent)
    assert _recipients("referral.accepted") == ["wpa", "wpa2"]
    event = ReferralEvent.objects.get(referral=sent, action="accept")
    assert (
        Notification.objects.filter(kind="referral.accepted")
        .first()
        .idempotency_key.startswith(  # type: ignore[union-attr]
            f"referral.accepted:{event.public_id}:"
        )
    )


def test_a_decline_notifies_the_wpa_and_a_refused_answer_nothing(
    sent: Referral, provider: User, clinic_user: User, wpa: User
) -> None:
    with pytest.raises(ValidationError):
        referral_decline(actor=provider, referral=sent, reason="  ")  # a reason is required
    with pytest.raises(Http404):  # out of the clinic's scope
        referral_decline(actor=clinic_user, referral=sent, reason="Full.")
    assert _recipients("referral.declined") == []
    referral_decline(actor=provider, referral=sent, reason="No bed tonight.")
    assert _recipients("referral.declined") == ["wpa"]
    with pytest.raises(TransitionNotAllowed):  # declined already
        referral_decline(actor=provider, referral=sent, reason="Again.")
    assert _recipients("referral.declined") == ["wpa"]


def test_starting_notifies_no_one(sent: Referral, provider: User) -> None:
    referral_accept(actor=provider, referral=sent)
    before = Notification.objects.count()
    referral_start(actor=provider, referral=sent)
    assert Notification.objects.count() == before


def test_a_cancel_is_not_told_to_the_wpa_who_cancelled_it(
    sent: Referral, wpa: User, senior_wpa: User, provider: User
) -> None:
    with pytest.raises(PermissionDenied):
        referral_cancel(actor=provider, referral=sent, reason="Not ours.")
    referral_cancel(actor=wpa, referral=sent, reason="The survivor moved.")
    assert _recipients("referral.cancelled") == []


def test_a_senior_wpas_cancel_is_told_to_the_wpa(
    consented: Survivor, refer: Callable[..., Referral], senior_wpa: User, provider: User
) -> None:
    referral = refer(consented, send=True)
    referral_cancel(actor=senior_wpa, referral=referral, reason="Duplicate.")
    assert _recipients("referral.cancelled") == ["wpa"]


def test_a_withdrawal_revokes_and_tells_the_wpa_even_if_she_recorded_it(sent: Referral, wpa: User) -> None:
    consent_withdraw(actor=wpa, consent=sent.consent)  # type: ignore[arg-type]
    sent.refresh_from_db()
    assert sent.state == "revoked"
    assert _recipients("referral.revoked") == ["wpa"]


def test_the_send_queries_do_not_grow_with_the_recipients(
    consented: Survivor, refer: Callable[..., Referral], wpa: User, hospital: ServiceProvider, office: Any
) -> None:
    def queries_to_send(users: int) -> int:
        ProviderMembership.objects.all().delete()
        for n in range(users):
            user = UserFactory(username=f"p{users}-{n}", roles=[Role.PROVIDER], offices=[office])
            ProviderMembership.objects.create(user=user, provider=hospital)
        draft = refer(consented)
        with CaptureQueriesContext(connection) as queries:
            referral_send(actor=wpa, referral=draft)
        return len(queries)

    one, many = queries_to_send(1), queries_to_send(8)
    assert one == many
    assert Notification.objects.filter(kind="referral.sent").count() == 9


KINDS = ["referral.sent", "referral.accepted", "referral.declined", "referral.cancelled", "referral.revoked"]


@pytest.fixture
def every_kind(
    sent: Referral, provider: User, wpa: User, senior_wpa: User, refer: Callable[..., Referral]
) -> None:
    referral_decline(actor=provider, referral=sent, reason="No bed tonight.")
    second = refer(sent.survivor, send=True)
    referral_accept(actor=provider, referral=second)
    referral_cancel(actor=senior_wpa, referral=second, reason="Duplicate.")
    third = refer(sent.survivor, send=True)
    consent_withdraw(actor=wpa, consent=third.consent)  # type: ignore[arg-type]


@pytest.mark.usefixtures("every_kind")
@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_renders_with_its_reference_and_link(kind: str, language: str) -> None:
    notification = Notification.objects.filter(kind=kind).first()
    assert notification is not None
    notification.language = language
    referral = Referral.objects.get(public_id=notification.object_public_id)
    rendered = notification_render(notification)
    link = f"/referrals/{referral.public_id}/"
    assert referral.reference in rendered.subject
    for body in (rendered.text, rendered.html):
        assert referral.reference in body and link in body
        assert "HEAL Africa" in body
    with translation.override(language):
        opener = translation.gettext("Open it here (you will be asked to sign in):")
    assert opener in rendered.text
    assert f'<html lang="{language}">' in rendered.html


def test_the_french_e_mail_is_in_french(every_kind: None) -> None:
    """The referral's facts come in the recipient's language (the labels and the date format
    already translated); the e-mail's own sentences follow once the lead's French is in."""
    notification = Notification.objects.filter(kind="referral.sent").first()
    assert notification is not None
    english = notification_render(notification)
    notification.language = "fr"
    french = notification_render(notification)
    assert "Emergency" in english.text and "Medical" in english.text
    assert "Urgence" in french.text and "Médical" in french.text
    assert "Emergency" not in french.text
    # A French message reads its own catalogue: every sentence of the English body that the
    # catalogue translates is gone from the French one.
    with translation.override("fr"):
        for msgid in ["Reference:", "Provider:", "Open it here (you will be asked to sign in):"]:
            if translation.gettext(msgid) != msgid:
                assert translation.gettext(msgid) in french.text


def test_the_sent_e_mail_shows_the_answer_links_a_source_gives(sent: Referral) -> None:
    def one_time(notification: Notification) -> list[AnswerLink]:
        if notification.recipient_id is not None:
            return []
        return [AnswerLink(label="Accept", url="https://crsv.example/answer/abc/")]

    referral_answer_links_register("test.one_time", one_time)
    try:
        to_address = Notification.objects.get(kind="referral.sent", recipient__isnull=True)
        to_user = Notification.objects.filter(kind="referral.sent", recipient__isnull=False).first()
        rendered = notification_render(to_address)
        assert "Accept: https://crsv.example/answer/abc/" in rendered.text
        assert '<a href="https://crsv.example/answer/abc/">Accept</a>' in rendered.html
        assert to_user is not None and "answer/abc" not in notification_render(to_user).text
    finally:
        _answer_links_sources.pop("test.one_time", None)


def test_plain_text_and_subjects_are_not_html_escaped_and_html_is(sent: Referral) -> None:
    """A provider named "Centre d'écoute <Tumaini>" reads as such in the subject and the text
    part, and escaped in the HTML part."""
    ServiceProvider.objects.filter(pk=sent.provider_id).update(name="Centre d'écoute <Tumaini>")
    notifications = list(Notification.objects.filter(object_public_id=sent.public_id))
    assert notifications
    for notification in notifications:
        rendered = notification_render(notification)
        assert "&#x27;" not in rendered.subject + rendered.text
        assert "&lt;" not in rendered.subject + rendered.text
        assert "Centre d'écoute <Tumaini>" in rendered.text
        assert "Centre d&#x27;écoute &lt;Tumaini&gt;" in rendered.html


@pytest.mark.parametrize(
    ("languages", "expected"), [(["sw", "fr", "en"], "fr"), (["en"], "en"), (["sw"], "en")]
)
def test_the_contact_address_reads_the_providers_first_written_language(
    consented: Survivor,
    refer: Callable[..., Referral],
    hospital: ServiceProvider,
    languages: list[str],
    expected: str,
) -> None:
    hospital.contact_email = "intake@healafrica.example"
    hospital.languages = languages
    hospital.save()
    refer(consented, send=True)
    address = Notification.objects.get(kind="referral.sent", recipient_email="intake@healafrica.example")
    assert address.language == expected
    users = Notification.objects.filter(kind="referral.sent", recipient__isnull=False)
    assert all(row.language == "en" for row in users)  # users read their own language

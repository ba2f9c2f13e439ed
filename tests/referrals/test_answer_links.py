"""One-time answer links (issue 11 item 4): a provider without an account answers from the
e-mail. Used twice, expired, tampered, of another step or referral: a clear page and nothing
changed; the page shows no survivor value; the token is stored only hashed; audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.http import Http404
from django.test import Client
from django.utils import timezone

from crsv.audit.models import AuditEvent
from crsv.notifications.models import Notification
from referrals.models import LinkStep, Referral, ReferralAnswerLink, ReferralEvent, ServiceProvider
from referrals.permissions import LinkActor
from referrals.services import referral_accept, referral_cancel
from referrals.services.link_tokens import answer_link_issue, link_token, token_hash
from referrals.services.links import AnswerLinkRefused, answer_link_use
from survivors.models import Consent, Survivor

pytestmark = pytest.mark.django_db

CONTACT = "intake@heal-africa.example"
NOTE = "Canary note: she waits at the market gate"


@pytest.fixture
def sent(
    case: Survivor,
    consent: Callable[..., Consent],
    refer: Callable[..., Referral],
    hospital: ServiceProvider,
) -> Referral:
    """A referral sent to the hospital, which has a contact address (so an answer link)."""
    hospital.contact_email = CONTACT
    hospital.save()
    consent(case)
    return refer(case, send=True, note=NOTE)


def _token(referral: Referral, step: str = LinkStep.ANSWER) -> str:
    return link_token(ReferralAnswerLink.objects.get(referral=referral, step=step))


def _state(referral: Referral) -> str:
    return Referral.objects.values_list("state", flat=True).get(pk=referral.pk)


def test_sending_issues_one_answer_link_stored_hashed(sent: Referral) -> None:
    link = ReferralAnswerLink.objects.get(referral=sent)
    raw = link_token(link)
    assert link.step == LinkStep.ANSWER and link.used_at is None
    assert len(raw) == 43 and link.token_hash == token_hash(raw) != raw
    assert answer_link_issue(sent, LinkStep.ANSWER) == raw  # issued once per step
    with connection.cursor() as cursor:  # the raw token is in no column of the row
        cursor.execute(f"SELECT row_to_json(t)::text FROM {ReferralAnswerLink._meta.db_table} t")  # noqa: S608
        [(row,)] = cursor.fetchall()
    assert raw not in row and link.token_hash in row
    assert not Notification.objects.filter(idempotency_key__contains=raw).exists()


def test_no_contact_address_no_link(
    case: Survivor, consent: Callable[..., Consent], refer: Callable[..., Referral]
) -> None:
    consent(case)
    referral = refer(case, send=True)
    assert not ReferralAnswerLink.objects.filter(referral=referral).exists()


def test_get_shows_the_referral_and_the_choice_only(
    sent: Referral, client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(4):
        response = client.get(f"/r/{_token(sent)}/")
    assert response.status_code == 200
    body = response.content.decode()
    for shown in (sent.reference, "Medical", "Emergency", 'value="accept"', 'value="decline"'):
        assert shown in body
    for hidden in (NOTE, sent.survivor.code, "Esperance", CONTACT, "Safe contact"):
        assert hidden not in body
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert _state(sent) == Referral.State.SENT  # GET changes nothing
    assert ReferralAnswerLink.objects.get(referral=sent).used_at is None


def test_accept_by_link_uses_it_audits_and_sends_the_complete_link(
    sent: Referral, client: Client, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    token = _token(sent)
    response = client.post(f"/r/{token}/", {"action": "accept"})
    assert response.status_code == 200 and "accepted" in response.content.decode()
    assert _state(sent) == Referral.State.ACCEPTED
    link = ReferralAnswerLink.objects.get(referral=sent, step=LinkStep.ANSWER)
    assert link.used_at is not None and link.used_for == "accept"
    event = ReferralEvent.objects.get(referral=sent, action="accept")
    assert event.actor is None  # no user: the link's holder
    audit = AuditEvent.objects.get(action=AuditEvent.Action.REFERRAL_ANSWERED_BY_LINK)
    assert audit.actor is None and audit.object_public_id == sent.public_id
    assert audit.changes == {"action": "accept", "step": "answer", "link": str(link.public_id)}
    assert NOTE not in str(audit.changes) and token not in str(audit.changes)
    # The next step's link, e-mailed to the contact address.
    assert ReferralAnswerLink.objects.filter(referral=sent, step=LinkStep.COMPLETE, used_at=None).exists()
    assert Notification.objects.filter(kind="referral.complete_link", recipient_email=CONTACT).count() == 1


def test_used_twice_gets_a_clear_page_and_changes_nothing(sent: Referral, client: Client) -> None:
    token = _token(sent)
    assert client.post(f"/r/{token}/", {"action": "accept"}).status_code == 200
    events = ReferralEvent.objects.count()
    for response in (
        client.post(f"/r/{token}/", {"action": "decline", "reason": "x"}),
        client.get(f"/r/{token}/"),
    ):
        assert response.status_code == 410
        assert "already been used" in response.content.decode()
        assert response["Referrer-Policy"] == "no-referrer"
    assert _state(sent) == Referral.State.ACCEPTED and ReferralEvent.objects.count() == events


def test_expired(sent: Referral, client: Client) -> None:
    token = _token(sent)
    past = timezone.now() - timedelta(days=9)
    ReferralAnswerLink.objects.filter(referral=sent).update(
        created_at=past, expires_at=past + timedelta(days=8, hours=23, minutes=59)
    )
    for response in (client.get(f"/r/{token}/"), client.post(f"/r/{token}/", {"action": "accept"})):
        assert response.status_code == 410 and "expired" in response.content.decode()
    assert _state(sent) == Referral.State.SENT


def test_tampered_token_is_unknown(sent: Referral, client: Client) -> None:
    token = _token(sent)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for response in (client.get(f"/r/{tampered}/"), client.post(f"/r/{tampered}/", {"action": "accept"})):
        assert response.status_code == 404 and "not valid" in response.content.decode()
        assert "<html" in response.content.decode()  # the site's layout, not a bare error
    assert _state(sent) == Referral.State.SENT


def test_wrong_step_is_refused(sent: Referral, client: Client) -> None:
    response = client.post(f"/r/{_token(sent)}/", {"action": "complete"})
    assert response.status_code == 400 and "does not allow" in response.content.decode()
    assert _state(sent) == Referral.State.SENT
    assert ReferralAnswerLink.objects.get(referral=sent).used_at is None


def test_a_link_acts_on_its_own_referral_only(
    sent: Referral, case: Survivor, refer: Callable[..., Referral]
) -> None:
    other = refer(case, send=True)
    holder = LinkActor(referral_id=sent.pk, actions=frozenset({"accept", "decline"}))
    with pytest.raises(Http404):
        referral_accept(actor=holder, referral=other)
    assert _state(other) == Referral.State.SENT
    # And the two links differ: each opens its own referral.
    assert _token(other) != _token(sent)
    answer_link_use(_token(other), "accept")
    assert (_state(other), _state(sent)) == (Referral.State.ACCEPTED, Referral.State.SENT)


def test_decline_needs_a_reason_and_keeps_the_link(sent: Referral, client: Client) -> None:
    token = _token(sent)
    response = client.post(f"/r/{token}/", {"action": "decline", "reason": "  "})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert ReferralAnswerLink.objects.get(referral=sent).used_at is None
    response = client.post(f"/r/{token}/", {"action": "decline", "reason": "No bed free."})
    assert response.status_code == 200 and _state(sent) == Referral.State.DECLINED
    assert Referral.objects.get(pk=sent.pk).reason == "No bed free."


def test_overtaken_by_a_user_or_a_cancel(sent: Referral, client: Client, wpa: object) -> None:
    token = _token(sent)
    referral_cancel(actor=wpa, referral=sent, reason="Survivor moved.")
    response = client.post(f"/r/{token}/", {"action": "accept"})
    assert response.status_code == 410 and "moved on" in response.content.decode()
    assert client.get(f"/r/{token}/").status_code == 410
    assert _state(sent) == Referral.State.CANCELLED
    assert ReferralAnswerLink.objects.get(referral=sent).used_at is None


def test_complete_link_after_a_provider_user_accepts(
    sent: Referral, client: Client, provider: object
) -> None:
    referral_accept(actor=provider, referral=sent)
    assert client.get(f"/r/{_token(sent)}/").status_code == 410  # the answer link is overtaken
    token = _token(sent, LinkStep.COMPLETE)
    page = client.get(f"/r/{token}/")
    assert page.status_code == 200 and 'value="complete"' in page.content.decode()
    assert 'value="accept"' not in page.content.decode()
    assert client.post(f"/r/{token}/", {"action": "accept"}).status_code == 400
    response = client.post(f"/r/{token}/", {"action": "complete", "outcome": ""})
    assert response.status_code == 200 and _state(sent) == Referral.State.COMPLETED


def test_a_signed_in_user_gets_the_same_page(
    sent: Referral, login: Callable[..., Client], wpa: object
) -> None:
    response = login(wpa).get(f"/r/{_token(sent)}/")
    assert response.status_code == 200 and NOTE not in response.content.decode()


def test_csrf_is_checked(sent: Referral) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"/r/{_token(sent)}/", {"action": "accept"}).status_code == 403
    assert _state(sent) == Referral.State.SENT


def test_the_token_reaches_no_log(sent: Referral, client: Client, caplog: pytest.LogCaptureFixture) -> None:
    token = _token(sent)
    client.post(f"/r/{token}/", {"action": "accept"})
    client.post(f"/r/{token}/", {"action": "accept"})  # 410
    client.get(f"/r/{token}x/")  # 404
    assert token not in caplog.text


def test_refusals_are_domain_exceptions(sent: Referral) -> None:
    with pytest.raises(AnswerLinkRefused) as refused:
        answer_link_use("not-a-token", "accept")
    assert refused.value.status == 404 and refused.value.code == "unknown"

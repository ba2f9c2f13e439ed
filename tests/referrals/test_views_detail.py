"""The referral page and the moves posted from it (issue 10 item 6): the history, the buttons
each user may use now, the refusals mapped (a message beside the field with the input kept,
409 with the reason, 403, 404), and a provider's minimal view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from crsv.accounts.models import User
from crsv.audit.models import AccessEvent
from referrals.models import Referral, ReferralEvent
from survivors.models import Consent, Survivor
from tests.incidents.factories import LocationFactory, incident_in_state
from tests.survivors.test_api_common import link

pytestmark = pytest.mark.django_db

NAME = "Esperance Kavira"  # the `case` fixture's name (tests/survivors/conftest.py)
NARRATIVE = "Armed men entered the house at night."


@pytest.fixture
def sent(case: Survivor, consent: Callable[..., Consent], refer: Callable[..., Referral]) -> Referral:
    consent(case)
    return refer(case, note="Needs PEP within 72 hours.", send=True)


def url(referral: Referral) -> str:
    return f"/referrals/{referral.public_id}/"


def post(client: Client, referral: Referral, **data: str) -> Any:
    return client.post(f"{url(referral)}transition/", data)


def test_case_worker_sees_the_referral_its_history_and_her_buttons(
    login: Callable[[User], Client], wpa: User, sent: Referral
) -> None:
    response = login(wpa).get(url(sent))
    assert response.status_code == 200
    html = response.content.decode()
    assert sent.reference in html and "HEAL Africa" in html and "Needs PEP within 72 hours." in html
    assert [e.action for e in response.context["history"]] == ["create", "send"]
    assert list(response.context["action_forms"]) == ["cancel"]  # the provider's moves are not hers
    assert 'name="action" value="cancel"' in html and 'value="accept"' not in html
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]


def test_provider_reads_the_minimal_view_never_the_name_nor_the_narrative(
    login: Callable[[User], Client],
    wpa: User,
    reporter: User,
    provider: User,
    make_survivor: Callable[..., Survivor],
    consent: Callable[..., Consent],
    refer: Callable[..., Referral],
) -> None:
    case = make_survivor(
        wpa, phone="+243 970 000 001", safe_contact_method="Call her aunt", safe_contact_times="Mornings"
    )
    incident = incident_in_state(
        "under_review", reporter=reporter, reviewer=wpa, location=LocationFactory(), narrative=NARRATIVE
    )
    link(case, incident, wpa)
    consent(case)
    referral = refer(case, incident=incident, note="Bring her file.", send=True)
    response = login(provider).get(url(referral))
    assert response.status_code == 200
    html = response.content.decode()
    assert case.code in html and "Bring her file." in html and referral.reference in html
    assert NAME not in html and NARRATIVE not in html and incident.reference not in html
    assert "+243" not in html  # the phone
    assert "Call her aunt" not in html  # no sharing consent naming her organisation
    assert list(response.context["action_forms"]) == ["accept", "decline"]
    assert not AccessEvent.objects.filter(actor=provider).exists()

    consent(case, Consent.Purpose.SHARE_IDENTIFIABLE, provider=referral.provider)
    html = login(provider).get(url(referral)).content.decode()
    assert "Call her aunt" in html and "Mornings" in html and NAME not in html
    assert AccessEvent.objects.filter(actor=provider, survivor_public_id=case.public_id).count() == 1


def test_out_of_scope_is_404(
    login: Callable[[User], Client], sent: Referral, wpa_other: User, clinic_user: User, outsider: User
) -> None:
    for user in (wpa_other, clinic_user, outsider):
        client = login(user)
        assert client.get(url(sent)).status_code == 404
        assert post(client, sent, action="accept").status_code == 404
    assert Referral.objects.get().state == Referral.State.SENT


def test_not_a_uuid_is_404(login: Callable[[User], Client], wpa: User) -> None:
    assert login(wpa).get("/referrals/not-a-uuid/").status_code == 404


def test_provider_accepts_then_starts_then_completes(
    login: Callable[[User], Client], provider: User, sent: Referral
) -> None:
    client = login(provider)
    response = post(client, sent, action="accept")
    assert response.status_code == 302 and response["Location"] == url(sent)
    assert "Referral accepted." in client.get(url(sent)).content.decode()
    assert post(client, sent, action="start").status_code == 302
    assert post(client, sent, action="complete", outcome="PEP given.").status_code == 302
    sent.refresh_from_db()
    assert sent.state == Referral.State.COMPLETED and sent.outcome == "PEP given."
    assert list(sent.events.values_list("action", flat=True)) == [
        "create",
        "send",
        "accept",
        "start",
        "complete",
    ]


def test_decline_without_reason_is_refused_beside_the_field(
    login: Callable[[User], Client], provider: User, sent: Referral
) -> None:
    response = post(login(provider), sent, action="decline", reason="   ")
    assert response.status_code == 200
    form = response.context["action_forms"]["decline"]
    assert form.errors["reason"] == ["This field is required."]
    assert Referral.objects.get().state == Referral.State.SENT


def test_cancel_reason_too_long_keeps_the_input(
    login: Callable[[User], Client], wpa: User, sent: Referral
) -> None:
    typed = "x" * 5_001
    response = post(login(wpa), sent, action="cancel", reason=typed)
    assert response.status_code == 200
    form = response.context["action_forms"]["cancel"]
    assert "At most 5000 characters" in form.errors["reason"][0]
    assert typed in response.content.decode()
    assert Referral.objects.get().state == Referral.State.SENT


def test_an_illegal_move_is_409_with_the_reason(
    login: Callable[[User], Client], provider: User, colleague: User, sent: Referral
) -> None:
    assert post(login(provider), sent, action="accept").status_code == 302
    response = post(login(colleague), sent, action="accept")  # accepted meanwhile
    assert response.status_code == 409
    assert "not possible on a referral that is accepted" in response.content.decode()
    assert ReferralEvent.objects.filter(action="accept").count() == 1


def test_a_move_of_the_other_side_is_403(
    login: Callable[[User], Client], wpa: User, provider: User, sent: Referral
) -> None:
    assert post(login(wpa), sent, action="accept").status_code == 403
    assert post(login(provider), sent, action="cancel", reason="No.").status_code == 403
    assert Referral.objects.get().state == Referral.State.SENT


def test_unknown_action_is_400(login: Callable[[User], Client], wpa: User, sent: Referral) -> None:
    response = post(login(wpa), sent, action="revoke")
    assert response.status_code == 400
    assert "Unknown action." in response.content.decode()


def test_get_on_the_transition_url_is_405(login: Callable[[User], Client], wpa: User, sent: Referral) -> None:
    assert login(wpa).get(f"{url(sent)}transition/").status_code == 405


def test_sending_a_draft_without_consent_says_which_consent_and_sends_nothing(
    login: Callable[[User], Client], wpa: User, case: Survivor, refer: Callable[..., Referral]
) -> None:
    draft = refer(case)
    response = post(login(wpa), draft, action="send")
    assert response.status_code == 200
    errors = response.context["action_forms"]["send"].non_field_errors()
    assert "No referral consent in force for medical services with HEAL Africa" in errors[0]
    assert errors[0] in response.content.decode().replace("&#x27;", "'")
    assert Referral.objects.get().state == Referral.State.DRAFT


def test_sending_a_draft_with_consent(
    login: Callable[[User], Client],
    wpa: User,
    case: Survivor,
    consent: Callable[..., Consent],
    refer: Callable[..., Referral],
) -> None:
    draft = refer(case)
    consent(case)
    assert post(login(wpa), draft, action="send").status_code == 302
    assert Referral.objects.get().state == Referral.State.SENT


def test_anonymous_is_sent_to_sign_in(client: Client, sent: Referral) -> None:
    response = client.get(url(sent))
    assert response.status_code == 302 and "/login/" in response["Location"]

"""What an incident notifies (issue 11, item 2): a return -> its reporter, once, keyed by the
return's event; nothing on a refused return; the e-mail in English and French with the
reference and link, never the reason nor the narrative."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from crsv.accounts.models import User
from crsv.notifications.delivery import notification_render
from crsv.notifications.models import Notification
from incidents import services
from incidents.exceptions import PermissionDenied
from incidents.models import Incident, IncidentEvent

pytestmark = pytest.mark.django_db


def test_a_return_notifies_the_reporter_once(
    make_incident: Callable[..., Incident], reporter: User, wpa: User
) -> None:
    incident = make_incident("under_review", reporter=reporter)
    services.incident_return(actor=wpa, incident=incident, reason="The location is unclear.")
    event = IncidentEvent.objects.filter(incident=incident, action="return").get()
    [notification] = Notification.objects.all()
    assert notification.kind == "incident.returned" and notification.recipient_id == reporter.pk
    assert notification.idempotency_key == f"incident.returned:{event.public_id}:{reporter.public_id}"
    assert (notification.object_public_id, notification.mission_id) == (
        incident.public_id,
        incident.mission_id,
    )


def test_a_refused_return_notifies_no_one(
    make_incident: Callable[..., Incident], reporter: User, colleague: User, wpa: User
) -> None:
    incident = make_incident("under_review", reporter=reporter)
    with pytest.raises(ValidationError):
        services.incident_return(actor=wpa, incident=incident, reason="  ")
    with pytest.raises(PermissionDenied):
        services.incident_return(actor=colleague, incident=incident, reason="Not mine to return.")
    assert not Notification.objects.exists()


def test_other_moves_notify_no_one(make_incident: Callable[..., Incident], reporter: User) -> None:
    make_incident("closed", reporter=reporter)
    assert not Notification.objects.exists()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_e_mail_has_the_reference_and_link_not_the_reason(
    language: str, make_incident: Callable[..., Incident], reporter: User, wpa: User
) -> None:
    incident = make_incident("under_review", reporter=reporter)
    services.incident_return(actor=wpa, incident=incident, reason="Canaryreason zq: the location.")
    notification = Notification.objects.get()
    notification.language = language
    rendered = notification_render(notification)
    assert incident.reference and incident.reference in rendered.subject
    for body in (rendered.text, rendered.html):
        assert incident.reference in body and f"/incidents/{incident.public_id}/" in body
        assert "Canaryreason" not in body and "Armed men" not in body
    assert f'<html lang="{language}">' in rendered.html

"""Sign-in, sign-out and the home page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from crsv.accounts.models import User
from crsv.accounts.two_factor import demo_device_ensure
from crsv.audit.models import AuditEvent
from tests.conftest import current_code, verify_second_factor
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_home_requires_login(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_login_page_has_labelled_inputs(client: Client) -> None:
    body = client.get(reverse("accounts:login")).content.decode()
    assert '<label for="id_username">' in body
    assert '<label for="id_password">' in body


def test_login_shows_name_roles_and_offices(client: Client, wpa: User) -> None:
    device = demo_device_ensure(user=wpa)
    response = client.post(reverse("accounts:login"), {"username": "wpa", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/two-factor/")
    response = client.post(
        reverse("accounts:two_factor_verify"), {"token": current_code(device), "next": "/"}, follow=True
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert wpa.display_name in body
    assert "Women Protection Advisor" in body
    assert "Goma (GOM, MONUSCO)" in body
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
    assert event.actor == wpa
    assert event.ip_address == "127.0.0.1"


def test_wrong_password_shows_clear_error_and_is_audited(client: Client, wpa: User) -> None:
    response = client.post(reverse("accounts:login"), {"username": "wpa", "password": "wrong"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Please enter a correct username and password" in body
    assert 'value="wpa"' in body  # the username typed is kept
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert event.actor is None
    assert event.object_public_id == wpa.public_id
    assert event.ip_address == "127.0.0.1"
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN).exists()


def test_failed_login_for_unknown_name_stores_nothing_typed(client: Client) -> None:
    client.post(reverse("accounts:login"), {"username": "my-secret-password", "password": "x"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert event.object_public_id is None
    assert "my-secret-password" not in repr(AuditEvent.objects.values().get())


def test_logout_is_post_and_audited(client: Client, wpa: User) -> None:
    client.force_login(wpa)
    verify_second_factor(client, wpa)
    confirm = client.get(reverse("accounts:logout"))
    assert confirm.status_code == 200
    assert client.get("/").status_code == 200  # GET did not sign out
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 200
    assert "You are signed out" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGOUT, actor=wpa).count() == 1
    assert client.get("/").status_code == 302


def test_home_for_user_without_role_or_office(client: Client) -> None:
    user = User.objects.create_user("lonely", password=PASSWORD)
    client.force_login(user)
    verify_second_factor(client, user)
    body = client.get("/").content.decode()
    assert "You have no role yet" in body
    assert "You belong to no field office yet" in body


def test_home_sends_no_store(client: Client, wpa: User) -> None:
    client.force_login(wpa)
    verify_second_factor(client, wpa)
    assert "no-store" in client.get("/")["Cache-Control"]


def test_security_headers_on_every_page(client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script(client: Client, wpa: User) -> None:
    """Scripts are files of this site (the keep-alive script, crsv.accounts.keep_alive), never
    inline code."""
    client.force_login(wpa)
    verify_second_factor(client, wpa)
    for url in ["/", reverse("accounts:login"), reverse("accounts:logout")]:
        page = client.get(url).content.decode()
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.S)
        assert all(re.search(r'src="/static/', attrs) and not body.strip() for attrs, body in scripts), url
        assert page.count("<script") == len(scripts)

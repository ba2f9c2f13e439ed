"""The rules of an identifiable export, asked of its services (reports.identifiable.services)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from crsv.audit.models import AuditEvent
from incidents.exceptions import TransitionNotAllowed
from referrals.models import ServiceProvider
from reports.identifiable.models import IdentifiableExport, IdentifiableExportCase
from reports.identifiable.services import (
    identifiable_export_approve,
    identifiable_export_download,
    identifiable_export_prepare,
    identifiable_export_refuse,
    identifiable_export_request,
)
from survivors.services import consent_withdraw, survivor_assign, survivor_erase
from tests.factories import UserFactory
from tests.reports import identifiable_world as world
from tests.reports.identifiable_world import REASON, ask, case_of, legal, share

hospital, clinic, second_senior = world.hospital, world.clinic, world.second_senior

pytestmark = pytest.mark.django_db
Exclusion = IdentifiableExportCase.Exclusion


def _decisions(export: IdentifiableExport) -> dict[str, str]:
    return dict(export.cases.values_list("survivor__code", "excluded_because"))


def test_covered_cases_are_included_and_the_others_listed_with_the_reason(
    wpa: User, hospital: ServiceProvider, clinic: ServiceProvider
) -> None:
    covered, for_another, none = case_of(wpa), case_of(wpa), case_of(wpa)
    share(wpa, covered, hospital)
    share(wpa, for_another, clinic)  # names another provider: does not cover HEAL Africa
    legal(wpa, none)  # another purpose
    export = ask(wpa, [covered, for_another, none], hospital)
    assert _decisions(export) == {
        covered.code: Exclusion.NONE,
        for_another.code: Exclusion.NO_CONSENT,
        none.code: Exclusion.NO_CONSENT,
    }
    assert export.state == IdentifiableExport.State.REQUESTED
    assert export.cases.get(survivor=covered).consent is not None
    event = AuditEvent.objects.get(action="identifiable_export.requested")
    assert event.object_public_id == export.public_id
    assert event.changes == {
        "recipient": "provider",
        "provider": str(hospital.public_id),
        "cases_included": 1,
        "cases_excluded": 2,
    }


def test_a_legal_use_needs_a_consent_to_legal_use(wpa: User, hospital: ServiceProvider) -> None:
    with_legal, sharing_only = case_of(wpa), case_of(wpa)
    legal(wpa, with_legal)
    share(wpa, sharing_only, hospital)
    export = ask(wpa, [with_legal, sharing_only])
    assert export.recipient == IdentifiableExport.Recipient.LEGAL and export.provider is None
    assert _decisions(export) == {with_legal.code: Exclusion.NONE, sharing_only.code: Exclusion.NO_CONSENT}


def test_nothing_covered_is_refused_naming_each_case_and_why(wpa: User, hospital: ServiceProvider) -> None:
    case = case_of(wpa)
    with pytest.raises(ValidationError) as refused:
        ask(wpa, [case], hospital)
    assert case.code in refused.value.message_dict["survivor_codes"][0]
    assert "No consent in force covers this recipient" in refused.value.message_dict["survivor_codes"][0]
    assert not IdentifiableExport.objects.exists()


def test_only_cases_she_may_identify(
    wpa: User, wpa_other: User, senior_wpa: User, hospital: ServiceProvider
) -> None:
    mine, bunia = case_of(wpa), case_of(wpa_other)
    share(wpa, mine, hospital)
    share(wpa_other, bunia, hospital)
    with pytest.raises(ValidationError) as refused:
        ask(wpa, [mine, bunia], hospital)
    assert refused.value.message_dict["survivor_codes"] == [f"Not a case you may identify: {bunia.code}."]
    # A senior WPA sees every case of the mission, but identifies only her own (or by grant,
    # or break-glass): the same refusal.
    with pytest.raises(ValidationError, match="Not a case you may identify"):
        ask(senior_wpa, [bunia], hospital)
    # A code that does not exist reads the same as one out of reach.
    with pytest.raises(ValidationError) as unknown:
        identifiable_export_request(
            actor=wpa, recipient="provider", provider=hospital, survivor_codes=["S-2222-2222"], reason=REASON
        )
    assert unknown.value.message_dict["survivor_codes"] == ["Not a case you may identify: S-2222-2222."]


@pytest.mark.parametrize("persona", ["analyst", "reporter", "provider", "admin_user", "auditor", "no_role"])
def test_roles_without_the_capability_may_not_request(persona: str, request: pytest.FixtureRequest) -> None:
    user: User = request.getfixturevalue(persona)
    hospital_ = request.getfixturevalue("hospital")
    with pytest.raises(PermissionDenied):
        ask(user, [], hospital_)


def test_the_request_is_validated_for_every_door(wpa: User, hospital: ServiceProvider) -> None:
    case = case_of(wpa)
    share(wpa, case, hospital)
    with pytest.raises(ValidationError) as refused:
        ask(wpa, [case], None, recipient="provider", reason="  ")
    assert set(refused.value.message_dict) == {"provider", "reason"}
    with pytest.raises(ValidationError) as legal_with_provider:
        ask(wpa, [case], hospital, recipient="legal")
    assert set(legal_with_provider.value.message_dict) == {"provider"}
    hospital.active = False
    hospital.save()
    with pytest.raises(ValidationError, match="active provider"):
        ask(wpa, [case], hospital)


def test_the_reason_is_stored_encrypted(wpa: User, hospital: ServiceProvider) -> None:
    case = case_of(wpa)
    share(wpa, case, hospital)
    export = ask(wpa, [case], hospital)
    raw = bytes(IdentifiableExport.objects.values_list("reason_ct", flat=True).get(pk=export.pk))
    assert b"military court" not in raw
    assert IdentifiableExport.objects.get(pk=export.pk).reason == REASON


def _requested(wpa: User, hospital: ServiceProvider, count: int = 1) -> IdentifiableExport:
    cases = [case_of(wpa) for _ in range(count)]
    for case in cases:
        share(wpa, case, hospital)
    return ask(wpa, cases, hospital)


def test_never_approved_by_the_requester(
    senior_wpa: User, second_senior: User, hospital: ServiceProvider
) -> None:
    export = _requested(senior_wpa, hospital)
    with pytest.raises(PermissionDenied, match="Another senior WPA"):
        identifiable_export_approve(actor=senior_wpa, export=export)
    with pytest.raises(PermissionDenied):
        identifiable_export_refuse(actor=senior_wpa, export=export, reason="No.")
    approved = identifiable_export_approve(actor=second_senior, export=export)
    assert approved.state == IdentifiableExport.State.APPROVED
    assert approved.decided_by == second_senior
    assert approved.expires_at is not None
    assert timedelta(days=6, hours=23) < approved.expires_at - timezone.now() <= timedelta(days=7)


def test_a_wpa_may_not_decide_and_another_mission_does_not_see_it(
    wpa: User, wpa_other: User, senior_wpa: User, hospital: ServiceProvider, foreign_office: FieldOffice
) -> None:
    export = _requested(wpa, hospital)
    with pytest.raises(Http404):  # not hers: another WPA does not see it
        identifiable_export_approve(actor=wpa_other, export=export)
    with pytest.raises(PermissionDenied):  # hers, but she may not decide
        identifiable_export_approve(actor=wpa, export=export)
    bangui_senior = UserFactory(username="senior_bangui", roles=[Role.SENIOR_WPA], offices=[foreign_office])
    with pytest.raises(Http404):
        identifiable_export_approve(actor=bangui_senior, export=export)
    with pytest.raises(Http404):
        identifiable_export_refuse(actor=bangui_senior, export=export, reason="No.")
    assert IdentifiableExport.objects.get(pk=export.pk).state == IdentifiableExport.State.REQUESTED
    assert identifiable_export_approve(actor=senior_wpa, export=export).state == "approved"


def test_consent_withdrawn_between_request_and_approval_is_excluded_at_approval(
    wpa: User, senior_wpa: User, hospital: ServiceProvider
) -> None:
    kept, withdrawn = case_of(wpa), case_of(wpa)
    share(wpa, kept, hospital)
    grant = share(wpa, withdrawn, hospital)
    export = ask(wpa, [kept, withdrawn], hospital)
    assert _decisions(export)[withdrawn.code] == Exclusion.NONE
    consent_withdraw(actor=wpa, consent=grant)
    identifiable_export_approve(actor=senior_wpa, export=export)
    assert _decisions(export) == {kept.code: Exclusion.NONE, withdrawn.code: Exclusion.NO_CONSENT}
    event = AuditEvent.objects.get(action="identifiable_export.approved")
    assert event.changes == {"cases_included": 1, "cases_excluded": 1}


def test_the_requesters_access_is_checked_again_at_approval(
    wpa: User, senior_wpa: User, hospital: ServiceProvider, office: FieldOffice
) -> None:
    moved, erased, kept = case_of(wpa), case_of(wpa), case_of(wpa)
    for case in (moved, erased, kept):
        share(wpa, case, hospital)
    export = ask(wpa, [moved, erased, kept], hospital)
    colleague = UserFactory(username="wpa_two", roles=[Role.WPA], offices=[office])
    survivor_assign(actor=senior_wpa, survivor=moved, assignee=colleague)
    survivor_erase(actor=senior_wpa, survivor=erased, reason="survivor_request")
    identifiable_export_approve(actor=senior_wpa, export=export)
    assert _decisions(export) == {
        moved.code: Exclusion.NOT_IDENTIFIABLE,
        erased.code: Exclusion.ERASED,
        kept.code: Exclusion.NONE,
    }


def test_nothing_left_at_approval_is_not_approved(
    wpa: User, senior_wpa: User, hospital: ServiceProvider
) -> None:
    case = case_of(wpa)
    grant = share(wpa, case, hospital)
    export = ask(wpa, [case], hospital)
    consent_withdraw(actor=wpa, consent=grant)
    with pytest.raises(ValidationError, match="No case of this export is covered any more"):
        identifiable_export_approve(actor=senior_wpa, export=export)
    export.refresh_from_db()
    assert export.state == IdentifiableExport.State.REQUESTED
    assert identifiable_export_refuse(actor=senior_wpa, export=export, reason="Consent withdrawn.").state == (
        "refused"
    )


def test_decided_once(wpa: User, senior_wpa: User, second_senior: User, hospital: ServiceProvider) -> None:
    export = _requested(wpa, hospital)
    identifiable_export_approve(actor=senior_wpa, export=export)
    with pytest.raises(TransitionNotAllowed, match="already approved"):
        identifiable_export_approve(actor=second_senior, export=export)
    with pytest.raises(TransitionNotAllowed):
        identifiable_export_refuse(actor=second_senior, export=export, reason="Too late.")


def test_a_refusal_needs_a_reason_kept_encrypted(
    wpa: User, senior_wpa: User, hospital: ServiceProvider
) -> None:
    export = _requested(wpa, hospital)
    with pytest.raises(ValidationError) as blank:
        identifiable_export_refuse(actor=senior_wpa, export=export, reason="   ")
    assert set(blank.value.message_dict) == {"reason"}
    refused = identifiable_export_refuse(actor=senior_wpa, export=export, reason="Ask the prosecutor first.")
    assert refused.state == IdentifiableExport.State.REFUSED
    raw = bytes(IdentifiableExport.objects.values_list("refusal_reason_ct", flat=True).get(pk=export.pk))
    assert b"prosecutor" not in raw
    assert IdentifiableExport.objects.get(pk=export.pk).refusal_reason == "Ask the prosecutor first."
    assert AuditEvent.objects.get(action="identifiable_export.refused").changes == {}
    with pytest.raises(TransitionNotAllowed, match="refused"):
        identifiable_export_prepare(actor=wpa, export=export)


def test_only_the_requester_downloads_once_with_the_password_last_shown(
    wpa: User, senior_wpa: User, hospital: ServiceProvider
) -> None:
    export = _requested(wpa, hospital)
    with pytest.raises(TransitionNotAllowed, match="awaiting approval"):
        identifiable_export_prepare(actor=wpa, export=export)
    identifiable_export_approve(actor=senior_wpa, export=export)
    with pytest.raises(PermissionDenied):
        identifiable_export_prepare(actor=senior_wpa, export=export)
    first = identifiable_export_prepare(actor=wpa, export=export)
    second = identifiable_export_prepare(actor=wpa, export=export)
    assert len(first) >= 20 and first != second
    stored = IdentifiableExport.objects.get(pk=export.pk).password_digest
    assert second not in stored and first not in stored
    with pytest.raises(PermissionDenied):
        identifiable_export_download(actor=senior_wpa, export=export, password=second)
    with pytest.raises(ValidationError, match="out of date"):
        identifiable_export_download(actor=wpa, export=export, password=first)
    content = identifiable_export_download(actor=wpa, export=export, password=second)
    assert content.startswith(b"PK")
    done = IdentifiableExport.objects.get(pk=export.pk)
    assert done.state == IdentifiableExport.State.DOWNLOADED and done.password_digest == ""
    with pytest.raises(TransitionNotAllowed, match="already downloaded"):
        identifiable_export_download(actor=wpa, export=export, password=second)


def test_an_approved_export_expires(
    wpa: User, senior_wpa: User, hospital: ServiceProvider, settings: object
) -> None:
    export = _requested(wpa, hospital)
    identifiable_export_approve(actor=senior_wpa, export=export)
    password = identifiable_export_prepare(actor=wpa, export=export)
    IdentifiableExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    export.refresh_from_db()
    assert export.shown_state == IdentifiableExport.State.EXPIRED
    with pytest.raises(TransitionNotAllowed, match="expired"):
        identifiable_export_download(actor=wpa, export=export, password=password)


def test_consent_withdrawn_after_approval_is_left_out_of_the_file(
    wpa: User, senior_wpa: User, hospital: ServiceProvider
) -> None:
    kept, withdrawn = case_of(wpa, name="Kept Case"), case_of(wpa, name="Withdrawn Case")
    share(wpa, kept, hospital)
    grant = share(wpa, withdrawn, hospital)
    export = ask(wpa, [kept, withdrawn], hospital)
    identifiable_export_approve(actor=senior_wpa, export=export)
    consent_withdraw(actor=wpa, consent=grant)
    password = identifiable_export_prepare(actor=wpa, export=export)
    from tests.reports.test_identifiable_archive import csv_of

    rows = csv_of(identifiable_export_download(actor=wpa, export=export, password=password), password)
    assert [row["case_code"] for row in rows] == [kept.code]
    assert _decisions(export)[withdrawn.code] == Exclusion.NO_CONSENT
    event = AuditEvent.objects.get(action="identifiable_export.downloaded")
    assert event.changes == {"cases_exported": 1, "cases_excluded": 1}

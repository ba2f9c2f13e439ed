"""The use cases of an identifiable export, one function each, for the pages and the API alike:
authorize (out of scope: Http404; not allowed: PermissionDenied), validate (ValidationError keyed
by field), check the state under the row's lock (TransitionNotAllowed: 409), write, audit.

The audit rows name the export (its public id) and hold counts, the recipient's kind and the
provider's public id: never a survivor's code or value. The download's reads of identifying
data are access events, one per case, written by `survivors.selectors.survivor_reveal`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from crsv.accounts.models import User
from crsv.audit.models import AccessEvent
from crsv.audit.services import audit_record
from crsv.keys.services import data_key_provision
from incidents.exceptions import TransitionNotAllowed
from referrals.models import ServiceProvider
from reports.identifiable import archive, permissions
from reports.identifiable.coverage import Coverage, coverage_check
from reports.identifiable.models import IdentifiableExport, IdentifiableExportCase
from survivors import selectors as survivor_selectors
from survivors.models import Survivor

MAX_CASES = 100
REASON_MAX = 1000
CODE_PATTERN = re.compile(r"^S-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$")
State = IdentifiableExport.State


def survivor_codes_parse(text: str) -> list[str]:
    """The codes of a text (one a line, or separated by commas or spaces), upper-cased, each once."""
    return list(dict.fromkeys(code.upper() for code in re.split(r"[\s,;]+", text) if code))


def _reason_errors(reason: str, field: str = "reason") -> dict[str, str]:
    if not reason.strip():
        return {field: _("State the purpose and the reason.")}
    if len(reason) > REASON_MAX:
        return {field: _("At most %(count)d characters.") % {"count": REASON_MAX}}
    return {}


def _request_errors(
    *, recipient: str, provider: ServiceProvider | None, codes: Sequence[str], reason: str
) -> dict[str, str]:
    errors = _reason_errors(reason)
    if recipient not in IdentifiableExport.Recipient.values:
        errors["recipient"] = _("Choose who receives the export.")
    elif recipient == IdentifiableExport.Recipient.PROVIDER and (provider is None or not provider.active):
        errors["provider"] = _("Choose an active provider of the service directory.")
    elif recipient == IdentifiableExport.Recipient.LEGAL and provider is not None:
        errors["provider"] = _("A legal use names no provider.")
    if not codes:
        errors["survivor_codes"] = _("Give the code of at least one case.")
    elif len(codes) > MAX_CASES:
        errors["survivor_codes"] = _("At most %(count)d cases per export.") % {"count": MAX_CASES}
    elif malformed := [code for code in codes if not CODE_PATTERN.match(code)]:
        errors["survivor_codes"] = _("Not a survivor code: %(codes)s.") % {"codes": ", ".join(malformed[:10])}
    return errors


def _exclusions_text(decided: Sequence[Coverage]) -> str:
    return "; ".join(
        f"{c.survivor.code}: {IdentifiableExportCase.Exclusion(c.excluded_because).label}"
        for c in decided
        if not c.included
    )


def _audit(
    actor: Any, action: str, export: IdentifiableExport, request: HttpRequest | None, **changes: Any
) -> None:
    audit_record(
        actor=actor, action=f"identifiable_export.{action}", obj=export, request=request, changes=changes
    )


def _counts(decided: Sequence[Coverage]) -> dict[str, int]:
    included = sum(c.included for c in decided)
    return {"cases_included": included, "cases_excluded": len(decided) - included}


@transaction.atomic
def identifiable_export_request(
    *,
    actor: User,
    recipient: str,
    provider: ServiceProvider | None,
    survivor_codes: Sequence[str],
    reason: str,
    request: HttpRequest | None = None,
) -> IdentifiableExport:
    """Ask for an export of cases `actor` may identify to one recipient. Cases she may not
    identify (or that do not exist) are refused by code, all of one mission; the cases no
    consent covers are kept as excluded with the reason; nothing covered: refused."""
    permissions.request_authorize(actor)
    codes = survivor_codes_parse(" ".join(survivor_codes))
    errors = _request_errors(recipient=recipient, provider=provider, codes=codes, reason=reason)
    if errors:
        raise ValidationError(errors)
    found = {s.code: s for s in Survivor.objects.identifying_to(actor).filter(code__in=codes)}
    if unknown := [code for code in codes if code not in found]:
        raise ValidationError(
            {"survivor_codes": _("Not a case you may identify: %(codes)s.") % {"codes": ", ".join(unknown)}}
        )
    survivors = [found[code] for code in codes]
    if len({s.mission_id for s in survivors}) > 1:
        raise ValidationError({"survivor_codes": _("One export holds the cases of one mission.")})
    decided = coverage_check(requester=actor, recipient=recipient, provider=provider, survivors=survivors)
    if not any(c.included for c in decided):
        raise ValidationError(
            {
                "survivor_codes": _(
                    "No consent in force covers any of these cases for this recipient: %(why)s."
                )
                % {"why": _exclusions_text(decided)}
            }
        )
    export = IdentifiableExport(
        mission_id=survivors[0].mission_id, requested_by=actor, recipient=recipient, provider=provider
    )
    data_key_provision(export)
    export.reason = reason.strip()
    export.full_clean()
    export.save()
    now = timezone.now()
    IdentifiableExportCase.objects.bulk_create(
        IdentifiableExportCase(
            export=export,
            survivor=c.survivor,
            excluded_because=c.excluded_because,
            consent=c.consent,
            checked_at=now,
        )
        for c in decided
    )
    provider_id = str(provider.public_id) if provider is not None else None
    _audit(actor, "requested", export, request, recipient=recipient, provider=provider_id, **_counts(decided))
    return export


def _locked(actor: Any, export: IdentifiableExport) -> IdentifiableExport:
    """The export re-read under its row lock, through `visible_to(actor)` (404 otherwise):
    two decisions or two downloads at once run one after the other."""
    try:
        return IdentifiableExport.objects.visible_to(actor).select_for_update().get(pk=export.pk)
    except IdentifiableExport.DoesNotExist as missing:
        raise Http404 from missing


def _expect(export: IdentifiableExport, state: str, *, action: str) -> None:
    if export.state == state and export.shown_state == state:
        return
    messages = {
        State.APPROVED: _("This export was already approved."),
        State.REFUSED: _("This export was refused."),
        State.DOWNLOADED: _("This export was already downloaded."),
        State.EXPIRED: _("This export expired before it was downloaded."),
        State.REQUESTED: _("This export is still awaiting approval."),
    }
    raise TransitionNotAllowed(messages[State(export.shown_state)], action=action, status=export.state)


def _recheck(export: IdentifiableExport, requester: Any) -> list[Coverage]:
    """Decide every case of `export` again for `requester` now, and record the decisions."""
    cases = list(export.cases.select_related("survivor").order_by("id"))
    decided = coverage_check(
        requester=requester,
        recipient=export.recipient,
        provider=export.provider,
        survivors=[case.survivor for case in cases],
    )
    now = timezone.now()
    for case, coverage in zip(cases, decided, strict=True):
        case.excluded_because, case.consent, case.checked_at = (
            coverage.excluded_because,
            coverage.consent,
            now,
        )
    IdentifiableExportCase.objects.bulk_update(cases, ["excluded_because", "consent", "checked_at"])
    return decided


def _nothing_left(decided: Sequence[Coverage]) -> ValidationError:
    return ValidationError(
        _("No case of this export is covered any more (%(why)s): refuse it, or ask again.")
        % {"why": _exclusions_text(decided)}
    )


@transaction.atomic
def identifiable_export_approve(
    *, actor: User, export: IdentifiableExport, request: HttpRequest | None = None
) -> IdentifiableExport:
    """A senior WPA of the mission, not the requester, approves. Every case is decided again
    now, for the requester's access now (a case she no longer may identify, or whose consent
    was withdrawn since, is excluded). The download window opens: `IDENTIFIABLE_EXPORT_DAYS`."""
    locked = _locked(actor, export)
    permissions.decide_authorize(actor, locked)
    _expect(locked, State.REQUESTED, action="approve")
    decided = _recheck(locked, User.objects.get(pk=locked.requested_by_id))
    if not any(c.included for c in decided):
        raise _nothing_left(decided)
    now = timezone.now()
    locked.state, locked.decided_by, locked.decided_at = State.APPROVED, actor, now
    locked.expires_at = now + timedelta(days=settings.IDENTIFIABLE_EXPORT_DAYS)
    locked.save(update_fields=["state", "decided_by", "decided_at", "expires_at"])
    _audit(actor, "approved", locked, request, **_counts(decided))
    return locked


@transaction.atomic
def identifiable_export_refuse(
    *, actor: User, export: IdentifiableExport, reason: str, request: HttpRequest | None = None
) -> IdentifiableExport:
    """A senior WPA of the mission, not the requester, refuses, saying why (encrypted)."""
    locked = _locked(actor, export)
    permissions.decide_authorize(actor, locked)
    _expect(locked, State.REQUESTED, action="refuse")
    if errors := _reason_errors(reason):
        raise ValidationError(errors)
    locked.refusal_reason = reason.strip()
    locked.state, locked.decided_by, locked.decided_at = State.REFUSED, actor, timezone.now()
    locked.save(update_fields=["state", "decided_by", "decided_at", "refusal_reason_ct"])
    _audit(actor, "refused", locked, request)
    return locked


@transaction.atomic
def identifiable_export_prepare(*, actor: User, export: IdentifiableExport) -> str:
    """A new password for the download, to show once: the requester, an approved export in its
    window. Only its digest is kept, replacing any earlier one (whose page no longer works)."""
    locked = _locked(actor, export)
    permissions.download_authorize(actor, locked)
    _expect(locked, State.APPROVED, action="download")
    password = archive.password_new()
    locked.password_digest = archive.password_digest(password)
    locked.save(update_fields=["password_digest"])
    return password


@transaction.atomic
def identifiable_export_download(
    *, actor: User, export: IdentifiableExport, password: str, request: HttpRequest | None = None
) -> bytes:
    """The encrypted zip, once: the requester, with the password last shown to her. Every case
    is decided again at this moment (her access, the consent); the included ones are revealed
    through `survivor_reveal` (an access event each, kind export) and written to the CSV.
    Built inside the transaction: if it fails, the export stays approved."""
    locked = _locked(actor, export)
    permissions.download_authorize(actor, locked)
    _expect(locked, State.APPROVED, action="download")
    if not archive.password_matches(password, locked.password_digest):
        raise ValidationError(
            {"password": _("This download page is out of date: prepare the download again.")}
        )
    decided = _recheck(locked, actor)
    covered = {c.survivor.pk: c for c in decided if c.included}
    readable = survivor_selectors.survivor_list(user=actor).filter(pk__in=list(covered)).order_by("code")
    rows: list[archive.ExportRow] = []
    for survivor in readable:
        identity = survivor_selectors.survivor_reveal(
            user=actor, survivor=survivor, kind=AccessEvent.Kind.EXPORT, request=request
        )
        consent = covered[survivor.pk].consent
        if identity is not None and consent is not None:
            rows.append(archive.ExportRow(code=survivor.code, identity=identity, consent=consent))
    if not rows:
        raise _nothing_left(decided)
    content = archive.zip_bytes(rows, password=password)
    locked.state, locked.downloaded_at, locked.password_digest = State.DOWNLOADED, timezone.now(), ""
    locked.save(update_fields=["state", "downloaded_at", "password_digest"])
    _audit(
        actor,
        "downloaded",
        locked,
        request,
        cases_exported=len(rows),
        cases_excluded=len(decided) - len(rows),
    )
    return content

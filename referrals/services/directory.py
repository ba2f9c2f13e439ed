"""The service directory's use cases, for the admins who manage it (issue 12 item 1): save a
provider organisation, and say which provider users work for it. Both doors (the app's pages and
the Django admin site) call these, so the rules are decided once. Every change is audited with
the values before and after (names, never a referral); nothing is deleted from the directory: a
provider is deactivated, and the referrals sent to it keep it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Capability
from crsv.audit.services import audit_record
from incidents.models import Location
from referrals import permissions
from referrals.models import Language, ProviderMembership, ServiceProvider, ServiceType

# The plain fields a provider form may set (the offices and locations are passed apart).
PROVIDER_FIELDS = (
    "name",
    "service_types",
    "contact_email",
    "hours",
    "languages",
    "pep_available",
    "emergency_contraception",
    "child_friendly",
    "serves_male_survivors",
    "active",
)

MSG_NOT_ALLOWED = _("Only an administrator manages the service directory.")
MSG_NAME_TAKEN = _("Another organisation already has this name.")
MSG_NO_SERVICE = _("Choose at least one service type.")
MSG_UNKNOWN = _("Unknown value: %(values)s.")
MSG_NO_OFFICE = _("Choose at least one field office the organisation serves.")
MSG_OTHER_MISSION = _("Choose field offices of your own missions.")
MSG_NOT_PROVIDER_USER = _("Only an active user with the service provider role can work for an organisation.")
MSG_NOT_MEMBER = _("This user does not work for this organisation.")


def directory_manage_authorize(actor: Any) -> None:
    if not permissions.can_manage_directory(actor):
        raise PermissionDenied(MSG_NOT_ALLOWED)


def provider_in_reach(actor: Any, provider: ServiceProvider) -> bool:
    """An admin manages an organisation that serves only offices of her missions (or none yet):
    another mission's admins manage theirs."""
    return not provider.field_offices.exclude(mission_id__in=actor.mission_ids()).exists()


def _snapshot(provider: ServiceProvider) -> dict[str, Any]:
    """The provider as the audit row keeps it: its values and its offices and places by name."""
    values: dict[str, Any] = {name: getattr(provider, name) for name in PROVIDER_FIELDS}
    values["service_types"] = sorted(values["service_types"])
    values["languages"] = sorted(values["languages"])
    if provider.pk is None:
        values["field_offices"], values["locations"] = [], []
    else:
        values["field_offices"] = sorted(
            f"{o.mission.code}-{o.code}" for o in provider.field_offices.select_related("mission")
        )
        values["locations"] = sorted(provider.locations.values_list("pcode", flat=True))
    return values


def provider_validate(
    *,
    actor: Any,
    provider: ServiceProvider | None,
    values: Mapping[str, Any],
    offices: list[FieldOffice],
) -> None:
    """The rules of `provider_save`, for a form's clean(): ValidationError, one message per field."""
    directory_manage_authorize(actor)
    errors: dict[str, list[ValidationError]] = {}
    name = str(values.get("name") or "").strip()
    taken = ServiceProvider.objects.filter(name__iexact=name)
    if provider is not None and provider.pk is not None:
        taken = taken.exclude(pk=provider.pk)
    if name and taken.exists():
        errors.setdefault("name", []).append(ValidationError(MSG_NAME_TAKEN, code="name_taken"))
    for field, known in (("service_types", ServiceType.values), ("languages", Language.values)):
        unknown = sorted(set(values.get(field) or []) - set(known))
        if unknown:
            errors.setdefault(field, []).append(
                ValidationError(MSG_UNKNOWN, code="unknown", params={"values": ", ".join(unknown)})
            )
    if not values.get("service_types"):
        errors.setdefault("service_types", []).append(ValidationError(MSG_NO_SERVICE, code="required"))
    if not offices:
        errors.setdefault("field_offices", []).append(ValidationError(MSG_NO_OFFICE, code="required"))
    elif {office.mission_id for office in offices} - set(actor.mission_ids()):
        errors.setdefault("field_offices", []).append(
            ValidationError(MSG_OTHER_MISSION, code="other_mission")
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def provider_save(
    *,
    actor: Any,
    provider: ServiceProvider | None,
    values: Mapping[str, Any],
    offices: Iterable[FieldOffice],
    locations: Iterable[Location],
    request: HttpRequest | None = None,
) -> ServiceProvider:
    """Create (`provider` None) or change a provider organisation, as an admin: its
    `PROVIDER_FIELDS`, the field offices it serves (of her missions) and its coverage places.
    ValidationError with one message per field; audited with what changed, before and after."""
    directory_manage_authorize(actor)
    offices, locations = list(offices), list(locations)
    provider_validate(actor=actor, provider=provider, values=values, offices=offices)
    if provider is None or provider.pk is None:
        provider, before = ServiceProvider(), None
    else:
        provider = ServiceProvider.objects.select_for_update().get(pk=provider.pk)
        if not provider_in_reach(actor, provider):
            raise PermissionDenied(MSG_OTHER_MISSION)
        before = _snapshot(provider)
    for name in PROVIDER_FIELDS:
        if name in values:
            setattr(provider, name, values[name])
    provider.name = provider.name.strip()
    try:
        with transaction.atomic():  # the unique name, decided by the database under a race
            provider.save()
    except IntegrityError as error:
        raise ValidationError({"name": [ValidationError(MSG_NAME_TAKEN, code="name_taken")]}) from error
    provider.field_offices.set(offices)
    provider.locations.set(locations)
    after = _snapshot(provider)
    changes = {
        key: {"before": None if before is None else before[key], "after": value}
        for key, value in after.items()
        if before is None or before[key] != value
    }
    if changes:
        action = "serviceprovider.add" if before is None else "serviceprovider.change"
        audit_record(actor=actor, action=action, obj=provider, request=request, changes=changes)
    return provider


def _provider_user(user: User) -> bool:
    return user.is_active and user.can(Capability.RESPOND_TO_REFERRALS)


@transaction.atomic
def provider_member_add(
    *, actor: Any, provider: ServiceProvider, user: User, request: HttpRequest | None = None
) -> ProviderMembership:
    """`user` (an active holder of the provider role) works for `provider` from now on, and for
    no other organisation: she sees the referrals sent to it. Audited on the user, with the
    organisation's name before and after."""
    directory_manage_authorize(actor)
    if not provider_in_reach(actor, provider):
        raise PermissionDenied(MSG_OTHER_MISSION)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not _provider_user(user):
        raise ValidationError({"user": [ValidationError(MSG_NOT_PROVIDER_USER, code="not_provider")]})
    membership = ProviderMembership.objects.select_related("provider").filter(user=user).first()
    before = membership.provider.name if membership else None
    if membership is None:
        membership = ProviderMembership.objects.create(user=user, provider=provider)
    elif membership.provider_id != provider.pk:
        membership.provider = provider
        membership.save(update_fields=["provider"])
    else:
        return membership
    audit_record(
        actor=actor,
        action="providermembership.add" if before is None else "providermembership.change",
        obj=user,
        request=request,
        changes={"organisation": {"before": before, "after": provider.name}},
    )
    return membership


@transaction.atomic
def provider_member_remove(
    *, actor: Any, provider: ServiceProvider, user: User, request: HttpRequest | None = None
) -> None:
    """`user` no longer works for `provider`: from her next request she sees none of its
    referrals. Audited on the user."""
    directory_manage_authorize(actor)
    if not provider_in_reach(actor, provider):
        raise PermissionDenied(MSG_OTHER_MISSION)
    deleted, _rows = ProviderMembership.objects.filter(user=user, provider=provider).delete()
    if not deleted:
        raise ValidationError({"user": [ValidationError(MSG_NOT_MEMBER, code="not_member")]})
    audit_record(
        actor=actor,
        action="providermembership.delete",
        obj=user,
        request=request,
        changes={"organisation": {"before": provider.name, "after": None}},
    )

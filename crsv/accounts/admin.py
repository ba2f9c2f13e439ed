"""The Django admin for users, missions and field offices.

Users are managed only by holders of the admin role, and only through the use-case services of
crsv.accounts.services: the forms' clean() asks `user_access_validate` (so each refusal shows
next to its field), save_model writes through `user_create` / `user_access_change`, and the
password form through `user_password_set`. The forms hold no `is_superuser`, `is_staff`,
`groups` or `user_permissions` field, so a crafted POST cannot set them; roles and field offices
are plain form fields (no membership inline) so that the whole change is decided and saved at
once, audited, in the admin's transaction.
"""

from __future__ import annotations

import copy
from importlib import import_module
from typing import Any

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from crsv.accounts import selectors, services, two_factor
from crsv.accounts.models import FieldOffice, Mission, User
from crsv.accounts.roles import Role, role_label


def _may_manage_users(request: HttpRequest) -> bool:
    return services.user_management_allowed(request.user)


class _OfficeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.mission.code} · {obj.name}"


def _roles_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The Administrator role cannot be combined with another role."),
    )


def _offices_field() -> _OfficeChoiceField:
    return _OfficeChoiceField(
        label=_("field offices"),
        queryset=FieldOffice.objects.select_related("mission"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class _AccessRulesMixin:
    """clean(): the service decides the rules; each refusal is shown next to its field."""

    actor: Any = None  # set per request by UserAdmin.get_form
    cleaned_data: dict[str, Any]
    instance: User

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        if "roles" in cleaned and "offices" in cleaned:
            try:
                services.user_access_validate(
                    actor=self.actor,
                    user=self.instance if self.instance.pk else None,
                    roles=cleaned["roles"],
                    offices=cleaned["offices"],
                    is_active=cleaned.get("is_active", True),
                )
            except PermissionDenied as refused:
                raise ValidationError(str(refused) or services.MSG_NOT_ALLOWED) from refused
        return cleaned


class UserAdminChangeForm(_AccessRulesMixin, UserChangeForm):
    roles = _roles_field()
    offices = _offices_field()

    class Meta:
        model = User
        fields = ("username", "password", "first_name", "last_name", "email", "is_active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["roles"].initial = sorted(self.instance.groups.values_list("name", flat=True))
            self.fields["offices"].initial = list(
                self.instance.memberships.values_list("field_office_id", flat=True)
            )


class UserAdminCreationForm(_AccessRulesMixin, AdminUserCreationForm):
    roles = _roles_field()
    offices = _offices_field()

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "is_active")


class UserAdminPasswordForm(AdminPasswordChangeForm):
    """Sets the password through `user_password_set`: audited, and every session and token of
    the user ends."""

    actor: Any = None
    request: HttpRequest | None = None

    def save(self, commit: bool = True) -> Any:
        password = self.cleaned_data["password1"] if self.cleaned_data["set_usable_password"] else None
        services.user_password_set(actor=self.actor, user=self.user, password=password, request=self.request)
        return self.user


@admin.action(description=_("Reset two-factor sign-in (the user enrols again)"), permissions=["change"])
def reset_two_factor(
    modeladmin: admin.ModelAdmin[User], request: HttpRequest, queryset: QuerySet[User]
) -> None:
    users = list(queryset.filter(is_superuser=False))  # superusers are managed on the server only
    for user in users:
        two_factor.two_factor_reset(actor=request.user, user=user, request=request)  # type: ignore[arg-type]
    modeladmin.message_user(
        request,
        ngettext(
            "Two-factor sign-in reset for %(count)d user.",
            "Two-factor sign-in reset for %(count)d users.",
            len(users),
        )
        % {"count": len(users)},
    )


class SecondFactorFilter(admin.SimpleListFilter):
    """The filter "second factor: none": the active accounts that cannot sign in yet (the home
    page's line for administrators links here)."""

    title = _("second factor")
    parameter_name = "second_factor"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("none", _("None (active accounts)"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        if self.value() == "none":
            return queryset.filter(pk__in=selectors.users_without_second_factor().values("pk"))
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Only holders of the admin role see or change users; nobody deletes them (deactivate)."""

    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    change_password_form = UserAdminPasswordForm
    actions = [reset_two_factor]
    list_display = ["username", "first_name", "last_name", "roles_shown", "is_active"]
    list_filter = ["is_active", "groups", SecondFactorFilter]
    readonly_fields = ["public_id", "is_staff", "is_superuser", "last_login", "date_joined"]
    filter_horizontal = ()
    fieldsets = (
        (None, {"fields": ("username", "password", "public_id")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Access"), {"fields": ("is_active", "roles", "offices", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Access"), {"fields": ("is_active", "roles", "offices")}),
    )

    @admin.display(description=_("roles"))
    def roles_shown(self, obj: User) -> str:
        return ", ".join(sorted(role_label(group.name) for group in obj.groups.all()))

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_manage_users(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage_users(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _may_manage_users(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A superuser's account is shown read-only: superusers are managed on the server only.
        return _may_manage_users(request) and not (obj is not None and obj.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the audit trail refers to users: deactivate them instead

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            services.user_access_change(
                actor=request.user,
                user=obj,
                roles=data["roles"],
                offices=data["offices"],
                is_active=data["is_active"],
                profile={name: data[name] for name in services.PROFILE_FIELDS if name in data},
                request=request,
            )
        else:
            services.user_create(
                actor=request.user, user=obj, roles=data["roles"], offices=data["offices"], request=request
            )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Roles and offices were written by the service in save_model; the form has no
        many-to-many field of its own to save."""

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        # A copy of this admin whose password form knows the actor and the request (the view
        # builds the form itself); in one transaction with the service's audit row.
        form_class: type[UserAdminPasswordForm] = type(
            "UserAdminPasswordForm", (UserAdminPasswordForm,), {"actor": request.user, "request": request}
        )
        view = copy.copy(self)
        view.change_password_form = form_class
        with transaction.atomic(using=router.db_for_write(self.model)):
            return DjangoUserAdmin.user_change_password(view, request, id, form_url)


admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(admin.ModelAdmin[Group]):
    """Roles are code (crsv.accounts.roles, permissions from `manage.py bootstrap`): shown to
    administrators, changed by nobody here."""

    search_fields = ["name"]
    ordering = ["name"]
    fields = ["name"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_manage_users(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage_users(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Mission)
class MissionAdmin(admin.ModelAdmin[Mission]):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(FieldOffice)
class FieldOfficeAdmin(admin.ModelAdmin[FieldOffice]):
    list_display = ["code", "name", "mission", "time_zone"]
    list_filter = ["mission"]
    search_fields = ["code", "name"]


class LockedFilter(admin.SimpleListFilter):
    """The filter "locked now": the attempts that refuse an account's sign-in (the home page's
    line for administrators links here)."""

    title = _("lockout")
    parameter_name = "locked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Locked now"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(pk__in=selectors.lockouts_in_force().values("pk"))
        return queryset


class AuditedAccessAttemptAdmin(AccessAttemptAdmin):
    """django-axes' lockout rows; deleting one (the unlock) goes through `lockout_clear`, audited."""

    list_filter = [LockedFilter, *AccessAttemptAdmin.list_filter]

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.lockout_clear(actor=request.user, attempts=[obj], request=request)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        services.lockout_clear(actor=request.user, attempts=queryset, request=request)


admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, AuditedAccessAttemptAdmin)
# Not offered in any screen: the devices hold TOTP secrets, and editing one would bypass the
# audited reset (the "Reset two-factor sign-in" action on users is the way); axes' access logs
# are off (sign-ins are in the audit trail).
# Their admin modules are imported first so that they have registered (autodiscovery would
# reach them after this module) and are not imported again.
import_module("django_otp.plugins.otp_static.admin")
import_module("django_otp.plugins.otp_totp.admin")
for _model in (TOTPDevice, StaticDevice, AccessLog, AccessFailureLog):
    admin.site.unregister(_model)

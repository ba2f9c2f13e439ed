"""Admin: the service directory (providers, and which organisation each provider user works for),
managed by the admin role only (issue 10 item 1).

Referrals and their history are not in the admin at all: they are survivor data, which admins
never see (DESIGN §3), and they change only through the workflow's services. The provider pages
show nothing of the referrals sent to a provider. Every change made here is audited; nothing is
deleted from the directory (a provider is deactivated: the referrals sent to it keep it).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from crsv.accounts.models import User
from crsv.accounts.roles import Capability, roles_for
from referrals.models import Language, ProviderMembership, ServiceProvider, ServiceType
from referrals.services import directory


def _may_manage_directory(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_authenticated and user.is_active and user.can(Capability.MANAGE_SERVICE_DIRECTORY))


class _DirectoryAdmin(admin.ModelAdmin[Any]):
    """For the admin role only, whatever model permissions a group or a superuser holds."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_manage_directory(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage_directory(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _may_manage_directory(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage_directory(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ServiceProviderForm(forms.ModelForm[ServiceProvider]):
    """The service types and languages as boxes to tick, not comma-separated codes. The rules are
    `provider_save`'s: clean() asks them, so each refusal shows beside its field."""

    actor: Any = None  # the admin, set by ServiceProviderAdmin.get_form

    service_types = forms.MultipleChoiceField(
        label=_("service types"), choices=ServiceType.choices, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label=_("languages"), choices=Language.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = ServiceProvider
        fields = [
            "name",
            "service_types",
            "field_offices",
            "locations",
            "contact_email",
            "hours",
            "languages",
            "pep_available",
            "emergency_contraception",
            "child_friendly",
            "serves_male_survivors",
            "active",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            try:
                directory.provider_validate(
                    actor=self.actor,
                    provider=self.instance if self.instance.pk else None,
                    values=data,
                    offices=list(data.get("field_offices") or []),
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages)
        return data


class ServiceTypeFilter(admin.SimpleListFilter):
    title = _("service type")
    parameter_name = "service_type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in ServiceType.choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(service_types__contains=[value]) if value else queryset


@admin.register(ServiceProvider)
class ServiceProviderAdmin(_DirectoryAdmin):
    form = ServiceProviderForm
    list_display = [
        "name",
        "service_types_shown",
        "offices_shown",
        "pep_available",
        "child_friendly",
        "serves_male_survivors",
        "active",
    ]
    list_filter = [
        "active",
        ServiceTypeFilter,
        "field_offices",
        "pep_available",
        "emergency_contraception",
        "child_friendly",
        "serves_male_survivors",
    ]
    search_fields = ["name", "contact_email"]
    filter_horizontal = ["field_offices", "locations"]
    readonly_fields = ["public_id", "created_at", "updated_at"]
    fieldsets = (
        (None, {"fields": ("name", "public_id", "service_types", "active")}),
        (_("Where"), {"fields": ("field_offices", "locations")}),
        (_("Contact"), {"fields": ("contact_email", "hours", "languages")}),
        (
            _("Care offered"),
            {
                "fields": (
                    "pep_available",
                    "emergency_contraception",
                    "child_friendly",
                    "serves_male_survivors",
                )
            },
        ),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceProvider]:
        return super().get_queryset(request).prefetch_related("field_offices")

    @admin.display(description=_("service types"))
    def service_types_shown(self, obj: ServiceProvider) -> str:
        return ", ".join(str(ServiceType(value).label) for value in obj.service_types)

    @admin.display(description=_("field offices served"))
    def offices_shown(self, obj: ServiceProvider) -> str:
        return ", ".join(sorted(office.name for office in obj.field_offices.all()))

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request: HttpRequest, obj: ServiceProvider, form: Any, change: bool) -> None:
        """Saved with its offices and places by `provider_save` (save_related), as the app's
        pages do: one set of rules, one audit row."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = directory.provider_save(
            actor=request.user,
            provider=form.instance if change else None,
            values={name: data[name] for name in directory.PROVIDER_FIELDS if name in data},
            offices=data["field_offices"],
            locations=data.get("locations") or [],
            request=request,
        )
        form.instance.pk, form.instance.public_id = saved.pk, saved.public_id


class ProviderMembershipForm(forms.ModelForm[ProviderMembership]):
    class Meta:
        model = ProviderMembership
        fields = ["user", "provider"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only a holder of the provider role works for a provider (her role: the user screens).
        self.fields["user"].queryset = (  # type: ignore[attr-defined]  # a ModelChoiceField
            User.objects.filter(groups__name__in=roles_for(Capability.RESPOND_TO_REFERRALS), is_active=True)
            .distinct()
            .order_by("username")
        )
        self.fields["user"].help_text = _("Users with the service provider role.")


@admin.register(ProviderMembership)
class ProviderMembershipAdmin(_DirectoryAdmin):
    """Which organisation a provider user works for: she sees the referrals sent to it."""

    form = ProviderMembershipForm
    list_display = ["user", "provider", "created_at"]
    list_filter = ["provider"]
    search_fields = ["user__username", "provider__name"]
    list_select_related = ["user", "provider"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage_directory(request)  # she leaves the organisation

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["user"] if obj is not None else []  # another user: a membership of her own

    def save_model(self, request: HttpRequest, obj: ProviderMembership, form: Any, change: bool) -> None:
        saved = directory.provider_member_add(
            actor=request.user, provider=obj.provider, user=obj.user, request=request
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: ProviderMembership) -> None:
        directory.provider_member_remove(
            actor=request.user, provider=obj.provider, user=obj.user, request=request
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ProviderMembership]) -> None:
        for membership in queryset.select_related("user", "provider"):
            self.delete_model(request, membership)

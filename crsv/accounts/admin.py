from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from crsv.accounts import two_factor
from crsv.accounts.models import FieldOffice, Membership, Mission, User


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0
    autocomplete_fields = ["field_office"]


@admin.action(description="Reset two-factor sign-in (the user enrols again)")
def reset_two_factor(
    modeladmin: admin.ModelAdmin[User], request: HttpRequest, queryset: QuerySet[User]
) -> None:
    for user in queryset:
        two_factor.two_factor_reset(actor=request.user, user=user, request=request)  # type: ignore[arg-type]
    modeladmin.message_user(request, f"Two-factor sign-in reset for {queryset.count()} user(s).")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [MembershipInline]
    actions = [reset_two_factor]
    list_display = ["username", "first_name", "last_name", "is_active"]
    readonly_fields = ["public_id", "last_login", "date_joined"]


@admin.register(Mission)
class MissionAdmin(admin.ModelAdmin[Mission]):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(FieldOffice)
class FieldOfficeAdmin(admin.ModelAdmin[FieldOffice]):
    list_display = ["code", "name", "mission", "time_zone"]
    list_filter = ["mission"]
    search_fields = ["code", "name"]

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from crsv.accounts.models import FieldOffice, Membership, Mission, User


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0
    autocomplete_fields = ["field_office"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [MembershipInline]
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

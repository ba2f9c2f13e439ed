"""Admin: consent texts only. Survivor cases are not in the admin at all: admins never see
survivor data, and no admin list may show identifying values."""

from django.contrib import admin

from survivors.models import ConsentText


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin[ConsentText]):
    list_display = ["title", "version", "language", "published_at", "retired_at"]
    list_filter = ["language", "version"]

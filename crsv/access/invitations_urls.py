from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from crsv.access import invitations_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.invitation_list, name="invitations"),
    path("<uuid:public_id>/resend/", views.invitation_resend, name="invitation_resend"),
    path("<uuid:public_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
]

"""The access pages' users (crsv.access.users_views), under /access/."""

from __future__ import annotations

from django.urls import path

from crsv.access import users_views as views

urlpatterns = [
    path("", views.user_list, name="users"),
    path("users/<uuid:public_id>/", views.user_detail, name="user"),
    path("users/<uuid:public_id>/active/", views.user_active, name="user_active"),
    path(
        "users/<uuid:public_id>/two-factor/reset/", views.user_two_factor_reset, name="user_two_factor_reset"
    ),
    path("users/<uuid:public_id>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<uuid:public_id>/sessions/end/", views.user_session_end, name="user_session_end"),
    path("users/<uuid:public_id>/sessions/end-all/", views.user_sessions_end, name="user_sessions_end"),
    path("users/<uuid:public_id>/tokens/revoke/", views.user_token_revoke, name="user_token_revoke"),
]

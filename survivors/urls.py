from django.urls import path

from survivors import views

app_name = "survivors"

urlpatterns = [
    path("", views.survivor_list, name="list"),
    path("new/", views.survivor_create, name="create"),
    path("search/", views.survivor_search, name="search"),
    path("<uuid:public_id>/", views.survivor_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.survivor_edit, name="edit"),
    path("<uuid:public_id>/assign/", views.survivor_assign_view, name="assign"),
    path("<uuid:public_id>/grants/", views.survivor_grant_view, name="grant"),
    path("<uuid:public_id>/grants/<uuid:user_id>/revoke/", views.survivor_revoke_view, name="revoke"),
    path("<uuid:public_id>/break-glass/", views.survivor_break_glass_view, name="break_glass"),
    path("<uuid:public_id>/erase/", views.survivor_erase_view, name="erase"),
    path("<uuid:public_id>/consents/new/", views.consent_create, name="consent_create"),
    path(
        "<uuid:public_id>/consents/<uuid:consent_id>/withdraw/",
        views.consent_withdraw_view,
        name="consent_withdraw",
    ),
]

from django.urls import path

from survivors import views

app_name = "survivors"

urlpatterns = [
    path("", views.survivor_list, name="list"),
    path("new/", views.survivor_create, name="create"),
    path("<uuid:public_id>/", views.survivor_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.survivor_edit, name="edit"),
    path("<uuid:public_id>/assign/", views.survivor_assign_view, name="assign"),
    path("<uuid:public_id>/consents/new/", views.consent_create, name="consent_create"),
    path(
        "<uuid:public_id>/consents/<uuid:consent_id>/withdraw/",
        views.consent_withdraw_view,
        name="consent_withdraw",
    ),
]

from __future__ import annotations

from django.urls import path

from incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new/", views.incident_create, name="create"),
    path("<uuid:public_id>/", views.incident_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.incident_edit, name="edit"),
    path("<uuid:public_id>/transition/", views.incident_transition, name="transition"),
]

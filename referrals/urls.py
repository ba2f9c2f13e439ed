from __future__ import annotations

from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="list"),
    path("new/", views.referral_create, name="create"),
    path("providers/", views.provider_directory, name="providers"),
    path("providers/new/", views.provider_create, name="provider_create"),
    path("providers/<uuid:public_id>/", views.provider_detail, name="provider"),
    path("providers/<uuid:public_id>/edit/", views.provider_edit, name="provider_edit"),
    path("providers/<uuid:public_id>/members/", views.provider_members, name="provider_members"),
    path("<uuid:public_id>/", views.referral_detail, name="detail"),
    path("<uuid:public_id>/transition/", views.referral_transition, name="transition"),
]

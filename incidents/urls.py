from __future__ import annotations

from django.urls import path

from incidents import views
from incidents.views import accountability, alert_intake, alerts, location_search, oncall

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new/", views.incident_create, name="create"),
    path("<uuid:public_id>/", views.incident_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.incident_edit, name="edit"),
    path("<uuid:public_id>/transition/", views.incident_transition, name="transition"),
    # Justice and accountability (issue 13 item 6).
    path(
        "<uuid:public_id>/accountability/", accountability.accountability_record, name="accountability_record"
    ),
    path(
        "<uuid:public_id>/accountability/<uuid:step_id>/remove/",
        accountability.accountability_remove,
        name="accountability_remove",
    ),
    # The intake's location type-ahead (issue 13 item 7).
    path("locations/search/", location_search.location_search_json, name="location_search"),
    # Early-warning alerts (issue 13 item 4).
    path("alerts/", alerts.alert_list, name="alert_list"),
    path("alerts/new/", alert_intake.alert_create, name="alert_create"),
    path("alerts/<uuid:public_id>/", alerts.alert_detail, name="alert_detail"),
    path("alerts/<uuid:public_id>/transition/", alerts.alert_transition, name="alert_transition"),
    path("alerts/<uuid:public_id>/link/", alerts.alert_link, name="alert_link"),
    path("alerts/on-call/<int:office_id>/", oncall.oncall_roster, name="oncall_roster"),
    path("alerts/on-call/shifts/<uuid:public_id>/end/", oncall.oncall_end, name="oncall_end"),
]

from django.urls import path

from crsv.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.notification_mark_all_read, name="read"),
    path("failed/", views.notification_failed_list, name="failed"),
]

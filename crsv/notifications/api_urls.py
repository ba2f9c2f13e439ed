from django.urls import path

from crsv.notifications import api

urlpatterns = [
    path("", api.NotificationCollectionView.as_view(), name="notifications"),
    path("read/", api.NotificationReadView.as_view(), name="notifications-read"),
]

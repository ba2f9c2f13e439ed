"""The one-time answer links' page, at `/r/<token>/` (public: `crsv.urls.PUBLIC_PREFIXES`)."""

from __future__ import annotations

from django.urls import path

from referrals.views.links import answer_link

app_name = "referral_links"

urlpatterns = [
    path("<str:token>/", answer_link, name="answer"),
]

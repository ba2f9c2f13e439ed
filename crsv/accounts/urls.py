from django.urls import path

from crsv.accounts import invitation_views, keep_alive, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("keep-alive/", keep_alive.keep_alive, name="keep_alive"),
    # Public (crsv.urls.PUBLIC_PREFIXES): the token is the credential.
    path("invitation/<str:token>/", invitation_views.invitation_accept, name="invitation_accept"),
]

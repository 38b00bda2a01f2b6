from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import languages, timezones, views
from .forms import NewPasswordForm

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("accounts/time-zone/", timezones.time_zone, name="time_zone"),
    path("accounts/language/", languages.set_language, name="set_language"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    # Single sign-on (accounts/oidc.py): mozilla-django-oidc's URL names, which its SessionRefresh expects.
    path("accounts/sso/start/", views.SingleSignOnStartView.as_view(), name="oidc_authentication_init"),
    path("accounts/sso/callback/", views.SingleSignOnCallbackView.as_view(), name="oidc_authentication_callback"),
    path("accounts/sso/logout/", views.SingleSignOnLogoutView.as_view(), name="oidc_logout"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordLinkView.as_view(), name="password_reset"),
    path("accounts/password/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=NewPasswordForm, success_url=reverse_lazy("password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path("accounts/password/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

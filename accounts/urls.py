from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import timezones, views
from .forms import EmailAuthenticationForm, NewPasswordForm

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("accounts/time-zone/", timezones.time_zone, name="time_zone"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True),
        name="login",
    ),
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

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Sign-in and roles"

    def ready(self) -> None:
        from . import timezones  # noqa: F401 - connects restore_time_zone to user_logged_in

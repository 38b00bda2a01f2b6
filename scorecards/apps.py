from django.apps import AppConfig


class ScorecardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scorecards"
    verbose_name = "Scorecards"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the receivers

from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The pages that combine the apps below it (each person's home pages, the charter page with its
    published results) and the demo that seeds them all. Nothing imports it."""

    name = "portal"
    verbose_name = "Portal"

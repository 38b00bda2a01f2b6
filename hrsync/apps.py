from django.apps import AppConfig


class HrsyncConfig(AppConfig):
    name = "hrsync"
    verbose_name = "Nightly HR sync"

from django.apps import AppConfig


class TryonConfig(AppConfig):
    name = "tryon"
    verbose_name = "Try-on"

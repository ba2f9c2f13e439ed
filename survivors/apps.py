from django.apps import AppConfig


class SurvivorsConfig(AppConfig):
    name = "survivors"

from django.apps import AppConfig


class GratitudeConfig(AppConfig):
    name = "gratitude"

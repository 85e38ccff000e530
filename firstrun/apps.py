from django.apps import AppConfig


class FirstrunConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "firstrun"
    verbose_name = "First run"

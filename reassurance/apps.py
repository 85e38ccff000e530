from django.apps import AppConfig


class ReassuranceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reassurance"
    verbose_name = "Reassurance ritual and steadying"

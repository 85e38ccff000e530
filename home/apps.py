from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The top of the house: what gathers every feature (the home page, the
    export of a person's data, the demo data). Nothing imports home."""

    name = "home"

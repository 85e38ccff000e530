from django.contrib import admin

from .models import Answer, Instrument, Round


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    # A clinic adds an instrument it holds a licence for: items, scale and
    # scoring are data.
    list_display = ["key", "name", "scale_min", "scale_max", "drop_flag", "active"]
    list_filter = ["active"]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["id", "couple", "number", "opens_at", "revealed_at", "closed_at"]
    readonly_fields = [
        "couple",
        "instrument",
        "number",
        "opens_at",
        "asked_by",
        "revealed_at",
        "closed_at",
        "created_at",
    ]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    # Support sees that an answer exists, not what it says.
    list_display = ["id", "round", "author", "submitted_at"]
    fields = ["round", "author", "submitted_at", "updated_at"]
    readonly_fields = fields

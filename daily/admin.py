from django.contrib import admin

from .models import DailyAnswer, DailyPreference, DailyQuestion


@admin.register(DailyQuestion)
class DailyQuestionAdmin(admin.ModelAdmin):
    list_display = ["id", "couple", "date", "theme", "question_index", "revealed_at", "closed_at"]
    list_filter = ["theme"]
    fields = ["couple", "date", "question_index", "theme", "text", "created_at", "revealed_at", "closed_at"]
    readonly_fields = fields


@admin.register(DailyAnswer)
class DailyAnswerAdmin(admin.ModelAdmin):
    # Support sees that an answer exists, not what it says.
    list_display = ["id", "question", "author", "created_at", "updated_at"]
    fields = ["question", "author", "created_at", "updated_at"]
    readonly_fields = fields


@admin.register(DailyPreference)
class DailyPreferenceAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "skip_themes", "reminder_time"]
    readonly_fields = ["user"]

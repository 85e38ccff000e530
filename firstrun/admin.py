from django.contrib import admin

from .models import FirstRun


@admin.register(FirstRun)
class FirstRunAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "couple", "finished_at", "skipped_at"]
    readonly_fields = ["user", "couple", "finished_at", "skipped_at"]

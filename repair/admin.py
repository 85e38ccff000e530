from django.contrib import admin

from .models import TimeoutDuring, TimeoutRules, TimeoutRulesVersion


class VersionInline(admin.TabularInline):
    model = TimeoutRulesVersion
    extra = 0
    fields = ["number", "signal", "min_minutes", "max_minutes", "proposed_by", "accepted_at", "declined_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(TimeoutRules)
class TimeoutRulesAdmin(admin.ModelAdmin):
    list_display = ["id", "couple", "status", "version", "active_version", "updated_at"]
    list_filter = ["status"]
    readonly_fields = ["couple", "created_by", "retired_by"]
    inlines = [VersionInline]


@admin.register(TimeoutDuring)
class TimeoutDuringAdmin(admin.ModelAdmin):
    # Support sees that a text exists, not what it says.
    list_display = ["id", "version", "author"]
    fields = ["version", "author"]
    readonly_fields = fields

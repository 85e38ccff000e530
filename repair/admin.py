from django.contrib import admin

from .models import Commitment, Repair, TimeoutDuring, TimeoutRules, TimeoutRulesVersion


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


@admin.register(Repair)
class RepairAdmin(admin.ModelAdmin):
    # Support sees a conversation's life, never its answers.
    list_display = ["id", "couple", "status", "created_at", "expires_at", "closed_at"]
    list_filter = ["status"]
    fields = ["couple", "started_by", "timeout", "status", "created_at", "expires_at", "closed_at", "closed_by"]
    readonly_fields = ["couple", "started_by", "timeout", "created_at", "closed_by"]


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    # That a commitment exists and its state; not what it says.
    # A promise in the ledger (promises/): when it was first due and moved.
    list_display = ["id", "repair", "author", "due_at", "status", "renegotiated_at"]
    list_filter = ["status"]
    fields = ["repair", "author", "first_due_at", "due_at", "renegotiated_at", "status", "kept_at"]
    readonly_fields = ["repair", "author", "first_due_at", "due_at", "renegotiated_at"]

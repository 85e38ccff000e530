from django.contrib import admin

from .models import Digest, Message, Occurrence, Phrase, Ritual, RitualVersion, Steadied


class RitualVersionInline(admin.TabularInline):
    model = RitualVersion
    extra = 0
    fields = ["number", "mode", "weekdays", "time", "timezone", "after_timeout_minutes", "proposed_at", "accepted_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Ritual)
class RitualAdmin(admin.ModelAdmin):
    list_display = ["id", "couple", "status", "version", "active_version", "next_at"]
    list_filter = ["status"]
    readonly_fields = ["couple", "created_by", "created_at", "active_since", "retired_at"]
    inlines = [RitualVersionInline]


@admin.register(Occurrence)
class OccurrenceAdmin(admin.ModelAdmin):
    list_display = ["id", "couple", "at", "closes_at", "revealed_at", "closed_at"]
    fields = ["couple", "ritual", "at", "closes_at", "timeout", "revealed_at", "closed_at"]
    readonly_fields = fields


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    # Support sees that a message exists, not what it says.
    list_display = ["id", "occurrence", "author", "created_at"]
    fields = ["occurrence", "author", "created_at", "updated_at"]
    readonly_fields = fields


@admin.register(Phrase)
class PhraseAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "created_at"]
    fields = ["owner", "created_at", "updated_at"]
    readonly_fields = fields


@admin.register(Steadied)
class SteadiedAdmin(admin.ModelAdmin):
    # Sealed: the admin never shows (or could open) what was written.
    list_display = ["id", "author", "created_at", "helped"]
    fields = ["author", "created_at", "helped", "after_entry", "after_timeout"]
    readonly_fields = fields


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ["id", "author", "couple", "month", "shared_at", "acknowledged_at"]
    fields = ["author", "couple", "month", "shared_at", "acknowledged_at"]
    readonly_fields = fields

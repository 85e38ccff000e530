from django.contrib import admin

from .models import PreSessionNote, SessionNote


@admin.register(PreSessionNote)
class PreSessionNoteAdmin(admin.ModelAdmin):
    # Support sees that a note exists, not what it says.
    list_display = ["id", "couple", "therapist", "author", "share_with_partner", "created_at"]
    fields = ["couple", "therapist", "author", "share_with_partner", "created_at"]
    readonly_fields = fields


@admin.register(SessionNote)
class SessionNoteAdmin(admin.ModelAdmin):
    # A therapist's private notes: metadata only.
    list_display = ["id", "therapist", "couple", "written_at"]
    fields = ["therapist", "couple", "written_at"]
    readonly_fields = fields

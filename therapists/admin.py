from django.contrib import admin

from .models import NextSession, Practice, PracticeAnswer, PreSessionNote, SessionNote


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


class PracticeAnswerInline(admin.TabularInline):
    model = PracticeAnswer
    fields = ["partner", "accepted", "at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    # The couple's record: read-only; the details stay out of the list.
    list_display = ["id", "couple", "therapist_name", "kind", "state", "due_at", "proposed_at"]
    list_filter = ["kind", "state"]
    fields = [
        "couple",
        "therapist",
        "therapist_name",
        "kind",
        "title",
        "due_at",
        "proposed_at",
        "state",
        "accepted_at",
        "settled_at",
    ]
    readonly_fields = fields
    inlines = [PracticeAnswerInline]


@admin.register(NextSession)
class NextSessionAdmin(admin.ModelAdmin):
    list_display = ["id", "couple", "therapist", "at", "created_at"]
    fields = ["couple", "therapist", "at", "created_at"]
    readonly_fields = fields

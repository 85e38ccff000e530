from django.contrib import admin

from .models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "display_name", "role", "timezone", "date_joined"]
    search_fields = ["email", "display_name"]
    list_filter = ["role"]
    # The quiet pause and the safety question's next ask are the person's
    # alone (docs/safety.md), and hashes stay out of the admin: not shown to
    # staff either.
    exclude = ["password", "couple_paused_at", "safety_ask_at", "app_lock_pin"]

    def get_queryset(self, request):
        # A closed account waiting to be erased is invisible here too: its
        # owner has left, and only its emailed link brings it back
        # (accounts.models.AccountClosure; not registered in the admin).
        return super().get_queryset(request).filter(closure__isnull=True)

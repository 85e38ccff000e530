from django.contrib import admin

from .models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "display_name", "role", "timezone", "date_joined"]
    search_fields = ["email", "display_name"]
    list_filter = ["role"]
    exclude = ["password", "app_lock_pin"]  # hashes stay out of the admin

from django.contrib import admin

from .models import Delivery, Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "kind", "fire_at", "status"]
    list_filter = ["kind", "status"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "kind", "outcome", "decided_at", "email_state", "push_state"]
    list_filter = ["kind", "outcome"]

from django.contrib import admin

from .models import Couple, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Couple)
class CoupleAdmin(admin.ModelAdmin):
    list_display = ["id", "timezone", "created_at", "ended_at"]
    inlines = [MembershipInline]

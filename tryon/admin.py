from django.contrib import admin

from tryon.models import ApiKey, TryOnTask


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "credits", "is_active", "created_at", "last_used_at"]
    search_fields = ["name", "prefix"]


@admin.register(TryOnTask)
class TryOnTaskAdmin(admin.ModelAdmin):
    list_display = ["public_id", "cloth_type", "hd_mode", "status", "progress", "created_at"]
    list_filter = ["status", "cloth_type", "hd_mode", "moderation"]
    search_fields = ["public_id"]

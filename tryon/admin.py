from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from tryon import services
from tryon.keys import create_api_key
from tryon.keys import revoke as revoke_keys
from tryon.models import ApiKey, TryOnTask


class ApiKeyAddForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["name", "credits", "rate_limit_per_minute"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "credits", "is_active", "created_at", "last_used_at"]
    list_editable = ["credits"]
    list_filter = ["is_active"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = ["name", "prefix", "credits", "rate_limit_per_minute", "is_active", "created_at", "last_used_at"]
    actions = ["revoke"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ApiKeyAddForm.Meta.fields if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # The raw key exists only here: hash stored, value shown once, never again.
        api_key, raw_key = create_api_key(obj.name, obj.credits)
        if obj.rate_limit_per_minute is not None:
            api_key.rate_limit_per_minute = obj.rate_limit_per_minute
            api_key.save(update_fields=["rate_limit_per_minute"])
        obj.pk = api_key.pk
        obj.prefix = api_key.prefix
        obj.hashed_key = api_key.hashed_key
        obj.created_at = api_key.created_at
        obj._state.adding = False
        messages.warning(
            request,
            f"The new API key for “{api_key.name}” is {raw_key} — copy it now: it is stored only as a hash "
            "and will not be shown again.",
        )

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset):
        revoked = revoke_keys(queryset)
        self.message_user(request, f"Revoked {revoked} key{'s' if revoked != 1 else ''}.")


@admin.register(TryOnTask)
class TryOnTaskAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "public_id", "status", "cloth_type", "hd_mode", "moderation", "owner", "created_at"]
    list_display_links = ["thumbnail", "public_id"]
    list_filter = ["status", "cloth_type", "hd_mode", "moderation"]
    search_fields = ["public_id"]
    list_select_related = ["api_key", "user", "moderated_by"]
    date_hierarchy = "created_at"
    actions = ["approve", "reject", "hide"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "public_id",
                    "owner",
                    "result_preview",
                    "cloth_type",
                    "hd_mode",
                    "status",
                    "progress",
                    "stage",
                    "error",
                    "attempts",
                ]
            },
        ),
        ("Timings", {"fields": ["created_at", "started_at", "progress_updated_at", "completed_at", "duration"]}),
        ("Credits", {"fields": ["credits_charged", "refunded"]}),
        ("Lookbook", {"fields": ["moderation", "moderated_by", "moderated_at"]}),
    ]
    readonly_fields = [
        "public_id", "owner", "result_preview", "cloth_type", "hd_mode", "status", "progress", "stage", "error",
        "attempts", "created_at", "started_at", "progress_updated_at", "completed_at", "duration",
        "credits_charged", "refunded", "moderation", "moderated_by", "moderated_at",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False  # tasks come from the studio or the API, which store the inputs and charge credits

    @admin.display(description="Result")
    def thumbnail(self, task):
        if not task.result_thumbnail:
            return "—"
        url = reverse("task_image", kwargs={"public_id": task.public_id, "kind": "thumbnail"})
        return format_html('<img src="{}" alt="" style="height:64px;width:auto;border-radius:4px">', url)

    @admin.display(description="Result")
    def result_preview(self, task):
        if not task.result_thumbnail:
            return "—"
        thumb = reverse("task_image", kwargs={"public_id": task.public_id, "kind": "thumbnail"})
        full = reverse("task_image", kwargs={"public_id": task.public_id, "kind": "result"})
        return format_html('<a href="{}"><img src="{}" alt="Result" style="max-height:240px"></a>', full, thumb)

    @admin.display(description="Owner")
    def owner(self, task):
        if task.api_key_id:
            return f"API key {task.api_key}"
        if task.user_id:
            return f"user {task.user}"
        return "anonymous browser"

    @admin.display(description="Run time")
    def duration(self, task):
        if task.started_at and task.completed_at:
            return f"{(task.completed_at - task.started_at).total_seconds():.1f} s"
        return "—"

    def _moderate(self, request, queryset, decision):
        changed = services.moderate(request.user, list(queryset.values_list("public_id", flat=True)), decision)
        self.message_user(request, f"{decision.capitalize()}: {changed} result{'s' if changed != 1 else ''} changed.")

    @admin.action(description="Approve for the public lookbook")
    def approve(self, request, queryset):
        self._moderate(request, queryset, "approve")

    @admin.action(description="Reject from the lookbook")
    def reject(self, request, queryset):
        self._moderate(request, queryset, "reject")

    @admin.action(description="Hide from the lookbook")
    def hide(self, request, queryset):
        self._moderate(request, queryset, "hide")

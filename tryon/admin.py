from django import forms
from django.contrib import admin, messages
from django.db import models
from django.urls import reverse
from django.utils.html import format_html

from tryon import services, webhooks
from tryon.keys import create_api_key
from tryon.keys import revoke as revoke_keys
from tryon.models import ApiKey, CreditEntry, TryOnTask, WebhookAttempt, WebhookDelivery


class ApiKeyAddForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["name", "credits", "rate_limit_per_minute"]


class ApiKeyChangeForm(forms.ModelForm):
    """The balance itself is read-only: staff add (or take) credits, recorded in the ledger."""

    add_credits = forms.IntegerField(
        required=False, help_text="Credits to add to the balance as it is when you save (negative to take some back)."
    )
    credits_reason = forms.CharField(
        required=False, max_length=200, label="Reason", help_text="Why, for the credit ledger (required with credits)."
    )

    class Meta:
        model = ApiKey
        fields = ["name", "rate_limit_per_minute", "is_active"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("add_credits") and not cleaned.get("credits_reason", "").strip():
            self.add_error("credits_reason", "Say why the credits change.")
        return cleaned


class CreditEntryInline(admin.TabularInline):
    model = CreditEntry
    fields = ["created_at", "change", "kind", "reason", "changed_by", "task"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False
    verbose_name_plural = "Credit ledger (newest first)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by", "task")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "credits", "is_active", "created_at", "last_used_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "credits", "created_at", "last_used_at", "webhook_secret"]
    fields = [
        "name", "prefix", "credits", "add_credits", "credits_reason", "rate_limit_per_minute", "is_active",
        "created_at", "last_used_at", "webhook_url", "webhook_secret",
    ]  # fmt: skip
    actions = ["revoke"]
    inlines = [CreditEntryInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = ApiKeyAddForm if obj is None else ApiKeyChangeForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ApiKeyAddForm.Meta.fields if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            # Only what the form changed: a full save would write back the balance read when the page
            # opened and undo every charge and refund since.
            changed = [name for name in form.changed_data if name in ApiKeyChangeForm.Meta.fields]
            if changed:
                obj.save(update_fields=changed)
            added = form.cleaned_data.get("add_credits")
            if added and not services.add_credits(obj, added, form.cleaned_data["credits_reason"], request.user):
                messages.error(request, f"Not enough credits to take {-added}: the balance is unchanged.")
            obj.refresh_from_db(fields=["credits"])
            return
        # The raw key exists only here: hash stored, value shown once, never again.
        api_key, raw_key = create_api_key(obj.name, obj.credits, "created in the admin", request.user)
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
            f"and will not be shown again. Its webhook signing secret is {api_key.webhook_secret}.",
        )

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset):
        revoked = revoke_keys(queryset)
        self.message_user(request, f"Revoked {revoked} key{'s' if revoked != 1 else ''}.")


@admin.register(CreditEntry)
class CreditEntryAdmin(admin.ModelAdmin):
    """Every change to every key's credits; written by the code that changes them, never edited here."""

    list_display = ["created_at", "api_key", "change", "kind", "reason", "changed_by", "task"]
    list_filter = ["kind"]
    search_fields = ["api_key__name", "api_key__prefix", "reason"]
    list_select_related = ["api_key", "changed_by", "task"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "duration_ms", "status_code", "error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["message_id", "task", "url", "status", "attempts", "next_attempt_at", "created_at", "delivered_at"]
    list_filter = ["status"]
    search_fields = ["message_id", "task__public_id", "url"]
    list_select_related = ["task"]
    readonly_fields = [
        "message_id", "task", "url", "status", "attempts", "next_attempt_at", "created_at", "delivered_at",
    ]  # fmt: skip
    fields = readonly_fields
    inlines = [WebhookAttemptInline]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False  # deliveries come from finished tasks

    @admin.action(description="Resend the selected deliveries now")
    def resend(self, request, queryset):
        for delivery in queryset:
            webhooks.resend(delivery)
        count = queryset.count()
        self.message_user(request, f"Resending {count} deliver{'ies' if count != 1 else 'y'}.")

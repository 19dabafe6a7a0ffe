import base64
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


def new_webhook_secret() -> str:
    """A Standard Webhooks signing secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class ApiKey(models.Model):
    """A FitRoom API key. Only a SHA-256 of the raw key is stored; the prefix finds the row."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    hashed_key = models.CharField(max_length=64, editable=False)
    credits = models.IntegerField(default=0, help_text="Credits left; one try-on task costs TRYON_TASK_CREDITS.")
    is_active = models.BooleanField(default=True, help_text="Untick to revoke the key at once.")
    rate_limit_per_minute = models.PositiveIntegerField(
        null=True, blank=True, help_text="Leave empty for the default (60 requests per minute)."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    webhook_url = models.URLField(
        max_length=2000, blank=True, help_text="Where finished tasks are reported when a create names no webhook_url."
    )
    # Kept in clear: every delivery is signed with it (Standard Webhooks, HMAC-SHA256).
    webhook_secret = models.CharField(max_length=64, default=new_webhook_secret, editable=False)

    class Meta:
        verbose_name = "API key"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class RateLimitWindow(models.Model):
    """Requests counted for one key in one fixed one-minute window (used when Redis is absent)."""

    key_prefix = models.CharField(max_length=16)
    window = models.BigIntegerField(help_text="Unix minute")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key_prefix", "window"], name="unique_rate_limit_window")]


def _public_id():
    return uuid.uuid4().hex


def _input_path(task, filename):
    return f"inputs/{timezone.now():%Y/%m/%d}/{task.public_id}-{secrets.token_hex(4)}-{filename}"


def _result_path(task, filename):
    return f"results/{timezone.now():%Y/%m/%d}/{task.public_id}-{secrets.token_hex(4)}-{filename}"


class TryOnTask(models.Model):
    class Status(models.TextChoices):
        CREATED = "CREATED"
        PROCESSING = "PROCESSING"
        COMPLETED = "COMPLETED"
        FAILED = "FAILED"

    class ClothType(models.TextChoices):
        UPPER = "upper"
        LOWER = "lower"
        FULL_SET = "full_set"
        COMBO = "combo"

    class Moderation(models.TextChoices):
        PRIVATE = "private", "Private"
        SUBMITTED = "submitted", "Submitted for the lookbook"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        HIDDEN = "hidden", "Hidden"

    public_id = models.CharField(max_length=32, unique=True, default=_public_id, editable=False)
    # Exactly one owner: an API key, a signed-in user, or an anonymous browser session.
    api_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="tryon_tasks"
    )
    session_key = models.CharField(max_length=40, blank=True, db_index=True)

    cloth_type = models.CharField(max_length=10, choices=ClothType.choices)
    cloth_type_auto = models.BooleanField(
        default=False, help_text="cloth_type was 'auto': the clothes check chose the type stored above."
    )
    hd_mode = models.BooleanField(default=False)
    model_image = models.ImageField(upload_to=_input_path)
    cloth_image = models.ImageField(upload_to=_input_path)
    lower_cloth_image = models.ImageField(upload_to=_input_path, blank=True)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CREATED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=32, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A remote backend's own task id: a redelivery resumes polling it instead of paying for another.
    remote_task_id = models.CharField(max_length=100, blank=True)
    result_image = models.ImageField(upload_to=_result_path, blank=True)
    result_thumbnail = models.ImageField(upload_to=_result_path, blank=True)

    credits_charged = models.PositiveIntegerField(default=0)
    refunded = models.BooleanField(default=False)

    webhook_url = models.URLField(max_length=2000, blank=True, help_text="Reported to when finished (else the key's).")
    # scheme://host the task was created through: the base of the download link in its webhooks.
    origin = models.CharField(max_length=300, blank=True)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Last time the sweep put a still-CREATED task back on the queue (a killed cluster may have held it).
    requeued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    progress_updated_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    moderation = models.CharField(max_length=10, choices=Moderation.choices, default=Moderation.PRIVATE, db_index=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    # When the owner confirmed that the person pictured agrees to be shown in the public lookbook.
    publish_consent_at = models.DateTimeField(null=True, blank=True)
    # An unguessable token for a read-only link to the result; emptied to revoke the link.
    share_token = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "try-on task"

    def __str__(self):
        return f"{self.public_id} {self.cloth_type} {self.status}"

    @property
    def is_finished(self):
        return self.status in (self.Status.COMPLETED, self.Status.FAILED)


class Invitation(models.Model):
    """A one-time link for a stylist to create their own studio account; only a SHA-256 of it is stored."""

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    note = models.CharField(max_length=100, blank=True, help_text="Who it is for, for staff's own reference.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.note or f"invitation {self.pk}"


def _person_path(person, filename):
    return f"people/{timezone.now():%Y/%m/%d}/{secrets.token_hex(8)}-{filename}"


class SavedPerson(models.Model):
    """A stylist's saved model photo ("My models"), to dress again without uploading it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_people")
    image = models.ImageField(upload_to=_person_path)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "saved people"

    def __str__(self):
        return f"{self.user} person {self.pk}"


class CreditEntry(models.Model):
    """One change to a key's credits: who or what changed it, when, by how many, and why.

    Written in the same transaction as the change itself, so the entries of a key add up to its credits.
    """

    class Kind(models.TextChoices):
        INITIAL = "initial", "Credits the key was created with"
        ADMIN = "admin", "Added or taken by staff"
        CHARGE = "charge", "Try-on task charged"
        REFUND = "refund", "Failed task refunded"

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="credit_entries")
    change = models.IntegerField(help_text="Credits added (positive) or taken (negative).")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.CharField(max_length=200, blank=True)
    task = models.ForeignKey(TryOnTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "credit ledger entry"
        verbose_name_plural = "credit ledger"

    def __str__(self):
        return f"{self.change:+d} {self.get_kind_display()}"


class IdempotencyKey(models.Model):
    """An ``Idempotency-Key`` an API key sent with a create: the request it named and the task it made.

    Kept for a day (services.IDEMPOTENCY_WINDOW). ``task`` is empty while the first request is
    still being created.
    """

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request's fields and files")
    task = models.ForeignKey(TryOnTask, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["api_key", "key"], name="unique_idempotency_key_per_api_key")]


def _message_id():
    return f"msg_{uuid.uuid4().hex}"


class WebhookDelivery(models.Model):
    """One finished task reported to one URL: the message and its state across attempts."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Gave up"

    task = models.ForeignKey(TryOnTask, on_delete=models.CASCADE, related_name="webhook_deliveries")
    url = models.URLField(max_length=2000)
    message_id = models.CharField(max_length=40, unique=True, default=_message_id, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self):
        return f"{self.message_id} {self.status}"


class WebhookAttempt(models.Model):
    """One POST of a delivery: what was sent and what came back."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    payload = models.TextField(blank=True)

    class Meta:
        ordering = ["delivery", "number"]

    def __str__(self):
        return f"{self.delivery.message_id} #{self.number}"

"""The verbs both front doors (the FitRoom API and the studio) share.

Nothing here knows about HTTP. State changes that could race (charge, claim, progress,
finish, refund) are single conditional UPDATEs whose row count is checked.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from PIL import Image

from tryon import backends, cloth_types, engine
from tryon.backends import get_backend
from tryon.models import ApiKey, IdempotencyKey, TryOnTask

log = logging.getLogger(__name__)

STORED_INPUT_MAX_SIDE = 4096  # inputs are re-encoded (metadata stripped) at most this large
THUMBNAIL_SIZE = 360
# A worker that died mid-task gets one more delivery; after that the task fails.
MAX_ATTEMPTS = 2
# How long an Idempotency-Key keeps naming its task.
IDEMPOTENCY_WINDOW = timedelta(hours=24)
GENERIC_FAILURE = "Failed to process try-on task"
TIMED_OUT = "The try-on task timed out"


class ServiceError(Exception):
    """A domain error with a message safe to show to API clients and shoppers."""

    status = 400


class InvalidInput(ServiceError):
    status = 400


class InsufficientCredits(ServiceError):
    status = 402


class TaskNotFound(ServiceError):
    status = 404


class EngineUnavailable(ServiceError):
    status = 503


class Conflict(ServiceError):
    """The request clashes with the task's current state (cancelling a finished task)."""

    status = 409


class IdempotencyKeyInUse(Conflict):
    """The first request with this Idempotency-Key is still being created."""


class IdempotencyKeyReused(ServiceError):
    """The Idempotency-Key was already used for a different request."""

    status = 422


class TaskCancelled(Exception):
    """Raised inside a running render once its task was cancelled: the work stops and nothing is saved."""


CANCELLED = "cancelled"


@dataclass(frozen=True)
class Owner:
    """Who a task belongs to: an API key, a signed-in user, or an anonymous browser session."""

    api_key: ApiKey | None = None
    user: object | None = None
    session_key: str = ""

    def tasks(self) -> QuerySet[TryOnTask]:
        if self.api_key is not None:
            return TryOnTask.objects.filter(api_key=self.api_key)
        if self.user is not None and self.user.is_authenticated:
            return TryOnTask.objects.filter(user=self.user)
        if self.session_key:
            return TryOnTask.objects.filter(session_key=self.session_key, user=None, api_key=None)
        return TryOnTask.objects.none()

    def task_fields(self) -> dict:
        if self.api_key is not None:
            return {"api_key": self.api_key}
        if self.user is not None and self.user.is_authenticated:
            return {"user": self.user}
        return {"session_key": self.session_key}


# --- Checks ------------------------------------------------------------------------------------


def check_model_image(image: Image.Image):
    """FitRoom's model check: is_good, error_code, good_clothes_types (+ overlay data)."""
    with _backend_errors():
        return get_backend().check_model(image)


def check_clothes_image(image: Image.Image):
    """FitRoom's clothes check: clothes_type, is_clothes."""
    with _backend_errors():
        return get_backend().check_clothes(image)


@contextmanager
def _backend_errors():
    """The backend's refusal of the image is the caller's 400; the backend being away is our 503."""
    try:
        yield
    except backends.ImageRejected as exc:
        raise InvalidInput(f"input_image: {exc}") from exc
    except backends.BackendUnavailable as exc:
        log.warning("try-on backend unavailable for a check: %s", exc)
        raise EngineUnavailable("The try-on engine is unavailable. Please try again later.") from exc


# --- Creating tasks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Idempotency:
    """A client's Idempotency-Key and a fingerprint of the request it came with."""

    key: str
    fingerprint: str


def create_task(
    owner: Owner,
    *,
    model_image: Image.Image,
    cloth_image: Image.Image,
    cloth_type: str,
    lower_cloth_image: Image.Image | None = None,
    hd_mode: bool = False,
    webhook_url: str = "",
    origin: str = "",
    idempotency: Idempotency | None = None,
) -> TryOnTask:
    """Store validated inputs, charge credits and queue the try-on once the row is committed.

    With ``idempotency`` (API keys only), a repeat of the same request within a day gets the
    first request's task back and is not charged again. ``webhook_url`` is told when the task
    ends; ``origin`` (scheme://host) is where the download link in that report points.
    """
    fields = {"hd_mode": hd_mode, "webhook_url": webhook_url or "", "origin": origin}
    if idempotency is not None:
        earlier = _claim_idempotency_key(owner.api_key, idempotency)
        if earlier is not None:
            return earlier
        try:
            return _create_task(owner, model_image, cloth_image, cloth_type, lower_cloth_image, fields, idempotency)
        except BaseException:
            # Nothing was created under the key: free it, so the client's retry can go ahead.
            IdempotencyKey.objects.filter(api_key=owner.api_key, key=idempotency.key, task=None).delete()
            raise
    return _create_task(owner, model_image, cloth_image, cloth_type, lower_cloth_image, fields, None)


def _create_task(owner, model_image, cloth_image, cloth_type, lower_cloth_image, fields, idempotency) -> TryOnTask:
    auto = cloth_type == cloth_types.AUTO
    if auto:
        cloth_type = detect_cloth_type(model_image, cloth_image)
    if cloth_type == TryOnTask.ClothType.COMBO and lower_cloth_image is None:
        raise InvalidInput("lower_cloth_image is required when cloth_type is combo")
    if cloth_type != TryOnTask.ClothType.COMBO:
        lower_cloth_image = None
    encoded = {
        "model_image": _encode_input(model_image),
        "cloth_image": _encode_input(cloth_image),
        "lower_cloth_image": _encode_input(lower_cloth_image) if lower_cloth_image else None,
    }
    cost = settings.TRYON_TASK_CREDITS if owner.api_key is not None else 0
    with transaction.atomic():
        if cost:
            _charge(owner.api_key, cost)
        task = TryOnTask(
            cloth_type=cloth_type, cloth_type_auto=auto, credits_charged=cost, **fields, **owner.task_fields()
        )
        for field, data in encoded.items():
            if data is not None:
                getattr(task, field).save(f"{field}.jpg", ContentFile(data), save=False)
        task.save()
        if idempotency is not None:
            # In the charge's transaction: the key names a task exactly when the task exists.
            IdempotencyKey.objects.filter(api_key=owner.api_key, key=idempotency.key).update(task=task)
        transaction.on_commit(lambda: enqueue_task(task.public_id))
    return task


def detect_cloth_type(model_image: Image.Image, cloth_image: Image.Image) -> str:
    """cloth_type "auto": the garment's own type, by the clothes check, if the person photo can wear it."""
    from tryon.errors import CHECK_CODES

    clothes = check_clothes_image(cloth_image)
    found = cloth_types.task_type(clothes.clothes_type or "") if clothes.is_clothes else None
    if found is None:
        raise InvalidInput("cloth_image: no single garment found, so cloth_type auto cannot choose a type")
    model = check_model_image(model_image)
    code = CHECK_CODES.get(model.error_code or "")
    if not model.is_good or (code is not None and code.is_error):
        reason = code.documented if code else "the model image is not usable"
        raise InvalidInput(f"model_image: {reason}")
    if found not in cloth_types.wearable(model.good_clothes_types):
        garment = cloth_types.CLOTH_TYPES[found].label.lower()
        raise InvalidInput(
            f"cloth_image is {found} clothes ({garment}), but the model image does not show enough of the body "
            f"for them; it suits {', '.join(model.good_clothes_types) or 'no clothes type'}"
        )
    return found


def _claim_idempotency_key(api_key: ApiKey, idempotency: Idempotency) -> TryOnTask | None:
    """Reserve the key for this request (None), or return the task an earlier identical request made."""
    IdempotencyKey.objects.filter(
        api_key=api_key, key=idempotency.key, created_at__lt=timezone.now() - IDEMPOTENCY_WINDOW
    ).delete()
    try:
        # Committed at once (its own transaction), so a concurrent repeat sees the reservation.
        with transaction.atomic():
            IdempotencyKey.objects.create(api_key=api_key, key=idempotency.key, fingerprint=idempotency.fingerprint)
        return None
    except IntegrityError:
        pass
    earlier = IdempotencyKey.objects.filter(api_key=api_key, key=idempotency.key).select_related("task").first()
    if earlier is not None and earlier.fingerprint != idempotency.fingerprint:
        raise IdempotencyKeyReused("this Idempotency-Key was already used for a different request")
    if earlier is None or earlier.task is None:
        raise IdempotencyKeyInUse("a request with this Idempotency-Key is still being processed; retry shortly")
    return earlier.task


def delete_expired_idempotency_keys() -> int:
    cutoff = timezone.now() - IDEMPOTENCY_WINDOW
    return IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()[0]


def retry_task(owner: Owner, public_id: str) -> TryOnTask:
    """A new task from a failed one's stored inputs (nothing the user uploaded is lost)."""
    old = get_task(owner, public_id)
    if old.status != TryOnTask.Status.FAILED:
        raise InvalidInput("only a failed task can be retried")
    images = _load_inputs(old)
    return create_task(
        owner,
        model_image=images["model_image"],
        cloth_image=images["cloth_image"],
        lower_cloth_image=images["lower_cloth_image"],
        cloth_type=old.cloth_type,
        hd_mode=old.hd_mode,
        webhook_url=old.webhook_url,
        origin=old.origin,
    )


def enqueue_task(public_id: str) -> None:
    from django_q.tasks import async_task

    async_task(
        "tryon.tasks.run_tryon_task",
        public_id,
        task_name=f"tryon-{public_id}",
        hook="tryon.tasks.tryon_task_finished",
    )


def _charge(api_key: ApiKey, cost: int) -> None:
    # Conditional UPDATE: two concurrent requests can never spend the same credit.
    charged = ApiKey.objects.filter(pk=api_key.pk, credits__gte=cost).update(credits=F("credits") - cost)
    if not charged:
        raise InsufficientCredits("Insufficient credit. Please upgrade your plan or purchase more credits.")


def _encode_input(image: Image.Image) -> bytes:
    return engine.encode_image(engine.fit_within(image, STORED_INPUT_MAX_SIDE), quality=95)


# --- Reading tasks -----------------------------------------------------------------------------


def get_task(owner: Owner, public_id: str) -> TryOnTask:
    """The owner's task; another owner's id is indistinguishable from an unknown one."""
    if "\x00" in public_id:  # PostgreSQL refuses NUL in a query (DataError, which would read as an outage)
        raise TaskNotFound("task not found")
    task = owner.tasks().filter(public_id=public_id).first()
    if task is None:
        raise TaskNotFound("task not found")
    if not task.is_finished and fail_stale_tasks(TryOnTask.objects.filter(pk=task.pk)):
        task.refresh_from_db()
    return task


def cancel_task(owner: Owner, public_id: str) -> TryOnTask:
    """End an unfinished task as FAILED "cancelled" with its credits refunded; a running render stops."""
    task = get_task(owner, public_id)
    # fail_task's conditional UPDATE decides: a task that finishes meanwhile keeps its outcome.
    if task.is_finished or not fail_task(task.public_id, CANCELLED):
        raise Conflict("the task has already finished")
    task.refresh_from_db()
    return task


# --- Running tasks (worker side) ---------------------------------------------------------------


def run_task(public_id: str) -> None:
    """Run one try-on. Safe to call twice: a finished or live task is left alone."""
    now = timezone.now()
    died_before = now - timedelta(seconds=settings.TRYON_TASK_TIMEOUT)
    # Claim: a fresh task, or a redelivery of one whose worker died (no progress for a whole timeout).
    claimed = (
        TryOnTask.objects.filter(public_id=public_id)
        .filter(
            Q(status=TryOnTask.Status.CREATED)
            | Q(status=TryOnTask.Status.PROCESSING, attempts__lt=MAX_ATTEMPTS, progress_updated_at__lt=died_before)
        )
        .update(
            status=TryOnTask.Status.PROCESSING,
            attempts=F("attempts") + 1,
            started_at=Coalesce(F("started_at"), now),
            progress_updated_at=now,
            progress=Greatest(F("progress"), 1),
            stage="load",
        )
    )
    if not claimed:
        log.info("task %s not claimed: finished, running elsewhere or out of attempts", public_id)
        return
    task = TryOnTask.objects.get(public_id=public_id)
    mine = TryOnTask.objects.filter(pk=task.pk, status=TryOnTask.Status.PROCESSING, attempts=task.attempts)

    def report(stage: str, fraction: float) -> None:
        percent = 1 + int(max(0.0, min(1.0, fraction)) * 97)  # 1..98; 99 is saving, 100 done
        # Never decreasing, even across attempts, and only while this attempt owns the task.
        updated = mine.filter(progress__lt=percent).update(
            progress=percent, stage=stage, progress_updated_at=timezone.now()
        )
        if not updated and not mine.exists():
            raise TaskCancelled(public_id)  # cancelled (or ended by the sweeper): stop rendering

    try:
        images = _load_inputs(task)
        job = backends.RenderJob(
            task_id=task.public_id,
            model_image=images["model_image"],
            cloth_image=images["cloth_image"],
            cloth_type=task.cloth_type,
            lower_cloth_image=images["lower_cloth_image"],
            hd=task.hd_mode,
            remote_task_id=task.remote_task_id,
            # Stored at once: if this worker dies, the redelivery resumes that remote task, never pays twice.
            remember_remote_task=lambda remote_task_id: mine.update(remote_task_id=remote_task_id),
        )
        result = get_backend().render(job, report)
        mine.filter(progress__lt=99).update(progress=99, stage="save", progress_updated_at=timezone.now())
        _save_result(task, mine, result)
    except TaskCancelled:
        log.info("task %s was ended while rendering; its result is dropped", public_id)
    except Exception as exc:
        log.exception("try-on task %s failed", public_id)
        fail_task(public_id, _user_message(exc))


def _load_inputs(task: TryOnTask) -> dict[str, Image.Image | None]:
    limits = engine.ImageLimits(max_pixels=STORED_INPUT_MAX_SIDE**2 + 1)
    images = {}
    for field in ("model_image", "cloth_image", "lower_cloth_image"):
        file = getattr(task, field)
        if file:
            with file.open("rb") as handle:
                images[field] = engine.load_image(handle.read(), limits)
        else:
            images[field] = None
    return images


def _save_result(task: TryOnTask, mine: QuerySet[TryOnTask], result: bytes) -> None:
    # Results from a remote server are untrusted bytes: decode them like an upload.
    decoded = engine.load_image(result, engine.ImageLimits(max_bytes=64 * 1024 * 1024))
    image = engine.fit_within(decoded, settings.TRYON_RESULT_MAX_SIDE)
    if image is not decoded or not result.startswith(b"\xff\xd8"):
        result = engine.encode_image(image)  # over the contract's 2048 px, or not a JPEG
    thumbnail = engine.fit_within(image, THUMBNAIL_SIZE)
    task.result_image.save("result.jpg", ContentFile(result), save=False)
    task.result_thumbnail.save("thumb.jpg", ContentFile(engine.encode_image(thumbnail, quality=85)), save=False)
    finished = mine.update(
        status=TryOnTask.Status.COMPLETED,
        progress=100,
        stage="done",
        result_image=task.result_image.name,
        result_thumbnail=task.result_thumbnail.name,
        completed_at=timezone.now(),
    )
    if not finished:
        # Another attempt or the stale-task sweeper ended this task first: keep its outcome.
        task.result_image.delete(save=False)
        task.result_thumbnail.delete(save=False)
        return
    _report_finished(task.public_id)


def _user_message(exc: Exception) -> str:
    if isinstance(exc, (backends.RenderFailed, backends.ImageRejected, engine.ImageError)):
        return str(exc)  # about the inputs (or a remote server's own error text): the user can act on it
    if isinstance(exc, backends.RenderTimedOut):
        return TIMED_OUT
    return GENERIC_FAILURE


def fail_task(public_id: str, message: str) -> bool:
    """End an unfinished task as FAILED and refund its credits, exactly once."""
    with transaction.atomic():
        task = TryOnTask.objects.filter(public_id=public_id).values("pk", "api_key_id", "credits_charged").first()
        if task is None:
            return False
        refund = task["credits_charged"] if task["api_key_id"] else 0
        # Only the transition out of CREATED/PROCESSING refunds, and it can happen once.
        failed = TryOnTask.objects.filter(
            pk=task["pk"], status__in=[TryOnTask.Status.CREATED, TryOnTask.Status.PROCESSING]
        ).update(status=TryOnTask.Status.FAILED, error=message, completed_at=timezone.now(), refunded=bool(refund))
        if failed and refund:
            ApiKey.objects.filter(pk=task["api_key_id"]).update(credits=F("credits") + refund)
        if failed:
            transaction.on_commit(lambda: _report_finished(public_id))
    return bool(failed)


def _report_finished(public_id: str) -> None:
    """Queue the task's webhook, if any. The task's outcome stands even if the queue is away."""
    from tryon import webhooks

    try:
        webhooks.task_finished(public_id)
    except Exception:
        log.exception("could not queue the webhook of task %s", public_id)


def abandon_remote_task(public_id: str) -> None:
    """A worker killed mid-render cannot cancel the remote task it was waiting for: do it for it."""
    remote_task_id = TryOnTask.objects.filter(public_id=public_id).values_list("remote_task_id", flat=True).first()
    abandon = getattr(get_backend(), "abandon", None)  # optional in the contract: only remote backends have it
    if remote_task_id and abandon is not None:
        abandon(remote_task_id)


def fail_stale_tasks(tasks: QuerySet[TryOnTask] | None = None) -> int:
    """Fail tasks that stopped making progress (worker killed, power cut, lost broker message)."""
    tasks = TryOnTask.objects.all() if tasks is None else tasks
    now = timezone.now()
    stale = tasks.filter(
        Q(
            status=TryOnTask.Status.PROCESSING,
            progress_updated_at__lt=now - timedelta(seconds=settings.TRYON_STALE_AFTER),
        )
        | Q(status=TryOnTask.Status.CREATED, created_at__lt=now - timedelta(seconds=settings.TRYON_QUEUE_TIMEOUT))
    )
    count = 0
    for public_id, status in stale.values_list("public_id", "status"):
        if status == TryOnTask.Status.CREATED:
            message = "The try-on task waited too long in the queue and was cancelled"
        else:
            message = "The try-on task timed out"
        count += fail_task(public_id, message)
    return count


def delete_expired_files() -> int:
    """Delete finished tasks (row and files) older than TRYON_RETENTION_DAYS.

    Results approved for the public lookbook stay, as does anything still queued or running.
    """
    cutoff = timezone.now() - timedelta(days=settings.TRYON_RETENTION_DAYS)
    expired = TryOnTask.objects.filter(
        created_at__lt=cutoff, status__in=[TryOnTask.Status.COMPLETED, TryOnTask.Status.FAILED]
    ).exclude(moderation=TryOnTask.Moderation.APPROVED)
    count = 0
    for task in expired.iterator():
        delete_task_files(task)
        task.delete()
        count += 1
    return count


def delete_task_files(task: TryOnTask) -> None:
    for field in ("model_image", "cloth_image", "lower_cloth_image", "result_image", "result_thumbnail"):
        file = getattr(task, field)
        if file:
            file.delete(save=False)


# --- Gallery, lookbook and moderation (the studio's verbs) -------------------------------------

# Which moderation states each staff decision may leave from; anything else is left alone.
MODERATION_DECISIONS = {
    "approve": (
        TryOnTask.Moderation.APPROVED,
        [TryOnTask.Moderation.SUBMITTED, TryOnTask.Moderation.REJECTED, TryOnTask.Moderation.HIDDEN],
    ),
    "reject": (TryOnTask.Moderation.REJECTED, [TryOnTask.Moderation.SUBMITTED]),
    "hide": (TryOnTask.Moderation.HIDDEN, [TryOnTask.Moderation.SUBMITTED, TryOnTask.Moderation.APPROVED]),
}


def submit_to_lookbook(owner: Owner, public_id: str) -> TryOnTask:
    """Offer a finished result to the public lookbook; staff decide whether it is shown."""
    task = get_task(owner, public_id)
    # Conditional UPDATE: only a private, completed result can enter the queue, and only once.
    submitted = TryOnTask.objects.filter(
        pk=task.pk, status=TryOnTask.Status.COMPLETED, moderation=TryOnTask.Moderation.PRIVATE
    ).update(moderation=TryOnTask.Moderation.SUBMITTED, moderated_by=None, moderated_at=None)
    if not submitted:
        raise InvalidInput("only a private, finished result can be submitted to the lookbook")
    task.refresh_from_db()
    return task


def moderate(staff_user, public_ids: list[str], decision: str) -> int:
    """Apply a staff decision ("approve", "reject", "hide") to results; returns how many changed."""
    if not getattr(staff_user, "is_staff", False):
        raise ServiceError("only staff can moderate the lookbook")
    if decision not in MODERATION_DECISIONS:
        raise InvalidInput(f"unknown decision {decision!r}")
    state, allowed_from = MODERATION_DECISIONS[decision]
    # One conditional UPDATE: two moderators deciding at once cannot resurrect a stale state.
    return TryOnTask.objects.filter(
        public_id__in=public_ids, status=TryOnTask.Status.COMPLETED, moderation__in=allowed_from
    ).update(moderation=state, moderated_by=staff_user, moderated_at=timezone.now())


def lookbook() -> QuerySet[TryOnTask]:
    """Results staff approved for everyone to see."""
    return TryOnTask.objects.filter(status=TryOnTask.Status.COMPLETED, moderation=TryOnTask.Moderation.APPROVED)


def delete_task(owner: Owner, public_id: str) -> None:
    """Delete a finished task of the owner's, its inputs and its result."""
    task = get_task(owner, public_id)
    if not task.is_finished:
        raise InvalidInput("a try-on that is still running cannot be deleted")
    delete_task_files(task)
    task.delete()


def adopt_session_tasks(session_key: str, user) -> int:
    """Give a browser session's anonymous tasks to the user who just signed in on it."""
    if not session_key or not user.is_authenticated:
        return 0
    return TryOnTask.objects.filter(session_key=session_key, user=None, api_key=None).update(user=user)

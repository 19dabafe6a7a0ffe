"""The verbs both front doors (the FitRoom API and the studio) share.

Nothing here knows about HTTP. State changes that could race (charge, claim, progress,
finish, refund) are single conditional UPDATEs whose row count is checked.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from PIL import Image

from tryon import backends, cloth_types, engine
from tryon.backends import get_backend
from tryon.models import ApiKey, CreditEntry, IdempotencyKey, Invitation, SavedPerson, TryOnTask

log = logging.getLogger(__name__)

STORED_INPUT_MAX_SIDE = 4096  # inputs are stored without metadata, at most this large
THUMBNAIL_SIZE = 360
# A worker that died mid-task gets one more delivery; after that the task fails.
MAX_ATTEMPTS = 2
# How long an Idempotency-Key keeps naming its task.
IDEMPOTENCY_WINDOW = timedelta(hours=24)
# How often a request waiting for a task to finish reads it again (seconds): one indexed read.
FINISH_POLL = 0.01
GENERIC_FAILURE = "Failed to process try-on task"
TIMED_OUT = "The try-on task timed out"
QUEUE_UNAVAILABLE = "The try-on queue was unavailable; the task was not started"


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


class QueueUnavailable(ServiceError):
    status = 503


class InputRefused(ServiceError):
    """A task's stored photo fails the same check the check endpoints make: the task ends FAILED, refunded."""


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


# --- Studio uploads ----------------------------------------------------------------------------

STUDIO_UPLOADS = "studio-uploads"


def store_studio_upload(image: Image.Image) -> str:
    """Keep a photo the studio just checked, so the try-on reuses it instead of a second upload.

    Returns the storage name; who may use it is the studio's business (it signs the name).
    """
    name = f"{STUDIO_UPLOADS}/{timezone.now():%Y/%m/%d}/{secrets.token_hex(16)}.jpg"
    return default_storage.save(name, ContentFile(_encode_input(image)))


class ImageAddressRefused(InvalidInput):
    """A garment image address that can't be used; ``reason`` says why (tryon.image_urls.REASONS)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def fetch_garment_image(url: str) -> Image.Image:
    """A garment photo from a product page's image address, fetched safely and decoded like an upload."""
    from tryon import image_urls

    limits = image_urls.FetchLimits(
        max_bytes=settings.TRYON_MAX_UPLOAD_BYTES,
        timeout=settings.TRYON_IMAGE_URL_TIMEOUT,
        allow_private=settings.TRYON_IMAGE_URL_ALLOW_PRIVATE,
    )
    try:
        data = image_urls.fetch_image_bytes(url, limits)
    except image_urls.ImageUrlError as exc:
        log.info("garment image address refused: %s", exc)
        raise ImageAddressRefused(exc.reason) from exc
    try:
        return engine.load_image(
            data,
            engine.ImageLimits(max_bytes=settings.TRYON_MAX_UPLOAD_BYTES, max_pixels=settings.TRYON_MAX_IMAGE_PIXELS),
        )
    except engine.ImageError as exc:
        raise ImageAddressRefused("not_image") from exc


def load_studio_upload(name: str) -> Image.Image:
    """A stored studio photo; InvalidInput when it is gone (swept, or never stored)."""
    if not name.startswith(f"{STUDIO_UPLOADS}/") or ".." in name:
        raise InvalidInput("unknown upload")
    try:
        with default_storage.open(name, "rb") as handle:
            data = handle.read()
    except (FileNotFoundError, OSError) as exc:
        raise InvalidInput("the upload has expired") from exc
    return _decode_stored(data)


def delete_old_studio_uploads(max_age: timedelta = timedelta(days=1)) -> int:
    """Housekeeping: studio photos are only needed between their check and the try-on."""
    cutoff = timezone.now() - max_age
    count = 0
    years, _ = default_storage.listdir(STUDIO_UPLOADS) if default_storage.exists(STUDIO_UPLOADS) else ([], [])
    for year in years:
        for month in default_storage.listdir(f"{STUDIO_UPLOADS}/{year}")[0]:
            for day in default_storage.listdir(f"{STUDIO_UPLOADS}/{year}/{month}")[0]:
                folder = f"{STUDIO_UPLOADS}/{year}/{month}/{day}"
                for file in default_storage.listdir(folder)[1]:
                    if default_storage.get_modified_time(f"{folder}/{file}") < cutoff:
                        default_storage.delete(f"{folder}/{file}")
                        count += 1
    return count


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
    inputs = {"model_image": model_image, "cloth_image": cloth_image, "lower_cloth_image": lower_cloth_image}
    cost = settings.TRYON_TASK_CREDITS if owner.api_key is not None else 0
    task = TryOnTask(cloth_type=cloth_type, cloth_type_auto=auto, credits_charged=cost, **fields, **owner.task_fields())
    # The files are written before the transaction, so it holds the key's row (on SQLite, the whole
    # database) only for the charge and the INSERT. If no row ever points at them, the sweep deletes them.
    for field, image in inputs.items():
        if image is not None:
            getattr(task, field).save(f"{field}.jpg", ContentFile(_encode_input(image)), save=False)
    try:
        with transaction.atomic():
            if cost:
                _charge(owner.api_key, cost)
            task.save()
            if cost:
                CreditEntry.objects.create(api_key=owner.api_key, change=-cost, kind=CreditEntry.Kind.CHARGE, task=task)
            if idempotency is not None:
                # In the charge's transaction: the key names a task exactly when the task exists.
                IdempotencyKey.objects.filter(api_key=owner.api_key, key=idempotency.key).update(task=task)
    except BaseException:
        delete_task_files(task)
        raise
    # Queued once the row is committed (at once here; at the end of a caller's outer transaction).
    transaction.on_commit(lambda: _enqueue_or_refund(task.public_id))
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


def _enqueue_or_refund(public_id: str) -> None:
    """Queue the task; if the broker is down, end it FAILED and refunded and say so, instead of a charged 503."""
    try:
        enqueue_task(public_id)
    except Exception as exc:
        log.exception("could not queue try-on task %s", public_id)
        fail_task(public_id, QUEUE_UNAVAILABLE)
        raise QueueUnavailable(
            "The try-on queue is unavailable, so the task was not started and its credits were refunded. "
            "Please try again later."
        ) from exc


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


def add_credits(api_key: ApiKey, change: int, reason: str, changed_by=None) -> bool:
    """Staff add (or, negative, take back) credits; False when taking would go below zero.

    An F() update, never a write of a balance read earlier: charges and refunds made meanwhile stay.
    """
    if not change:
        return True
    with transaction.atomic():
        keys = ApiKey.objects.filter(pk=api_key.pk)
        if change < 0:
            keys = keys.filter(credits__gte=-change)
        if not keys.update(credits=F("credits") + change):
            return False
        CreditEntry.objects.create(
            api_key=api_key, change=change, kind=CreditEntry.Kind.ADMIN, reason=reason, changed_by=changed_by
        )
    return True


def _encode_input(image: Image.Image) -> bytes:
    # An upload that is already a clean JPEG (a photo resized before upload, as FitRoom's docs advise,
    # or the studio's own stored copy) is kept as it came: re-encoding only cost the web process time.
    kept = engine.plain_jpeg(image)
    if kept is not None and max(image.size) <= STORED_INPUT_MAX_SIDE:
        return kept
    return engine.encode_image(engine.fit_within(image, STORED_INPUT_MAX_SIDE), quality=95)


# --- Reading tasks -----------------------------------------------------------------------------


def credits_of(api_key: ApiKey) -> int:
    """The key's balance as it is now (the authenticated key is a per-process cached copy, see tryon.keys)."""
    return ApiKey.objects.filter(pk=api_key.pk).values_list("credits", flat=True).get()


def get_task(owner: Owner, public_id: str) -> TryOnTask:
    """The owner's task; another owner's id is indistinguishable from an unknown one."""
    if "\x00" in public_id:  # PostgreSQL refuses NUL in a query (DataError, which would read as an outage)
        raise TaskNotFound("task not found")
    try:
        # get(), not first(): public_id is unique, and without first()'s ORDER BY a status poll's
        # one query costs a quarter less to build.
        task = owner.tasks().get(public_id=public_id)
    except TryOnTask.DoesNotExist:
        raise TaskNotFound("task not found") from None
    if _looks_stale(task) and fail_stale_tasks(TryOnTask.objects.filter(pk=task.pk)):
        task.refresh_from_db()
    return task


def await_finish(task: TryOnTask, seconds: float) -> TryOnTask:
    """``task`` as it is once it has finished, or after ``seconds`` if it has not (reads only)."""
    deadline = time.monotonic() + seconds
    while task.status == TryOnTask.Status.PROCESSING and time.monotonic() < deadline:
        time.sleep(FINISH_POLL)
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


def _looks_stale(task: TryOnTask) -> bool:
    # fail_stale_tasks' condition on the row already read: a poll of a live task costs one query.
    now = timezone.now()
    if task.status == TryOnTask.Status.PROCESSING:
        return task.progress_updated_at is None or (
            task.progress_updated_at < now - timedelta(seconds=settings.TRYON_STALE_AFTER)
        )
    if task.status == TryOnTask.Status.CREATED:
        return task.created_at < now - timedelta(seconds=settings.TRYON_QUEUE_TIMEOUT)
    return False


# --- Running tasks (worker side) ---------------------------------------------------------------


def run_task(public_id: str) -> None:
    """Run one try-on. Safe to call twice: a finished or live task is left alone."""
    # Wall-clock marks of each step, logged at the end: bench/speed.py reads them for its breakdown.
    marks = {"picked": time.time()}
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
        marks.setdefault(stage, time.time())
        percent = 1 + int(max(0.0, min(1.0, fraction)) * 97)  # 1..98; 99 is saving, 100 done
        # Never decreasing, even across attempts, and only while this attempt owns the task.
        updated = mine.filter(progress__lt=percent).update(
            progress=percent, stage=stage, progress_updated_at=timezone.now()
        )
        if not updated and not mine.exists():
            raise TaskCancelled(public_id)  # cancelled (or ended by the sweeper): stop rendering

    try:
        images = _load_inputs(task)
        marks["loaded"] = time.time()
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
        result = _render_while_checking(job, images, report, marks)
        marks["rendered"] = time.time()
        mine.filter(progress__lt=99).update(progress=99, stage="save", progress_updated_at=timezone.now())
        _save_result(task, mine, result)
        marks["saved"] = time.time()
        log.info("task %s timings %s", public_id, json.dumps(marks))
    except TaskCancelled:
        log.info("task %s was ended while rendering; its result is dropped", public_id)
    except Exception as exc:
        log.exception("try-on task %s failed", public_id)
        fail_task(public_id, _user_message(exc))


def _decode_stored(data: bytes) -> Image.Image:
    """A photo we stored ourselves (without metadata, at most STORED_INPUT_MAX_SIDE on a side), decoded."""
    return engine.load_image(data, engine.ImageLimits(max_pixels=STORED_INPUT_MAX_SIDE**2 + 1))


def _open_stored(file) -> Image.Image:
    with file.open("rb") as handle:
        return _decode_stored(handle.read())


def load_task_image(task: TryOnTask, field: str) -> Image.Image:
    """One of a task's stored input photos, decoded (e.g. to dress the same person again)."""
    return _open_stored(getattr(task, field))


def _render_while_checking(job, images, report, marks) -> bytes:
    """The render, with the check endpoints' checks on the same photos.

    With the local engine the model check comes first, made on the photo as the render will look
    for the person, and the render reuses that look: one person analysis a try-on, not two, and
    a refused photo ends the task before its render starts. The clothes checks (of a garment
    photo's first try-on in this process; then its verdict is remembered) run in a thread beside
    the render, on a core the render leaves idle whenever the machine has one (the engine's
    models are shared under its lock). Their refusal
    still decides the outcome as if they had run first: it stops the render at its next progress
    report, it wins over the render's own failure, and a render that finishes waits for the verdict.
    Any other backend hears of a task only once both its photos passed.
    """

    backend = get_backend()
    if not isinstance(backend, backends.LocalBackend):
        # A remote engine bills its own account as soon as it is asked: a photo our check
        # refuses is never sent there.
        _refuse_a_model_the_check_refuses(check_model_image(images["model_image"]))
        _refuse_clothes_the_checks_refuse(images)
        marks["checked"] = time.time()
        return backend.render(job, report)

    with _backend_errors():
        model = backend.check_model_to_render(job)
    _refuse_a_model_the_check_refuses(model.check)

    def check_clothes():
        _refuse_clothes_the_checks_refuse(images, is_clothes=_is_clothes_to_the_local_engine)
        marks["checked"] = time.time()

    def report_unless_refused(stage: str, fraction: float) -> None:
        if verdict.done() and verdict.exception() is not None:
            raise verdict.exception()
        report(stage, fraction)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="checks") as pool:
        verdict = pool.submit(check_clothes)
        try:
            result = backend.render(model.job, report_unless_refused, person=model.person)
        except TaskCancelled:
            raise
        except Exception:
            verdict.result()  # the checks' refusal, when there is one, is the reason the task failed
            raise
        verdict.result()
    return result


def _refuse_a_model_the_check_refuses(model) -> None:
    """The task's model photo gets the model check endpoint's verdict (``model`` is its answer).

    Without this a task could be charged and COMPLETED on a photo the model check refuses (an empty
    room, a back view), because the renderer found a marginal pose the check had rejected.
    """
    from tryon.errors import CHECK_CODES

    if not model.is_good:
        code = model.error_code or "400001"
        known = CHECK_CODES.get(code)
        raise InputRefused(f"{code}: {known.documented if known else 'The model image cannot be used'}")


def _refuse_clothes_the_checks_refuse(images: dict[str, Image.Image | None], is_clothes=None) -> None:
    """One verdict per photo: the task runs the clothes check endpoint's own check on its stored garments."""
    is_clothes = is_clothes or (lambda image: check_clothes_image(image).is_clothes)
    for field in ("cloth_image", "lower_cloth_image"):
        if images[field] is not None and not is_clothes(images[field]):
            raise InputRefused(f"{field}: the photo does not show a garment that can be tried on")


# The local engine's clothes-check verdicts on the garment photos this process has checked, by their
# pixels. A shop's product photo is tried on by shopper after shopper, and the engine's verdict on it
# cannot change (it is a function of the pixels), so a queue worker checks a photo once: the check
# (the pose graph's pass over the photo and the skin test; its cut is kept by the engine already)
# took about 60 ms of a worker's 1.1 s of CPU on every try-on. A few hundred bytes for all of them.
CLOTHES_VERDICTS_KEPT = 512
_clothes_verdicts: OrderedDict[tuple, bool] = OrderedDict()
_clothes_verdicts_lock = threading.Lock()


def _is_clothes_to_the_local_engine(image: Image.Image) -> bool:
    key = (image.mode, image.size, hashlib.blake2b(image.tobytes(), digest_size=16).digest())
    with _clothes_verdicts_lock:
        verdict = _clothes_verdicts.get(key)
        if verdict is not None:
            _clothes_verdicts.move_to_end(key)
            return verdict
    verdict = check_clothes_image(image).is_clothes  # an error (the engine away) is not remembered
    with _clothes_verdicts_lock:
        _clothes_verdicts[key] = verdict
        while len(_clothes_verdicts) > CLOTHES_VERDICTS_KEPT:
            _clothes_verdicts.popitem(last=False)
    return verdict


def _load_inputs(task: TryOnTask) -> dict[str, Image.Image | None]:
    return {
        field: _open_stored(getattr(task, field)) if getattr(task, field) else None
        for field in ("model_image", "cloth_image", "lower_cloth_image")
    }


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
    if isinstance(exc, (backends.RenderFailed, backends.ImageRejected, engine.ImageError, ServiceError)):
        return str(exc)  # about the inputs (or a remote server's own error text): the user can act on it
    if isinstance(exc, backends.RenderTimedOut):
        return TIMED_OUT
    return GENERIC_FAILURE


def fail_task(public_id: str, message: str, *, only_if: Q | None = None) -> bool:
    """End an unfinished task as FAILED and refund its credits, exactly once.

    ``only_if`` is a further condition checked inside the same UPDATE, so a task that changed since
    the caller looked (e.g. a worker claimed it) is left alone.
    """
    with transaction.atomic():
        task = TryOnTask.objects.filter(public_id=public_id).values("pk", "api_key_id", "credits_charged").first()
        if task is None:
            return False
        refund = task["credits_charged"] if task["api_key_id"] else 0
        # Only the transition out of CREATED/PROCESSING refunds, and it can happen once.
        unfinished = TryOnTask.objects.filter(
            pk=task["pk"], status__in=[TryOnTask.Status.CREATED, TryOnTask.Status.PROCESSING]
        )
        if only_if is not None:
            unfinished = unfinished.filter(only_if)
        failed = unfinished.update(
            status=TryOnTask.Status.FAILED, error=message, completed_at=timezone.now(), refunded=bool(refund)
        )
        if failed and refund:
            ApiKey.objects.filter(pk=task["api_key_id"]).update(credits=F("credits") + refund)
            CreditEntry.objects.create(
                api_key_id=task["api_key_id"], change=refund, kind=CreditEntry.Kind.REFUND, task_id=task["pk"]
            )
        if failed:
            transaction.on_commit(lambda: _report_finished(public_id))
    return bool(failed)


def requeue_waiting_tasks() -> int:
    """Queue again the tasks that waited TRYON_REQUEUE_AFTER without any worker claiming them.

    A cluster killed with tasks prefetched from the Redis broker takes those messages with it; the
    task would wait CREATED until the queue timeout. A second message for a task whose first is
    still queued is harmless: the claim is a conditional UPDATE, so only one delivery runs it.
    """
    cutoff = timezone.now() - timedelta(seconds=settings.TRYON_REQUEUE_AFTER)
    waiting = TryOnTask.objects.filter(status=TryOnTask.Status.CREATED, created_at__lt=cutoff).filter(
        Q(requeued_at__isnull=True) | Q(requeued_at__lt=cutoff)
    )
    count = 0
    for pk, public_id in waiting.values_list("pk", "public_id"):
        # One requeue per interval even with several sweepers: the UPDATE that moves requeued_at wins.
        if waiting.filter(pk=pk).update(requeued_at=timezone.now()):
            enqueue_task(public_id)
            count += 1
    return count


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
    stale = Q(
        status=TryOnTask.Status.PROCESSING,
        progress_updated_at__lt=now - timedelta(seconds=settings.TRYON_STALE_AFTER),
    ) | Q(status=TryOnTask.Status.CREATED, created_at__lt=now - timedelta(seconds=settings.TRYON_QUEUE_TIMEOUT))
    count = 0
    for public_id, status in tasks.filter(stale).values_list("public_id", "status"):
        if status == TryOnTask.Status.CREATED:
            message = "The try-on task waited too long in the queue and was cancelled"
        else:
            message = "The try-on task timed out"
        # Stale again inside the UPDATE: a worker may have claimed the task since the SELECT above.
        count += fail_task(public_id, message, only_if=stale)
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


FILE_FIELDS = ("model_image", "cloth_image", "lower_cloth_image", "result_image", "result_thumbnail")
# Files younger than this may belong to a request or worker that has not inserted or updated its row yet.
ORPHAN_GRACE = timedelta(hours=1)


def delete_orphan_files() -> int:
    """Delete stored inputs and results that no task row points to (a crash between write and commit)."""
    storage = TryOnTask._meta.get_field("model_image").storage
    cutoff = timezone.now() - ORPHAN_GRACE
    deleted = 0
    for top in ("inputs", "results"):
        for directory, names in _walk(storage, top):
            paths = [f"{directory}/{name}" for name in names]
            referenced = Q()
            for field in FILE_FIELDS:
                referenced |= Q(**{f"{field}__in": paths})
            used = set()
            for row in TryOnTask.objects.filter(referenced).values_list(*FILE_FIELDS):
                used.update(row)
            for path in paths:
                if path not in used and storage.get_modified_time(path) < cutoff:
                    storage.delete(path)
                    deleted += 1
    return deleted


def _walk(storage, directory: str):
    """(directory, file names) for ``directory`` and everything under it, through the storage API (disk or S3)."""
    try:
        subdirectories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    if files:
        yield directory, files
    for sub in subdirectories:
        yield from _walk(storage, f"{directory}/{sub}")


def delete_task_files(task: TryOnTask) -> None:
    for field in FILE_FIELDS:
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


def _change_task_if(task: TryOnTask, conditions: dict, changes: dict, refusal: str) -> TryOnTask:
    """Apply ``changes`` to ``task`` only while ``conditions`` still hold: one conditional UPDATE,
    so a racing request or staff decision sees either the old row or the new one. Refused with
    ``refusal`` (an InvalidInput) when they no longer hold; returns the fresh row."""
    if not TryOnTask.objects.filter(pk=task.pk, **conditions).update(**changes):
        raise InvalidInput(refusal)
    task.refresh_from_db()
    return task


def submit_to_lookbook(owner: Owner, public_id: str, *, person_agrees: bool = False) -> TryOnTask:
    """Offer a finished result to the public lookbook; staff decide whether it is shown.

    The owner must confirm that the person pictured agrees to be shown; when is recorded.
    """
    task = get_task(owner, public_id)
    if not person_agrees:
        raise InvalidInput("Please confirm that the person in the photo agrees to be shown publicly.")
    # Only a private, completed result can enter the queue, and only once.
    return _change_task_if(
        task,
        {"status": TryOnTask.Status.COMPLETED, "moderation": TryOnTask.Moderation.PRIVATE},
        {
            "moderation": TryOnTask.Moderation.SUBMITTED,
            "moderated_by": None,
            "moderated_at": None,
            "publish_consent_at": timezone.now(),
        },
        "only a private, finished result can be submitted to the lookbook",
    )


def withdraw_from_lookbook(owner: Owner, public_id: str) -> TryOnTask:
    """The owner takes a submitted or approved result back: it leaves the lookbook at once."""
    task = get_task(owner, public_id)
    # A staff decision racing with this cannot put it back in public.
    return _change_task_if(
        task,
        {"moderation__in": [TryOnTask.Moderation.SUBMITTED, TryOnTask.Moderation.APPROVED]},
        {"moderation": TryOnTask.Moderation.PRIVATE, "publish_consent_at": None},
        "This result is not in the lookbook.",
    )


def share_result(owner: Owner, public_id: str) -> TryOnTask:
    """Give a finished result an unguessable read-only link (a new one each time; the old one stops)."""
    task = get_task(owner, public_id)
    return _change_task_if(
        task,
        {"status": TryOnTask.Status.COMPLETED},
        {"share_token": secrets.token_urlsafe(32)},
        "Only a finished result can be shared.",
    )


def revoke_share(owner: Owner, public_id: str) -> TryOnTask:
    """The result's share link stops working at once."""
    task = get_task(owner, public_id)
    TryOnTask.objects.filter(pk=task.pk).update(share_token="")
    task.refresh_from_db()
    return task


def shared_result(share_token: str) -> TryOnTask:
    """The finished result a live share link points to."""
    task = None
    if share_token and "\x00" not in share_token:
        task = TryOnTask.objects.filter(share_token=share_token, status=TryOnTask.Status.COMPLETED).first()
    if task is None:
        raise TaskNotFound("task not found")
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


# --- Stylist accounts ---------------------------------------------------------------------------

INVITATION_DAYS = 7


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(staff_user, note: str = "") -> str:
    """A new one-time invitation for a stylist; returns the raw token (shown once, only its hash is kept)."""
    if not getattr(staff_user, "is_staff", False):
        raise ServiceError("only staff can invite stylists")
    token = secrets.token_urlsafe(32)
    Invitation.objects.create(
        token_hash=_token_hash(token),
        note=note[:100],
        created_by=staff_user,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    return token


def open_invitation(token: str) -> Invitation:
    """The unused, unexpired invitation a token names."""
    invitation = Invitation.objects.filter(
        token_hash=_token_hash(token), used_at__isnull=True, expires_at__gt=timezone.now()
    ).first()
    if invitation is None:
        raise InvalidInput("This invitation has expired or was already used. Ask for a new one.")
    return invitation


def accept_invitation(token: str, create_user) -> object:
    """Use an invitation once: ``create_user()`` makes the account, inside the claim's transaction."""
    with transaction.atomic():
        # Conditional UPDATE: two people racing with one link get one account between them.
        claimed = Invitation.objects.filter(
            token_hash=_token_hash(token), used_at__isnull=True, expires_at__gt=timezone.now()
        ).update(used_at=timezone.now())
        if not claimed:
            raise InvalidInput("This invitation has expired or was already used. Ask for a new one.")
        user = create_user()
        Invitation.objects.filter(token_hash=_token_hash(token)).update(used_by=user)
    return user


# --- My models (a stylist's saved people) -------------------------------------------------------

MAX_SAVED_PEOPLE = 24


def save_person(user, image: Image.Image) -> SavedPerson:
    """Keep a checked model photo in the stylist's "My models"."""
    if not getattr(user, "is_authenticated", False):
        raise InvalidInput("Sign in to keep model photos.")
    if SavedPerson.objects.filter(user=user).count() >= MAX_SAVED_PEOPLE:
        raise InvalidInput(f"My models holds {MAX_SAVED_PEOPLE} photos. Delete one to save another.")
    person = SavedPerson(user=user)
    person.image.save("person.jpg", ContentFile(_encode_input(image)), save=False)
    person.save()
    return person


def saved_person(user, pk) -> SavedPerson:
    person = SavedPerson.objects.filter(user=user, pk=pk).first() if str(pk).isdigit() else None
    if person is None or not getattr(user, "is_authenticated", False):
        raise TaskNotFound("no such saved person")
    return person


def load_saved_person(person: SavedPerson) -> Image.Image:
    return _open_stored(person.image)


def delete_saved_person(user, pk) -> None:
    person = saved_person(user, pk)
    person.image.delete(save=False)
    person.delete()

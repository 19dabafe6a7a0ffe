"""The verbs both front doors (the FitRoom API and the studio) share.

Nothing here knows about HTTP. State changes that could race (charge, claim, progress,
finish, refund) are single conditional UPDATEs whose row count is checked.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from PIL import Image

from tryon import client, engine
from tryon.backends import get_backend
from tryon.models import ApiKey, Invitation, SavedPerson, TryOnTask

log = logging.getLogger(__name__)

STORED_INPUT_MAX_SIDE = 4096  # inputs are re-encoded (metadata stripped) at most this large
THUMBNAIL_SIZE = 360
# A worker that died mid-task gets one more delivery; after that the task fails.
MAX_ATTEMPTS = 2
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
    """A remote engine's refusal of the image is the caller's 400; any other remote trouble is our 503."""
    from tryon.client import FitRoomError

    try:
        yield
    except engine.ImageError as exc:
        raise InvalidInput(f"input_image: {exc}") from exc
    except FitRoomError as exc:
        log.warning("remote engine unavailable for a check: %s", exc)
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
    return engine.load_image(data, engine.ImageLimits(max_pixels=STORED_INPUT_MAX_SIDE**2 + 1))


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


def create_task(
    owner: Owner,
    *,
    model_image: Image.Image,
    cloth_image: Image.Image,
    cloth_type: str,
    lower_cloth_image: Image.Image | None = None,
    hd_mode: bool = False,
) -> TryOnTask:
    """Store validated inputs, charge credits and queue the try-on once the row is committed."""
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
        task = TryOnTask(cloth_type=cloth_type, hd_mode=hd_mode, credits_charged=cost, **owner.task_fields())
        for field, data in encoded.items():
            if data is not None:
                getattr(task, field).save(f"{field}.jpg", ContentFile(data), save=False)
        task.save()
        transaction.on_commit(lambda: enqueue_task(task.public_id))
    return task


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
    if _looks_stale(task) and fail_stale_tasks(TryOnTask.objects.filter(pk=task.pk)):
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

    def report(fraction: float, stage: str) -> None:
        marks.setdefault(stage, time.time())
        percent = 1 + int(max(0.0, min(1.0, fraction)) * 97)  # 1..98; 99 is saving, 100 done
        # Never decreasing, even across attempts, and only while this attempt owns the task.
        mine.filter(progress__lt=percent).update(progress=percent, stage=stage, progress_updated_at=timezone.now())

    try:
        images = _load_inputs(task)
        marks["loaded"] = time.time()
        result = get_backend().render(
            images["model_image"],
            images["cloth_image"],
            task.cloth_type,
            images["lower_cloth_image"],
            task.hd_mode,
            report,
        )
        marks["rendered"] = time.time()
        mine.filter(progress__lt=99).update(progress=99, stage="save", progress_updated_at=timezone.now())
        _save_result(task, mine, result)
        marks["saved"] = time.time()
        log.info("task %s timings %s", public_id, json.dumps(marks))
    except Exception as exc:
        log.exception("try-on task %s failed", public_id)
        fail_task(public_id, _user_message(exc))


def load_task_image(task: TryOnTask, field: str) -> Image.Image:
    """One of a task's stored input photos, decoded (e.g. to dress the same person again)."""
    with getattr(task, field).open("rb") as handle:
        return engine.load_image(handle.read(), engine.ImageLimits(max_pixels=STORED_INPUT_MAX_SIDE**2 + 1))


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


def _user_message(exc: Exception) -> str:
    from tryon.engine.render import TryOnError

    if isinstance(exc, (TryOnError, engine.ImageError)):
        return str(exc)
    if isinstance(exc, client.PollTimeout):  # the remote backend stopped waiting at our time limit
        return TIMED_OUT
    remote_error = getattr(exc, "remote_error", None)  # a remote FitRoom server's own error text
    if remote_error:
        return str(remote_error)
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
    return bool(failed)


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


def submit_to_lookbook(owner: Owner, public_id: str, *, person_agrees: bool = False) -> TryOnTask:
    """Offer a finished result to the public lookbook; staff decide whether it is shown.

    The owner must confirm that the person pictured agrees to be shown; when is recorded.
    """
    task = get_task(owner, public_id)
    if not person_agrees:
        raise InvalidInput("Please confirm that the person in the photo agrees to be shown publicly.")
    # Conditional UPDATE: only a private, completed result can enter the queue, and only once.
    submitted = TryOnTask.objects.filter(
        pk=task.pk, status=TryOnTask.Status.COMPLETED, moderation=TryOnTask.Moderation.PRIVATE
    ).update(
        moderation=TryOnTask.Moderation.SUBMITTED,
        moderated_by=None,
        moderated_at=None,
        publish_consent_at=timezone.now(),
    )
    if not submitted:
        raise InvalidInput("only a private, finished result can be submitted to the lookbook")
    task.refresh_from_db()
    return task


def withdraw_from_lookbook(owner: Owner, public_id: str) -> TryOnTask:
    """The owner takes a submitted or approved result back: it leaves the lookbook at once."""
    task = get_task(owner, public_id)
    # Conditional UPDATE: a staff decision racing with this cannot put it back in public.
    withdrawn = TryOnTask.objects.filter(
        pk=task.pk, moderation__in=[TryOnTask.Moderation.SUBMITTED, TryOnTask.Moderation.APPROVED]
    ).update(moderation=TryOnTask.Moderation.PRIVATE, publish_consent_at=None)
    if not withdrawn:
        raise InvalidInput("This result is not in the lookbook.")
    task.refresh_from_db()
    return task


def share_result(owner: Owner, public_id: str) -> TryOnTask:
    """Give a finished result an unguessable read-only link (a new one each time; the old one stops)."""
    task = get_task(owner, public_id)
    shared = TryOnTask.objects.filter(pk=task.pk, status=TryOnTask.Status.COMPLETED).update(
        share_token=secrets.token_urlsafe(32)
    )
    if not shared:
        raise InvalidInput("Only a finished result can be shared.")
    task.refresh_from_db()
    return task


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
    with person.image.open("rb") as handle:
        return engine.load_image(handle.read(), engine.ImageLimits(max_pixels=STORED_INPUT_MAX_SIDE**2 + 1))


def delete_saved_person(user, pk) -> None:
    person = saved_person(user, pk)
    person.image.delete(save=False)
    person.delete()

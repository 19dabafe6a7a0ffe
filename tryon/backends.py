"""Where try-on work is done: one contract, the local engine, or a remote FitRoom-compatible server.

A backend does the checks and the render; fitroom keeps the credits, the queue, the tasks and the
studio. ``settings.TRYON_BACKEND`` names the backend by dotted path to its class, as Django does
for storages and caches ("myapp.backends.GpuBackend"); "local" (default) and "remote" are short
names for the two built in. The class is built with no arguments and reads its own settings.

Backends take decoded, normalised RGB images (``tryon.engine.load_image`` output) and return
encoded result bytes, and they report trouble only through the domain errors below, so services
never care which one runs. See README "Writing a try-on backend".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from PIL import Image

from tryon import client, cloth_types, engine

log = logging.getLogger(__name__)

BACKENDS = {"local": "tryon.backends.LocalBackend", "remote": "tryon.backends.RemoteBackend"}


# --- The contract ------------------------------------------------------------------------------


class BackendError(Exception):
    """Something a backend could not do; subclasses say whose fault it is. Messages may be shown to users."""


class ImageRejected(BackendError):
    """The backend refuses this image (unreadable, unsupported): the caller's mistake, a 400 for a check."""


class RenderFailed(BackendError):
    """The try-on cannot be made from these inputs (no person, no garment...); the task fails with this text."""


class BackendUnavailable(BackendError):
    """The backend is down or misbehaving: a 503 for a check; the task fails with a generic message."""


class RenderTimedOut(BackendUnavailable):
    """The render did not finish in time."""


class Progress(Protocol):
    def __call__(self, stage: str, fraction: float) -> None:
        """Report the render's progress: a stage name and a fraction 0..1 that never decreases.

        Call it often (calls with an unchanged fraction are cheap). It raises when the task was
        cancelled: let that exception through, after stopping any work handed elsewhere.
        """


class ModelCheckResult(Protocol):
    """FitRoom's model check: ``error_code`` from tryon.errors.CHECK_CODES, types from tryon.cloth_types.CHECK_TYPES."""

    is_good: bool
    error_code: str | None
    good_clothes_types: list[str]


class ClothesCheckResult(Protocol):
    is_clothes: bool
    clothes_type: str | None  # one of tryon.cloth_types.CHECK_TYPES


@dataclass(frozen=True)
class RenderJob:
    """One try-on to render.

    ``task_id`` is stable across redeliveries of the same task: a backend that hands the work to
    another service can use it as an idempotency key there. Such a backend calls
    ``remember_remote_task(id)`` once the other service has accepted the work; a redelivery (the
    worker died) then brings that id back in ``remote_task_id``, to resume instead of paying twice.
    """

    task_id: str
    model_image: Image.Image
    cloth_image: Image.Image
    cloth_type: str  # a task type from tryon.cloth_types.TASK_TYPES
    lower_cloth_image: Image.Image | None = None
    hd: bool = False
    remote_task_id: str = ""
    remember_remote_task: Callable[[str], None] = field(default=lambda remote_task_id: None)


class TryOnBackend(Protocol):
    """The three calls every backend has. One that hands work elsewhere may also have
    ``abandon(remote_task_id)``, called when a worker died while waiting for that remote task."""

    def check_model(self, image: Image.Image) -> ModelCheckResult: ...

    def check_clothes(self, image: Image.Image) -> ClothesCheckResult: ...

    def render(self, job: RenderJob, progress: Progress) -> bytes:
        """The result as encoded image bytes (JPEG preferred), at most TRYON_RESULT_MAX_SIDE on the long side."""
        ...


def get_backend() -> TryOnBackend:
    # Built per call (cheap) so a settings change, e.g. in a test, takes effect at once.
    path = BACKENDS.get(settings.TRYON_BACKEND, settings.TRYON_BACKEND)
    try:
        backend_class = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"TRYON_BACKEND {settings.TRYON_BACKEND!r} cannot be imported: {exc}") from exc
    return backend_class()


# --- The local engine --------------------------------------------------------------------------


_checks_here = False


def run_checks_here() -> None:
    """This process runs the local engine's checks itself: queue workers and the check process do."""
    global _checks_here
    _checks_here = True


class LocalBackend:
    """Runs tryon.engine: renders in this process (a queue worker), checks in the check process
    (tryon.checker) unless this process runs them itself or TRYON_CHECKER_SOCKET is empty."""

    def check_model(self, image: Image.Image) -> engine.ModelCheck | RemoteModelCheck:
        if not _checks_here and settings.TRYON_CHECKER_SOCKET:
            from tryon import checker

            return RemoteModelCheck.from_answer(checker.ask("model", image))
        from tryon.engine.person import check_model_image

        with _engine_errors():
            return check_model_image(image)

    def check_clothes(self, image: Image.Image) -> engine.ClothesCheck | RemoteClothesCheck:
        if not _checks_here and settings.TRYON_CHECKER_SOCKET:
            from tryon import checker

            return RemoteClothesCheck(**checker.ask("clothes", image))
        from tryon.engine.garment import check_clothes_image

        with _engine_errors():
            return check_clothes_image(image)

    def check_model_to_render(self, job: RenderJob) -> CheckedModel:
        """The model check of a task's photo, made on the photo as the render will look for the person.

        Pass the answer's ``job`` and ``person`` to :meth:`render`: a try-on then finds its person
        once (about 80 ms of a core), not once for its check and again in its render, and the
        render dresses exactly the person the check accepted.
        """
        from tryon.engine.person import analyse_person, model_check_of
        from tryon.engine.render import PERSON_SIDE, working_photo

        with _engine_errors():
            photo = working_photo(job.model_image, job.hd)
            person = analyse_person(engine.fit_within(photo, PERSON_SIDE))
        return CheckedModel(model_check_of(person), replace(job, model_image=photo), person)

    def render(self, job: RenderJob, progress: Progress, person=None) -> bytes:
        """``person``: the analysis from :meth:`check_model_to_render`, with its ``job``."""
        from tryon.engine.render import render_tryon

        with _engine_errors():
            result = render_tryon(
                job.model_image,
                job.cloth_image,
                job.cloth_type,
                lower_cloth_image=job.lower_cloth_image,
                hd=job.hd,
                progress=progress,
                person=person,
            )
        return engine.encode_image(engine.fit_within(result, settings.TRYON_RESULT_MAX_SIDE))


@dataclass(frozen=True)
class CheckedModel:
    """A task's model photo as the local engine renders it: the check's answer, the job with the photo
    at the render's working size, and the person analysis behind both (None: nobody found)."""

    check: engine.ModelCheck
    job: RenderJob
    person: object


class _engine_errors:
    """The engine's own exceptions as the contract's."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        from tryon.engine.render import TryOnError

        if exc_type is not None and issubclass(exc_type, engine.ImageError):
            raise ImageRejected(str(exc)) from exc
        if exc_type is not None and issubclass(exc_type, TryOnError):
            raise RenderFailed(str(exc)) from exc
        return False


# --- A remote FitRoom-compatible server --------------------------------------------------------


@dataclass(frozen=True)
class RemoteModelCheck:
    """A model check made elsewhere (a remote server, without overlay hints, or the check process),
    shaped like the engine's ModelCheck."""

    is_good: bool
    error_code: str | None
    good_clothes_types: list[str]
    person_box: tuple[float, float, float, float] | None = None
    pose_outline: list = field(default_factory=list)

    @classmethod
    def from_answer(cls, fields: dict) -> RemoteModelCheck:
        """From the check process's JSON, with its lists as the engine's tuples again."""
        box = fields.get("person_box")
        return cls(
            fields["is_good"],
            fields["error_code"],
            list(fields["good_clothes_types"]),
            tuple(box) if box is not None else None,
            [(tuple(a), tuple(b)) for a, b in fields.get("pose_outline", [])],
        )


@dataclass(frozen=True)
class RemoteClothesCheck:
    """A clothes check made elsewhere (a remote server or the check process), shaped like the engine's ClothesCheck."""

    clothes_type: str | None
    is_clothes: bool


class RemoteBackend:
    """Sends the work to a FitRoom-compatible server (a GPU box, or the hosted service) through tryon.client.

    A remote task is created once per task, with our task id as its Idempotency-Key, and its id
    is remembered: a redelivery resumes polling it. A task we stop waiting for (cancelled, or
    past our time limit) is cancelled there too, or at least its result is never fetched.
    """

    def __init__(self, base_url: str | None = None, api_key: str | None = None, poll_timeout: float | None = None):
        base_url = settings.TRYON_REMOTE_URL if base_url is None else base_url
        if not base_url.startswith(("http://", "https://")):
            raise ImproperlyConfigured("TRYON_BACKEND is 'remote': TRYON_REMOTE_URL must be an http(s):// URL")
        self.base_url = base_url
        self.api_key = settings.TRYON_REMOTE_API_KEY if api_key is None else api_key
        # Stop polling before django-q2's timeout kills the worker, so the task fails with a clear reason.
        self.poll_timeout = poll_timeout if poll_timeout is not None else settings.TRYON_TASK_TIMEOUT * 0.8

    def check_model(self, image: Image.Image) -> RemoteModelCheck:
        # A check answers a waiting web request: one quick retry, not the task's patient back-off.
        with self._client(max_retries=1) as remote, _remote_errors():
            result = remote.check_model(_upload(image))
        return RemoteModelCheck(result.is_good, result.error_code, list(result.good_clothes_types))

    def check_clothes(self, image: Image.Image) -> RemoteClothesCheck:
        with self._client(max_retries=1) as remote, _remote_errors():
            result = remote.check_clothes(_upload(image))
        return RemoteClothesCheck(result.clothes_type, result.is_clothes)

    def render(self, job: RenderJob, progress: Progress) -> bytes:
        reported = 0.0

        def mirror(task: client.Task) -> None:
            nonlocal reported
            # 1.0 is ours to report, once the result is downloaded and checked. Reported at every
            # poll, even unchanged, so a cancellation here is noticed while the remote is busy.
            reported = max(reported, min((task.progress or 0) / 100, 0.99))
            progress("remote", reported)

        with self._client() as remote, _remote_errors():
            remote_task_id = job.remote_task_id
            if not remote_task_id:
                created = remote.create_task(
                    _upload(job.model_image),
                    _upload(job.cloth_image),
                    cloth_types.task_type(job.cloth_type) or job.cloth_type,  # the hosted service knows task words
                    _upload(job.lower_cloth_image) if job.lower_cloth_image is not None else None,
                    job.hd,
                    idempotency_key=f"fitroom-{job.task_id}",
                )
                remote_task_id = created.task_id
                job.remember_remote_task(remote_task_id)
            else:
                log.info("task %s resumes remote task %s", job.task_id, remote_task_id)
            try:
                task = remote.wait_for_task(remote_task_id, on_progress=mirror, poll_timeout=self.poll_timeout)
            except client.TaskFailed as exc:
                raise RenderFailed(exc.message) from exc
            except client.PollTimeout as exc:
                _abandon(remote, remote_task_id)
                raise RenderTimedOut(str(exc)) from exc
            except BaseException:
                _abandon(remote, remote_task_id)  # cancelled here, or we are going down: no one wants it
                raise
            if not task.download_signed_url:
                raise BackendUnavailable(f"remote task {remote_task_id} is COMPLETED but has no download_signed_url")
            data = remote.download(task.download_signed_url)
        # Treat the remote's bytes like an upload: only a real image, within the contract's size, no metadata.
        try:
            image = engine.load_image(data, engine.ImageLimits(max_bytes=64 * 1024 * 1024))
        except engine.ImageError as exc:
            raise RenderFailed(f"the remote result is not a usable image: {exc}") from exc
        encoded = engine.encode_image(engine.fit_within(image, settings.TRYON_RESULT_MAX_SIDE))
        progress("remote", 1.0)
        return encoded

    def abandon(self, remote_task_id: str) -> None:
        """Cancel a remote task nobody waits for any more (its worker was killed)."""
        with self._client(max_retries=1) as remote:
            _abandon(remote, remote_task_id)

    def _client(self, max_retries: int = 4) -> client.FitRoomClient:
        return client.FitRoomClient(self.base_url, self.api_key, timeout=30.0, max_retries=max_retries)


def _abandon(remote: client.FitRoomClient, remote_task_id: str) -> None:
    # Best effort: a server without cancel keeps rendering, but its result is never fetched.
    try:
        remote.cancel_task(remote_task_id)
    except client.FitRoomError as exc:
        log.info("remote task %s not cancelled (%s); its result is discarded", remote_task_id, exc)


def _upload(image: Image.Image) -> bytes:
    # The seed's advice: resize before uploading; 2048 px is also the largest result the contract allows.
    return engine.encode_image(engine.fit_within(image, 2048))


class _remote_errors:
    """tryon.client's exceptions as the contract's: a refused image is the user's, anything else an outage."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is not None and issubclass(exc_type, client.BadRequest):
            raise ImageRejected(exc.message) from exc
        if exc_type is not None and issubclass(exc_type, client.FitRoomError):
            raise BackendUnavailable(f"{type(exc).__name__}: {exc}") from exc
        return False

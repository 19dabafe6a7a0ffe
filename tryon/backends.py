"""Where try-on work is done: the local engine, or a remote FitRoom-compatible server.

Both backends take decoded, normalised RGB images (``tryon.engine.load_image`` output)
and return encoded result bytes, so services never care which one runs.
``settings.TRYON_BACKEND`` picks one: "local" (default) or "remote".
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from PIL import Image

from tryon import client, cloth_types, engine

# progress(fraction in 0..1, stage name); fractions never decrease.
ProgressCallback = Callable[[float, str], None]


class LocalBackend:
    """Runs tryon.engine in this process."""

    def check_model(self, image: Image.Image):
        from tryon.engine.person import check_model_image

        return check_model_image(image)

    def check_clothes(self, image: Image.Image):
        from tryon.engine.garment import check_clothes_image

        return check_clothes_image(image)

    def render(
        self,
        model_image: Image.Image,
        cloth_image: Image.Image,
        cloth_type: str,
        lower_cloth_image: Image.Image | None,
        hd: bool,
        progress: ProgressCallback,
    ) -> bytes:
        from tryon.engine.render import render_tryon

        result = render_tryon(
            model_image,
            cloth_image,
            cloth_type,
            lower_cloth_image=lower_cloth_image,
            hd=hd,
            progress=lambda stage, fraction: progress(fraction, stage),
        )
        return engine.encode_image(engine.fit_within(result, settings.TRYON_RESULT_MAX_SIDE))


@dataclass(frozen=True)
class RemoteModelCheck:
    """A remote server's model check, shaped like the engine's ModelCheck (without overlay hints)."""

    is_good: bool
    error_code: str | None
    good_clothes_types: list[str]
    person_box: tuple[float, float, float, float] | None = None
    pose_outline: list = field(default_factory=list)


@dataclass(frozen=True)
class RemoteClothesCheck:
    """A remote server's clothes check, shaped like the engine's ClothesCheck."""

    clothes_type: str | None
    is_clothes: bool


class RemoteBackend:
    """Sends the work to a FitRoom-compatible server (a GPU box, or the hosted service) through tryon.client."""

    def __init__(self, base_url: str, api_key: str, poll_timeout: float | None = None):
        if not base_url.startswith(("http://", "https://")):
            raise ImproperlyConfigured("TRYON_BACKEND is 'remote': TRYON_REMOTE_URL must be an http(s):// URL")
        self.base_url = base_url
        self.api_key = api_key
        # Stop polling before django-q2's timeout kills the worker, so the task fails with a clear reason.
        self.poll_timeout = poll_timeout if poll_timeout is not None else settings.TRYON_TASK_TIMEOUT * 0.8

    def check_model(self, image: Image.Image) -> RemoteModelCheck:
        # A check answers a waiting web request: one quick retry, not the task's patient back-off.
        with self._client(max_retries=1) as remote, _bad_request_as_image_error():
            result = remote.check_model(_upload(image))
        return RemoteModelCheck(result.is_good, result.error_code, list(result.good_clothes_types))

    def check_clothes(self, image: Image.Image) -> RemoteClothesCheck:
        with self._client(max_retries=1) as remote, _bad_request_as_image_error():
            result = remote.check_clothes(_upload(image))
        return RemoteClothesCheck(result.clothes_type, result.is_clothes)

    def render(
        self,
        model_image: Image.Image,
        cloth_image: Image.Image,
        cloth_type: str,
        lower_cloth_image: Image.Image | None,
        hd: bool,
        progress: ProgressCallback,
    ) -> bytes:
        """Run the try-on remotely; a remote FAILED raises tryon.client.TaskFailed with the remote error text."""
        reported = 0.0

        def mirror(task: client.Task) -> None:
            nonlocal reported
            # 1.0 is ours to report, once the result is downloaded and checked.
            fraction = min((task.progress or 0) / 100, 0.99)
            if fraction > reported:
                reported = fraction
                progress(fraction, "remote")

        try:
            with self._client() as remote:
                result = remote.try_on(
                    _upload(model_image),
                    _upload(cloth_image),
                    cloth_types.task_type(cloth_type) or cloth_type,  # the hosted service knows only task words
                    _upload(lower_cloth_image) if lower_cloth_image is not None else None,
                    hd,
                    on_progress=mirror,
                    poll_timeout=self.poll_timeout,
                )
        except client.TaskFailed as exc:
            exc.remote_error = exc.message  # services show this text on our FAILED task
            raise
        # Treat the remote's bytes like an upload: only a real image, within the contract's size, no metadata.
        image = engine.load_image(result.image, engine.ImageLimits(max_bytes=64 * 1024 * 1024))
        encoded = engine.encode_image(engine.fit_within(image, settings.TRYON_RESULT_MAX_SIDE))
        progress(1.0, "remote")
        return encoded

    def _client(self, max_retries: int = 4) -> client.FitRoomClient:
        return client.FitRoomClient(self.base_url, self.api_key, timeout=30.0, max_retries=max_retries)


def _upload(image: Image.Image) -> bytes:
    # The seed's advice: resize before uploading; 2048 px is also the largest result the contract allows.
    return engine.encode_image(engine.fit_within(image, 2048))


@contextmanager
def _bad_request_as_image_error():
    # The remote rejected the image itself: that is the user's 400, not our server error.
    try:
        yield
    except client.BadRequest as exc:
        raise engine.ImageError(exc.message) from exc


def get_backend():
    # Built per call (cheap) so a settings change, e.g. in a test, takes effect at once.
    if settings.TRYON_BACKEND == "remote":
        return RemoteBackend(settings.TRYON_REMOTE_URL, settings.TRYON_REMOTE_API_KEY)
    return LocalBackend()

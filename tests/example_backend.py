"""A minimal try-on backend, written only against the contract in tryon.backends (README "Writing a try-on backend").

A real plug-in would send the images to its own model server inside ``render``; this one calls the
engine's public functions directly, so the whole API suite can run against it on a laptop. What it
shows: the three methods, progress as ``(stage, fraction)``, and failures as the contract's errors.

    TRYON_BACKEND=tests.example_backend.ExampleBackend
"""

from django.conf import settings
from PIL import Image

from tryon import engine
from tryon.backends import BackendUnavailable, ImageRejected, Progress, RenderFailed, RenderJob


class ExampleBackend:
    def check_model(self, image: Image.Image) -> engine.ModelCheck:
        try:
            return engine.check_model_image(image)
        except engine.ImageError as exc:
            raise ImageRejected(str(exc)) from exc

    def check_clothes(self, image: Image.Image) -> engine.ClothesCheck:
        try:
            return engine.check_clothes_image(image)
        except engine.ImageError as exc:
            raise ImageRejected(str(exc)) from exc

    def render(self, job: RenderJob, progress: Progress) -> bytes:
        progress("queued on the model server", 0.0)
        try:
            result = engine.render_tryon(
                job.model_image,
                job.cloth_image,
                job.cloth_type,
                lower_cloth_image=job.lower_cloth_image,
                hd=job.hd,
                # The model server's own stages, scaled into the second half of ours.
                progress=lambda stage, fraction: progress(f"server: {stage}", 0.5 + fraction / 2),
            )
        except engine.TryOnError as exc:
            raise RenderFailed(str(exc)) from exc
        return engine.encode_image(engine.fit_within(result, settings.TRYON_RESULT_MAX_SIDE))


class UnavailableBackend:
    """A backend whose model server is down: every call says so, the contract's way."""

    def check_model(self, image):
        raise BackendUnavailable("model server unreachable")

    def check_clothes(self, image):
        raise BackendUnavailable("model server unreachable")

    def render(self, job, progress):
        progress("queued on the model server", 0.0)
        raise BackendUnavailable("model server unreachable")
